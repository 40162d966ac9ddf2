import { Affine, Relu, SoftmaxWithLoss, checkTensor } from "@bp/layers";
import {
  Rng,
  ShapeError,
  ValueError,
  cpu,
  formatShape,
  randn,
  zeros,
  type Backend,
  type FloatDType,
  type Tensor,
  checkOptions,
} from "@bp/tensor";
import { LayerNet, copyTensors } from "./LayerNet.js";

/** The parameters of a TwoLayerNet, named as in the book. */
export type TwoLayerParams = {
  W1: Tensor;
  b1: Tensor;
  W2: Tensor;
  b2: Tensor;
};

export interface TwoLayerNetOptions {
  /** Standard deviation of the initial weights (default 0.01, the book's `weight_init_std`). */
  weightInitStd?: number;
  /** Seed of the one `Rng` that draws W1 and then W2 (default 0). */
  seed?: number;
  /** Parameter dtype (default "float64"); inputs must have the same dtype. */
  dtype?: FloatDType;
  /** Where parameters live and ops run (default `cpu`). */
  backend?: Backend;
}

const PARAM_NAMES = ["W1", "b1", "W2", "b2"] as const;

/** The constructor option through which `fromParams` hands over existing tensors (module-private). */
const ADOPT = Symbol("adopt");
type ConstructorOptions = TwoLayerNetOptions & {
  [ADOPT]?: { params: TwoLayerParams; config?: Readonly<Record<string, unknown>> };
};

/**
 * The book's two-layer net with backpropagation (section 5.7.2, `ch05/two_layer_net.py`):
 * Affine1 -> Relu1 -> Affine2, then SoftmaxWithLoss, as a `LayerNet`.
 *
 * `params` holds W1, b1, W2, b2, and these are the very tensors the Affine layers compute with
 * (shared on purpose, as in the book): an optimizer that updates `params` in place with
 * `tensor.assign(...)` (like `SGD.update`) trains the net. Replacing an entry of `params` with
 * another tensor would not; it is frozen to prevent that.
 *
 * W1 and W2 are `weightInitStd` times standard normal draws from one `Rng(seed)`, W1 first, and
 * b1, b2 start at zero, so the same seed gives the same weights on every backend and dtype (float32
 * stores the rounded float64 draws).
 */
export class TwoLayerNet extends LayerNet<keyof TwoLayerParams> {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly outputSize: number;

  constructor(inputSize: number, hiddenSize: number, outputSize: number, options: TwoLayerNetOptions = {}) {
    checkOptions("TwoLayerNet", options, "options");
    const adopted = (options as ConstructorOptions)[ADOPT];
    for (const [name, v] of [
      ["inputSize", inputSize],
      ["hiddenSize", hiddenSize],
      ["outputSize", outputSize],
    ] as const) {
      if (!Number.isInteger(v) || v <= 0)
        throw new ValueError("TwoLayerNet", `${name} must be a positive integer, got ${v}`);
    }
    const std = options.weightInitStd ?? 0.01;
    if (!Number.isFinite(std)) throw new ValueError("TwoLayerNet", `weightInitStd must be a finite number, got ${std}`);
    const dtype = options.dtype ?? "float64";
    if (dtype !== "float64" && dtype !== "float32")
      throw new ValueError("TwoLayerNet", `dtype must be "float64" or "float32", got ${String(dtype)}`);
    const backend = options.backend ?? cpu;
    const seed = options.seed ?? 0;
    const params = adopted?.params ?? initialParams(inputSize, hiddenSize, outputSize, std, seed, dtype, backend);
    super(
      [
        ["Affine1", new Affine(params.W1, params.b1)],
        ["Relu1", new Relu()],
        ["Affine2", new Affine(params.W2, params.b2)],
      ],
      new SoftmaxWithLoss(),
      {
        kind: "TwoLayerNet",
        config:
          adopted === undefined
            ? { inputSize, hiddenSize, outputSize, weightInitStd: std, seed }
            : (adopted.config ?? { inputSize, hiddenSize, outputSize }),
        dtype,
        backend,
      },
    );
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.outputSize = outputSize;
  }

  /**
   * A net that uses the given tensors as its parameters (not copies): W1 [input, hidden],
   * b1 [hidden], W2 [hidden, output], b2 [output], all of one dtype on one backend. This is how a
   * saved model is loaded.
   */
  static fromParams(params: TwoLayerParams): TwoLayerNet {
    return twoLayerNetFrom(params);
  }

  /** A copy of this net on `backend` with the same parameter values (always a copy, even on the
   * same backend). The model code stays the same; only where it runs changes. */
  override to(backend: Backend): TwoLayerNet {
    return twoLayerNetFrom(copyTensors(this.params, backend) as TwoLayerParams, this.config);
  }
}

/**
 * `TwoLayerNet.fromParams`, keeping a description's `config` (how a saved net is loaded with its
 * recorded `weightInitStd` and `seed`). Module-internal to @bp/nets.
 */
export function twoLayerNetFrom(params: TwoLayerParams, config?: Readonly<Record<string, unknown>>): TwoLayerNet {
  if (typeof params !== "object" || params === null)
    throw new ValueError(
      "TwoLayerNet.fromParams",
      `params must be { W1, b1, W2, b2 } (tensors), got ${String(params)}`,
    );
  const { W1, b1, W2, b2 } = params;
  for (const name of PARAM_NAMES) {
    if (params[name] === undefined) throw new ValueError("TwoLayerNet.fromParams", `missing parameter ${name}`);
    checkTensor("TwoLayerNet.fromParams", name, params[name]);
  }
  if (
    W1.rank !== 2 ||
    W2.rank !== 2 ||
    b1.rank !== 1 ||
    b2.rank !== 1 ||
    W1.shape[1] !== W2.shape[0] ||
    b1.shape[0] !== W1.shape[1] ||
    b2.shape[0] !== W2.shape[1]
  ) {
    throw new ShapeError(
      "TwoLayerNet.fromParams",
      `expected W1 [input, hidden], b1 [hidden], W2 [hidden, output], b2 [output]; got W1 ${formatShape(W1.shape)}, b1 ${formatShape(b1.shape)}, W2 ${formatShape(W2.shape)}, b2 ${formatShape(b2.shape)}`,
    );
  }
  const dtype = W1.dtype;
  if (dtype === "int32" || PARAM_NAMES.some((n) => params[n].dtype !== dtype || params[n].backend !== W1.backend)) {
    throw new ValueError(
      "TwoLayerNet.fromParams",
      `parameters must share one float dtype and backend; got ${PARAM_NAMES.map((n) => `${n} ${params[n].dtype} on '${params[n].backend.name}'`).join(", ")}`,
    );
  }
  const adopt = config === undefined ? { params: { W1, b1, W2, b2 } } : { params: { W1, b1, W2, b2 }, config };
  const options: ConstructorOptions = { dtype, backend: W1.backend, [ADOPT]: adopt };
  return new TwoLayerNet(W1.shape[0]!, W1.shape[1]!, W2.shape[1]!, options);
}

function initialParams(
  inputSize: number,
  hiddenSize: number,
  outputSize: number,
  std: number,
  seed: number,
  dtype: FloatDType,
  backend: Backend,
): TwoLayerParams {
  const rng = new Rng(seed);
  const opts = { dtype, backend };
  return {
    W1: randn([inputSize, hiddenSize], { ...opts, rng, std }),
    b1: zeros([hiddenSize], opts),
    W2: randn([hiddenSize, outputSize], { ...opts, rng, std }),
    b2: zeros([outputSize], opts),
  };
}
