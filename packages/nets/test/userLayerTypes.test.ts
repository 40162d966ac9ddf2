// Layers of your own through the layer table: rows passed explicitly (LayerNet's and decodeNet's
// option layerTypes), never registered globally; saved and loaded bit for bit; a file naming a type
// without its row, a row reusing a built-in name or class, and a bad config from a file are refused.
import { describe, expect, it } from "vitest";
import { decodeSafetensors, encodeSafetensors } from "@bp/data";
import { Affine, Relu, SoftmaxWithLoss, type Layer } from "@bp/layers";
import { CpuBackend, Rng, ValueError, randn, tensor, zeros, type FloatDType, type Tensor } from "@bp/tensor";
import { LAYER_TYPES, LayerNet, MultiLayerNet, SGD, decodeNet, encodeNet, layerTable, type LayerType } from "@bp/nets";
import { Tanh } from "./tanhLayer.js";

/** out = x * factor, a setting stored in the file (so its row checks it). */
class Scale implements Layer {
  constructor(public factor: number) {}
  forward(x: Tensor): Tensor {
    return x.mul(this.factor);
  }
  backward(dout: Tensor): Tensor {
    return dout.mul(this.factor);
  }
}

/** out = x + c with a trained parameter c (one per column): the net names it c1. */
class Shift implements Layer {
  readonly params: { c: Tensor };
  grads: { c: Tensor };
  constructor(c: Tensor) {
    this.params = { c };
    this.grads = { c: zeros(c.shape, { dtype: c.dtype }) };
  }
  forward(x: Tensor): Tensor {
    return x.add(this.params.c);
  }
  backward(dout: Tensor): Tensor {
    this.grads = { c: dout.sum(0) };
    return dout;
  }
}

const tanhRow: LayerType<Tanh> = { type: "Tanh", layerClass: Tanh, config: () => ({}), build: () => new Tanh() };
const scaleRow: LayerType<Scale> = {
  type: "Scale",
  layerClass: Scale,
  config: (l) => ({ factor: l.factor }),
  build: ({ config }) => {
    const f = config.factor;
    if (typeof f !== "number" || !(f > 0)) throw new RangeError(`factor must be a number > 0, got ${String(f)}`);
    return new Scale(f);
  },
};
const shiftRow: LayerType<Shift> = {
  type: "Shift",
  layerClass: Shift,
  config: () => ({}),
  build: ({ tensors }) => new Shift(tensors.c!),
};
const rows = [tanhRow, scaleRow, shiftRow];

function ownNet(dtype: FloatDType, layerTypes: readonly LayerType[] = rows): LayerNet {
  const rng = new Rng(7);
  const w = (shape: number[]) => randn(shape, { rng, std: 0.5, dtype });
  return new LayerNet(
    [
      ["Affine1", new Affine(w([4, 6]), zeros([6], { dtype }))],
      ["Tanh1", new Tanh()],
      ["Scale1", new Scale(1.5)],
      ["Shift1", new Shift(w([6]))],
      ["Affine2", new Affine(w([6, 3]), zeros([3], { dtype }))],
    ],
    new SoftmaxWithLoss(),
    { layerTypes },
  );
}

const rng = new Rng(3);
const x64 = randn([5, 4], { rng });
const t = tensor([0, 2, 1, 1, 0], { dtype: "int32" });
const sameBits = (a: Tensor, b: Tensor): boolean =>
  a.data.length === b.data.length && Array.from(a.data).every((v, i) => Object.is(v, b.data[i]));

describe("a layer of your own: save and load through its row", () => {
  for (const dtype of ["float64", "float32"] as const) {
    it(`trained, saved and loaded (${dtype}): the same description, parameters and predictions bit for bit`, () => {
      const net = ownNet(dtype);
      const x = dtype === "float32" ? x64.cast("float32") : x64;
      const sgd = new SGD({ lr: 0.3 });
      const first = net.loss(x, t);
      for (let i = 0; i < 10; i++) sgd.update(net.params, net.gradient(x, t));
      expect(net.loss(x, t)).toBeLessThan(first);
      expect(Object.keys(net.params)).toEqual(["W1", "b1", "c1", "W2", "b2"]);
      const d = net.describe();
      expect(d.layers.map((l) => l.type)).toEqual(["Affine", "Tanh", "Scale", "Shift", "Affine"]);
      expect(d.layers[2]!.config).toEqual({ factor: 1.5 });
      expect(d.layers[3]!.params).toEqual({ c: "c1" });

      const bytes = encodeNet(net);
      const loaded = decodeNet(bytes, { layerTypes: rows, name: "own.safetensors" });
      expect(loaded.description).toEqual(d);
      expect(loaded.net.describe()).toEqual(d);
      expect(loaded.net.layerTypes).toEqual(rows);
      expect((loaded.net.layers.get("Scale1") as Scale).factor).toBe(1.5);
      for (const n of Object.keys(net.params)) expect(sameBits(loaded.net.params[n]!, net.params[n]!), n).toBe(true);
      expect(sameBits(loaded.net.predict(x), net.predict(x))).toBe(true);
      // and again after saving the loaded net: the same bytes
      expect(Buffer.from(encodeNet(loaded.net)).equals(Buffer.from(bytes))).toBe(true);
    });
  }

  it("to(backend) keeps the rows: the copy describes itself and predicts the same bits", () => {
    const net = ownNet("float64");
    const backend = new CpuBackend();
    const copy = net.to(backend);
    expect(copy.layerTypes).toEqual(rows);
    expect(copy.describe()).toEqual(net.describe());
    expect(copy.backend).toBe(backend);
    expect(sameBits(copy.predict(x64.to(backend)), net.predict(x64))).toBe(true);
  });

  it("Tanh through the loaded net: tanh(0.5) = 0.46211715726000974 (Math.tanh), hand-checked", () => {
    const net = new LayerNet(
      [
        ["Affine1", new Affine(tensor([[1]]), tensor([0]))],
        ["Tanh1", new Tanh()],
      ],
      new SoftmaxWithLoss(),
      { layerTypes: [tanhRow] },
    );
    const loaded = decodeNet(encodeNet(net), { layerTypes: [tanhRow] }).net;
    expect(Array.from(loaded.predict(tensor([[0.5]])).data)).toEqual([Math.tanh(0.5)]);
    expect(Math.tanh(0.5)).toBeCloseTo(0.46211715726000974, 15);
  });
});

describe("a layer of your own: what is refused", () => {
  it("describe() without the row names the layer and the option", () => {
    const net = ownNet("float64", []);
    expect(() => net.describe()).toThrow(
      "describe: no layer-table row for Tanh; supported: Affine, Relu, Sigmoid, BatchNormalization, Dropout, Convolution, Pooling; a layer of your own is described by its row, passed as new LayerNet(layers, lastLayer, { layerTypes: [row] })",
    );
    expect(() => encodeNet(net)).toThrow(ValueError);
  });

  it("decodeNet without the row: a ValueError naming the file, the type and the option", () => {
    const bytes = encodeNet(ownNet("float64"));
    let caught: unknown;
    try {
      decodeNet(bytes, { name: "own.safetensors", layerTypes: [scaleRow, shiftRow] });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ValueError);
    expect((caught as Error).message).toBe(
      'decodeNet: own.safetensors: metadata architecture: layers[1]: unknown layer type "Tanh"; supported: Affine, Relu, Sigmoid, BatchNormalization, Dropout, Convolution, Pooling, Scale, Shift; a layer type of your own loads with its row: decodeNet(bytes, { layerTypes: [row] })',
    );
  });

  it("a row may not reuse a built-in type's name or class, nor repeat another row", () => {
    const make = (layerTypes: readonly LayerType[]) =>
      new LayerNet([["Relu1", new Relu()]], new SoftmaxWithLoss(), { layerTypes });
    expect(() => make([{ ...tanhRow, type: "Affine" }])).toThrow(
      'LayerNet: options.layerTypes[0] is named "Affine" like the built-in row Affine; a layer type has one row',
    );
    expect(() => make([{ ...tanhRow, type: "MyRelu", layerClass: Relu } as unknown as LayerType])).toThrow(
      "LayerNet: options.layerTypes[0] (MyRelu) has layerClass Relu, which the built-in row Relu already describes (Relu)",
    );
    // a class every built-in layer extends would capture them all
    expect(() => make([{ ...tanhRow, type: "Anything", layerClass: Object } as unknown as LayerType])).toThrow(
      "has layerClass Object, which the built-in row Affine already describes",
    );
    expect(() => make([tanhRow, { ...tanhRow }])).toThrow(
      'LayerNet: options.layerTypes[1] is named "Tanh" like the row Tanh; a layer type has one row',
    );
    expect(() => make([{ ...tanhRow, type: "tanh h" }])).toThrow(
      'options.layerTypes[0].type must be a name of letters, digits and _ (like "Tanh"), got "tanh h"',
    );
    expect(() => decodeNet(encodeNet(ownNet("float64")), { layerTypes: [tanhRow, tanhRow] })).toThrow(
      'decodeNet: options.layerTypes[1] is named "Tanh" like the row Tanh',
    );
    // the built-in table itself is untouched by all of this
    expect(LAYER_TYPES.map((r) => r.type)).toEqual([
      "Affine",
      "Relu",
      "Sigmoid",
      "BatchNormalization",
      "Dropout",
      "Convolution",
      "Pooling",
    ]);
    expect(layerTable(undefined, "op")).toBe(LAYER_TYPES);
  });

  it("a subclass of a built-in layer with its own row is described by its own row", () => {
    class LoudRelu extends Relu {}
    const row: LayerType<LoudRelu> = {
      type: "LoudRelu",
      layerClass: LoudRelu,
      config: () => ({}),
      build: () => new LoudRelu(),
    };
    const net = new LayerNet(
      [
        ["Affine1", new Affine(tensor([[1, -1]]), tensor([0, 0]))],
        ["LoudRelu1", new LoudRelu()],
      ],
      new SoftmaxWithLoss(),
      { layerTypes: [row] },
    );
    expect(net.describe().layers[1]!.type).toBe("LoudRelu");
    expect(decodeNet(encodeNet(net), { layerTypes: [row] }).net.layers.get("LoudRelu1")).toBeInstanceOf(LoudRelu);
  });

  it("a file's config for your layer goes through the row's own check; the error names the file and the layer", () => {
    const { tensors, metadata } = decodeSafetensors(encodeNet(ownNet("float64")));
    const arch = JSON.parse(metadata.architecture!);
    arch.layers[2].config = { factor: -2 };
    const bytes = encodeSafetensors(tensors, { ...metadata, architecture: JSON.stringify(arch) });
    expect(() => decodeNet(bytes, { layerTypes: rows, name: "m.st" })).toThrow(
      'decodeNet: m.st: metadata architecture: layer Scale1 (your row Scale) could not be built from its config {"factor":-2}: factor must be a number > 0, got -2',
    );
  });

  it("a row's config that a file cannot hold is refused when saving, not when loading", () => {
    const net = ownNet("float64");
    (net.layers.get("Scale1") as Scale).factor = Number.NaN;
    expect(() => encodeNet(net)).toThrow(
      "describe: Scale.config(Scale1) returned factor = null; a setting is a finite number, a string or a boolean",
    );
  });

  it("a row whose build returns another class is refused", () => {
    const liar = { ...tanhRow, build: () => new Scale(1) } as unknown as LayerType;
    expect(() => decodeNet(encodeNet(ownNet("float64")), { layerTypes: [liar, scaleRow, shiftRow] })).toThrow(
      "layer Tanh1: row Tanh.build returned a Scale, expected a Tanh",
    );
  });

  it("a row does not weaken the file checks: a MultiLayerNet whose Relu became Tanh is still refused", () => {
    const { tensors, metadata } = decodeSafetensors(encodeNet(new MultiLayerNet(4, [5], 3)));
    const arch = JSON.parse(metadata.architecture!);
    arch.layers[1] = { name: "Tanh1", type: "Tanh" };
    const bytes = encodeSafetensors(tensors, { ...metadata, architecture: JSON.stringify(arch) });
    expect(() => decodeNet(bytes, { layerTypes: [tanhRow], name: "m.st" })).toThrow(
      'decodeNet: m.st: metadata architecture: kind MultiLayerNet with this config has layers[1] = {"name":"Activation_function1","type":"Relu"}, but the layer list has {"name":"Tanh1","type":"Tanh"}',
    );
  });

  it("layerTypes must be an array of rows", () => {
    expect(() => decodeNet(encodeNet(ownNet("float64")), { layerTypes: tanhRow as never })).toThrow(
      "decodeNet: options.layerTypes must be an array of layer-table rows",
    );
    expect(() => new LayerNet([["Relu1", new Relu()]], new SoftmaxWithLoss(), { layerTypes: [null as never] })).toThrow(
      "LayerNet: options.layerTypes[0] must be a layer-table row { type, layerClass, config, build }, got null",
    );
  });
});
