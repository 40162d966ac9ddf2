import { createRequire } from "node:module";
import { BpError } from "@bp/tensor";
import { helpText, parseCommandArgs } from "./args.js";
import type { Command, Context } from "./command.js";
import { demoCommand } from "./commands/demo.js";
import { evalCommand, predictCommand } from "./commands/eval.js";
import { filtersCommand } from "./commands/filters.js";
import { experimentCommand } from "./commands/experiment.js";
import { gradcheckCommand } from "./commands/gradcheck.js";
import { trainCommand } from "./commands/train.js";
import { EXIT, UsageError } from "./errors.js";
import { colorEnabled, makeStyle, processIo, type Io } from "./io.js";

export const COMMANDS: Command[] = [
  trainCommand,
  gradcheckCommand,
  evalCommand,
  predictCommand,
  filtersCommand,
  experimentCommand,
  demoCommand,
];

/** The version in this package's package.json (read from src/ and from dist/ alike). */
export function version(): string {
  return (createRequire(import.meta.url)("../package.json") as { version: string }).version;
}

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "Usage: bp <command> [options]",
    "",
    "Backpropagation from scratch (Deep Learning from Scratch, chapters 5 to 7) on MNIST or CSV data.",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.brief}`),
    "",
    "Options:",
    "  --help     show help (also: bp <command> --help)",
    "  --version  print the version",
    "",
    "Exit status: 0 success, 1 failed check or bad input file, 2 bad usage.",
    "",
  ].join("\n");
}

/**
 * Runs `bp` with `argv` (without the node and script paths) and returns the exit status:
 * 0 success, 1 a failed check or an input that cannot be read, 2 bad usage. Errors caused by the
 * user's input are printed on stderr as one line, without a stack trace.
 */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const style = makeStyle(colorEnabled(io.stdout, io.env));
  const errStyle = makeStyle(colorEnabled(io.stderr, io.env));
  const ctx: Context = {
    io,
    out: (line = "") => void io.stdout.write(`${line}\n`),
    err: (line = "") => void io.stderr.write(`${line}\n`),
    style,
    errStyle,
  };
  const fail = (status: number, message: string): number => {
    ctx.err(`${errStyle.red("bp:")} ${message.replace(/\s*\n\s*/g, " ")}`);
    return status;
  };
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(overview());
    return EXIT.usage;
  }
  if (first === "--help" || first === "-h" || first === "help") {
    const named = COMMANDS.find((c) => c.name === rest[0]);
    io.stdout.write(named ? helpText(named.usage, named.summary, named.options) : overview());
    return EXIT.ok;
  }
  if (first === "--version" || first === "-v") {
    ctx.out(version());
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === first);
  try {
    if (command === undefined) {
      throw new UsageError(
        `unknown command ${JSON.stringify(first)} (expected ${COMMANDS.map((c) => c.name).join(", ")}; see bp --help)`,
      );
    }
    const { values, positionals } = parseCommandArgs(command.name, rest, command.options, command.positionals ?? 0);
    if (values.help === true) {
      io.stdout.write(helpText(command.usage, command.summary, command.options));
      return EXIT.ok;
    }
    return await command.run(ctx, values, positionals);
  } catch (e) {
    if (e instanceof UsageError) return fail(EXIT.usage, e.message);
    if (e instanceof BpError) return fail(EXIT.failed, e.message);
    // Anything else is a bug in bp, not a user mistake: keep the stack trace.
    ctx.err(`${errStyle.red("bp:")} internal error (please report it): ${(e as Error).stack ?? String(e)}`);
    return EXIT.failed;
  }
}
