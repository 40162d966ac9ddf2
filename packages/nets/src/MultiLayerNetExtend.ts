import { Affine, BatchNormalization, Dropout, SoftmaxWithLoss, type Layer } from "@bp/layers";
import { Rng, ValueError, cpu, ones, zeros } from "@bp/tensor";
import { LayerNet } from "./LayerNet.js";
import { activationLayer, affineParams, checkMultiLayerArgs, type MultiLayerNetOptions } from "./MultiLayerNet.js";
import { dropoutSeed } from "./seededTraining.js";

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
 * it). Dropout masks come from `Rng(dropoutSeed(seed))` (see `seededTraining`).
 */
export class MultiLayerNetExtend extends LayerNet {
  readonly inputSize: number;
  readonly hiddenSizeList: readonly number[];
  readonly outputSize: number;
  readonly useDropout: boolean;
  readonly dropoutRatio: number;
  readonly useBatchnorm: boolean;

  constructor(
    inputSize: number,
    hiddenSizeList: readonly number[],
    outputSize: number,
    options: MultiLayerNetExtendOptions = {},
  ) {
    const op = "MultiLayerNetExtend";
    checkMultiLayerArgs(op, inputSize, hiddenSizeList, outputSize, options);
    const activation = options.activation ?? "relu";
    const weightInitStd = options.weightInitStd ?? "relu";
    const seed = options.seed ?? 0;
    const dtype = options.dtype ?? "float64";
    const backend = options.backend ?? cpu;
    const useDropout = options.useDropout ?? false;
    const dropoutRatio = options.dropoutRatio ?? 0.5;
    if (!(dropoutRatio >= 0 && dropoutRatio < 1))
      throw new ValueError(op, `dropoutRatio must be in [0, 1), got ${dropoutRatio}`);
    const useBatchnorm = options.useBatchnorm ?? false;
    const rng = new Rng(dropoutSeed(seed));
    const affine = affineParams([inputSize, ...hiddenSizeList, outputSize], weightInitStd, seed, dtype, backend);
    const layers: [string, Layer][] = [];
    affine.forEach(({ W, b }, i) => {
      const k = i + 1;
      layers.push([`Affine${k}`, new Affine(W, b)]);
      const hidden = hiddenSizeList[i];
      if (hidden === undefined) return;
      if (useBatchnorm) {
        const like = { dtype, backend };
        layers.push([`BatchNorm${k}`, new BatchNormalization(ones([hidden], like), zeros([hidden], like))]);
      }
      layers.push([`Activation_function${k}`, activationLayer(activation)]);
      if (useDropout) layers.push([`Dropout${k}`, new Dropout(rng, { dropoutRatio })]);
    });
    const weightDecayLambda = options.weightDecayLambda ?? 0;
    super(layers, new SoftmaxWithLoss(), {
      kind: "MultiLayerNetExtend",
      config: {
        inputSize,
        hiddenSizeList: [...hiddenSizeList],
        outputSize,
        activation,
        weightInitStd,
        weightDecayLambda,
        useDropout,
        dropoutRatio,
        useBatchnorm,
        seed,
      },
      weightDecayLambda,
      dtype,
      backend,
      rng,
    });
    this.inputSize = inputSize;
    this.hiddenSizeList = Object.freeze([...hiddenSizeList]);
    this.outputSize = outputSize;
    this.useDropout = useDropout;
    this.dropoutRatio = dropoutRatio;
    this.useBatchnorm = useBatchnorm;
  }
}
