// A small net assembled from @bp/layers for the gradcheck tests: Affine1 -> Sigmoid1 -> Affine2 ->
// SoftmaxWithLoss, as a LayerNet (random biases too, unlike the book's nets, so db is checked
// away from zero).
import { Affine, Sigmoid, SoftmaxWithLoss } from "@bp/layers";
import { LayerNet, copyTensors } from "@bp/nets";
import { Rng, randn, type Backend, type Tensor } from "@bp/tensor";

type TinyParams = { W1: Tensor; b1: Tensor; W2: Tensor; b2: Tensor };

export class TinyNet extends LayerNet<keyof TinyParams> {
  readonly affine1: Affine;
  readonly affine2: Affine;

  constructor(params: TinyParams) {
    const affine1 = new Affine(params.W1, params.b1);
    const affine2 = new Affine(params.W2, params.b2);
    super(
      [
        ["Affine1", affine1],
        ["Sigmoid1", new Sigmoid()],
        ["Affine2", affine2],
      ],
      new SoftmaxWithLoss(),
    );
    this.affine1 = affine1;
    this.affine2 = affine2;
  }

  static random(inputs: number, hidden: number, outputs: number, seed: number, backend?: Backend): TinyNet {
    const rng = new Rng(seed);
    const o = backend === undefined ? { rng } : { rng, backend };
    return new TinyNet({
      W1: randn([inputs, hidden], { ...o, std: 0.5 }),
      b1: randn([hidden], { ...o, std: 0.1 }),
      W2: randn([hidden, outputs], { ...o, std: 0.5 }),
      b2: randn([outputs], { ...o, std: 0.1 }),
    });
  }

  override to(backend: Backend): TinyNet {
    return new TinyNet(copyTensors(this.params, backend) as TinyParams);
  }
}
