// A small net assembled from @bp/layers for the gradcheck tests (TwoLayerNet lives in @bp/nets,
// which depends on this package): Affine1 -> Sigmoid1 -> Affine2 -> SoftmaxWithLoss.
import { Affine, Sigmoid, SoftmaxWithLoss, type Layer } from "@bp/layers";
import { Rng, randn, type Backend, type Tensor } from "@bp/tensor";

export class TinyNet {
  readonly layers: Map<string, Layer>;
  readonly lastLayer = new SoftmaxWithLoss();
  readonly affine1: Affine;
  readonly affine2: Affine;

  constructor(readonly params: { W1: Tensor; b1: Tensor; W2: Tensor; b2: Tensor }) {
    this.affine1 = new Affine(params.W1, params.b1);
    this.affine2 = new Affine(params.W2, params.b2);
    this.layers = new Map<string, Layer>([
      ["Affine1", this.affine1],
      ["Sigmoid1", new Sigmoid()],
      ["Affine2", this.affine2],
    ]);
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

  to(backend: Backend): TinyNet {
    const { W1, b1, W2, b2 } = this.params;
    return new TinyNet({
      W1: W1.to(backend).clone(),
      b1: b1.to(backend).clone(),
      W2: W2.to(backend).clone(),
      b2: b2.to(backend).clone(),
    });
  }

  predict(x: Tensor): Tensor {
    let h = x;
    for (const layer of this.layers.values()) h = layer.forward(h) as Tensor;
    return h;
  }

  loss(x: Tensor, t: Tensor): number {
    return this.lastLayer.forward(this.predict(x), t);
  }

  gradient(x: Tensor, t: Tensor): Record<string, Tensor> {
    this.loss(x, t);
    let dout = this.lastLayer.backward();
    for (const layer of [...this.layers.values()].reverse()) dout = layer.backward(dout) as Tensor;
    return { W1: this.affine1.dW!, b1: this.affine1.db!, W2: this.affine2.dW!, b2: this.affine2.db! };
  }
}
