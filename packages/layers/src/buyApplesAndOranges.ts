import { AddLayer } from "./AddLayer.js";
import { MulLayer } from "./MulLayer.js";

/** Forward and backward values of the book's apple example (section 5.4.1, `buy_apple.py`). */
export interface ApplesResult {
  price: number;
  dApple: number;
  dAppleNum: number;
  dTax: number;
}

/** Forward and backward values of the book's apples-and-oranges example (section 5.4.2,
 * `buy_apple_orange.py`). */
export interface ApplesAndOrangesResult {
  price: number;
  dApple: number;
  dAppleNum: number;
  dOrange: number;
  dOrangeNum: number;
  dTax: number;
}

/** Two apples at 100 each, with a 1.1 consumption tax, through two `MulLayer`s. */
export function buyApples(apple = 100, appleNum = 2, tax = 1.1): ApplesResult {
  const mulAppleLayer = new MulLayer();
  const mulTaxLayer = new MulLayer();

  const applePrice = mulAppleLayer.forward(apple, appleNum);
  const price = mulTaxLayer.forward(applePrice, tax);

  const dprice = 1;
  const [dApplePrice, dTax] = mulTaxLayer.backward(dprice);
  const [dApple, dAppleNum] = mulAppleLayer.backward(dApplePrice);
  return { price, dApple, dAppleNum, dTax };
}

/** Two apples at 100 and three oranges at 150, with a 1.1 consumption tax. */
export function buyApplesAndOranges(
  apple = 100,
  appleNum = 2,
  orange = 150,
  orangeNum = 3,
  tax = 1.1,
): ApplesAndOrangesResult {
  const mulAppleLayer = new MulLayer();
  const mulOrangeLayer = new MulLayer();
  const addAppleOrangeLayer = new AddLayer();
  const mulTaxLayer = new MulLayer();

  const applePrice = mulAppleLayer.forward(apple, appleNum);
  const orangePrice = mulOrangeLayer.forward(orange, orangeNum);
  const allPrice = addAppleOrangeLayer.forward(applePrice, orangePrice);
  const price = mulTaxLayer.forward(allPrice, tax);

  const dprice = 1;
  const [dAllPrice, dTax] = mulTaxLayer.backward(dprice);
  const [dApplePrice, dOrangePrice] = addAppleOrangeLayer.backward(dAllPrice);
  const [dOrange, dOrangeNum] = mulOrangeLayer.backward(dOrangePrice);
  const [dApple, dAppleNum] = mulAppleLayer.backward(dApplePrice);
  return { price, dApple, dAppleNum, dOrange, dOrangeNum, dTax };
}
