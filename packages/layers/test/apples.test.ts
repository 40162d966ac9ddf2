import { describe, expect, it } from "vitest";
import { tensor } from "@bp/tensor";
import { AddLayer, MulLayer, buyApples, buyApplesAndOranges } from "@bp/layers";

// The book's section 5.4 prints these values (float64, exactly as Python's repr shows them).
describe("the book's shopping examples (section 5.4)", () => {
  it("apples only: buy_apple.py", () => {
    const r = buyApples();
    expect(r.price).toBe(220.00000000000003);
    expect(r.dApple).toBe(2.2);
    expect(r.dAppleNum).toBe(110.00000000000001);
    expect(r.dTax).toBe(200);
  });

  it("apples and oranges: buy_apple_orange.py", () => {
    const r = buyApplesAndOranges();
    expect(r.price).toBe(715.0000000000001);
    expect(r.dAppleNum).toBe(110.00000000000001);
    expect(r.dApple).toBe(2.2);
    expect(r.dOrange).toBe(3.3000000000000003);
    expect(r.dOrangeNum).toBe(165);
    expect(r.dTax).toBe(650);
    // The printed strings, as a user sees them with console.log.
    expect(String(r.price)).toBe("715.0000000000001");
    expect(String(r.dOrange)).toBe("3.3000000000000003");
  });

  it("the same graph on 0-d tensors gives the same values", () => {
    const mulApple = new MulLayer();
    const mulOrange = new MulLayer();
    const add = new AddLayer();
    const mulTax = new MulLayer();
    const tax = tensor(1.1);
    const all = add.forward(mulApple.forward(tensor(100), tensor(2)), mulOrange.forward(tensor(150), tensor(3)));
    const price = mulTax.forward(all, tax);
    expect(price.item()).toBe(715.0000000000001);
    const [dAll, dTax] = mulTax.backward(tensor(1));
    const [dApplePrice, dOrangePrice] = add.backward(dAll);
    const [dOrange, dOrangeNum] = mulOrange.backward(dOrangePrice);
    const [dApple, dAppleNum] = mulApple.backward(dApplePrice);
    const values = [dApple, dAppleNum, dOrange, dOrangeNum, dTax].map((v) => (typeof v === "number" ? v : v.item()));
    expect(values).toEqual([2.2, 110.00000000000001, 3.3000000000000003, 165, 650]);
  });
});
