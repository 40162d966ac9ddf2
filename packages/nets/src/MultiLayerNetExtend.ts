import { checkOptions } from "@bp/tensor";
import { EXTEND, MultiLayerNet, type MultiLayerNetOptions } from "./MultiLayerNet.js";

export interface MultiLayerNetExtendOptions extends MultiLayerNetOptions {
  /** Insert `Dropout{k}` after every hidden activation (default false). */
  useDropout?: boolean;
  /** The Dropout layers' ratio (default 0.5, the book's `dropout_ration`). */
  dropoutRatio?: number;
  /** Insert `BatchNorm{k}` (gamma{k} = 1, beta{k} = 0) between every hidden Affine layer and its
   * activation (default false). */
  useBatchnorm?: boolean;
}

/**
 * The book's `MultiLayerNetExtend` (`common/multi_layer_net_extend.py`): `MultiLayerNet` with
 * optional `BatchNorm{k}` layers (before each hidden activation) and `Dropout{k}` layers (after
 * it). Dropout masks come from `Rng(dropoutSeed(seed))` = `Rng(seed + 2)`.
 */
export class MultiLayerNetExtend extends MultiLayerNet {
  readonly useDropout: boolean;
  readonly dropoutRatio: number;
  readonly useBatchnorm: boolean;

  constructor(
    inputSize: number,
    hiddenSizeList: readonly number[],
    outputSize: number,
    options: MultiLayerNetExtendOptions = {},
  ) {
    checkOptions("MultiLayerNetExtend", options, "options");
    super(inputSize, hiddenSizeList, outputSize, { ...options, [EXTEND]: true } as MultiLayerNetOptions);
    this.useDropout = options.useDropout ?? false;
    this.dropoutRatio = options.dropoutRatio ?? 0.5;
    this.useBatchnorm = options.useBatchnorm ?? false;
  }
}
