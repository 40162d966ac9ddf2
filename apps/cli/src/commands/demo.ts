import { buyApples, buyApplesAndOranges } from "@bp/layers";
import type { Command } from "../command.js";
import { UsageError } from "../errors.js";
import { JSON_OPTION } from "./shared.js";

const DEMOS = ["apples", "apple"] as const;

export const demoCommand: Command = {
  brief: "print the book's apples-and-oranges graph values (forward and backward)",
  name: "demo",
  summary:
    "Runs a computational-graph example of the book's chapter 5 and prints the forward and backward values\n" +
    "as the book does (prices and dApple_num, dOrange_num shown as int() like the book's print).\n" +
    "  apples  two apples and three oranges with tax (buy_apple_orange.py)\n" +
    "  apple   two apples with tax (buy_apple.py)",
  usage: "bp demo apples|apple [--json]",
  options: [JSON_OPTION],
  positionals: 1,
  async run(ctx, values, positionals) {
    const which = positionals[0];
    if (which === undefined) throw new UsageError(`demo needs the name of a demo: ${DEMOS.join(", ")}`);
    if (!(DEMOS as readonly string[]).includes(which))
      throw new UsageError(`unknown demo ${JSON.stringify(which)} (expected ${DEMOS.join(", ")})`);
    const both = which === "apples" ? buyApplesAndOranges() : null;
    const r = both ?? buyApples();
    if (values.json === true) {
      ctx.out(JSON.stringify(r));
      return 0;
    }
    // The book prints int(price), dapple, int(dapple_num), [dorange, int(dorange_num),] dtax.
    ctx.out(`price: ${Math.trunc(r.price)}`);
    ctx.out(`dApple: ${r.dApple}`);
    ctx.out(`dApple_num: ${Math.trunc(r.dAppleNum)}`);
    if (both !== null) {
      ctx.out(`dOrange: ${both.dOrange}`);
      ctx.out(`dOrange_num: ${Math.trunc(both.dOrangeNum)}`);
    }
    ctx.out(`dTax: ${r.dTax}`);
    const exact = [
      `price ${r.price}`,
      `dApple_num ${r.dAppleNum}`,
      ...(both !== null ? [`dOrange_num ${both.dOrangeNum}`] : []),
    ];
    ctx.out(ctx.style.dim(`(the book prints int() of price and the _num values; unrounded: ${exact.join(", ")})`));
    return 0;
  },
};
