// Save/load of any net: safetensors bytes with the architecture in __metadata__, rebuilt through the
// layer table; running statistics included; files of the older "bp.TwoLayerNet" format still load.
import { describe, expect, it } from "vitest";
import { decodeSafetensors, encodeSafetensors } from "@bp/data";
import { CpuBackend, Rng, ValueError, randn, tensor, type Tensor } from "@bp/tensor";
import {
  LayerNet,
  MultiLayerNet,
  MultiLayerNetExtend,
  NET_FORMAT,
  TwoLayerNet,
  decodeNet,
  encodeNet,
  type Net,
} from "@bp/nets";

const rng = new Rng(31);
const x = randn([6, 5], { rng });
const t = tensor(Array.from(rng.choice(3, 6)), { dtype: "int32" });
const values = (v: Tensor): number[] => Array.from(v.data);

/**
 * The bytes `bp train --save` wrote before bp.net/1 (apps/cli/src/model.ts `saveModel` at commit
 * a3303f9, run once on `new TwoLayerNet(3, 4, 2, { seed: 0, weightInitStd: 0.5 })` with
 * `{ data: "csv", scale: 255 }`): header `{"__metadata__":{"format":"bp.TwoLayerNet","data":"csv",
 * "scale":"255"},"W1":{"dtype":"F64","shape":[3,4],...},"W2":...,"b1":...,"b2":...}`.
 */
const LEGACY_FILE =
  "MAEAAAAAAAB7Il9fbWV0YWRhdGFfXyI6eyJmb3JtYXQiOiJicC5Ud29MYXllck5ldCIsImRhdGEiOiJjc3YiLCJzY2FsZSI6IjI1NSJ9LCJXMSI6eyJkdHlwZSI6IkY2NCIsInNoYXBlIjpbMyw0XSwiZGF0YV9vZmZzZXRzIjpbMCw5Nl19LCJXMiI6eyJkdHlwZSI6IkY2NCIsInNoYXBlIjpbNCwyXSwiZGF0YV9vZmZzZXRzIjpbOTYsMTYwXX0sImIxIjp7ImR0eXBlIjoiRjY0Iiwic2hhcGUiOls0XSwiZGF0YV9vZmZzZXRzIjpbMTYwLDE5Ml19LCJiMiI6eyJkdHlwZSI6IkY2NCIsInNoYXBlIjpbMl0sImRhdGFfb2Zmc2V0cyI6WzE5MiwyMDhdfX0gOI8ryldEzz+D3Lu1hKWTP+XvTSLdsfQ/uCRq2UyXyT8EMap52nDeP+KBlTOzp8G/1LvdYC2vv78Q1o0m72vkvzxxqEBhLdq/oZC0++7U37/trcjiTCPfP4neTsmwJtK/c1TeuZz/t7+3Z28DneHoP9VqzMc7ZaQ/vC2f72fUj78OEjGFHgHbPxr+pp2vWdE/VZcbAL4wsL/ak35fElDYPwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==";

function roundTrip(net: Net): Net {
  const xx = x.cast(net.dtype);
  const bytes = encodeNet(net, { data: "mnist" });
  const { net: loaded, metadata, description } = decodeNet(bytes);
  expect(metadata).toEqual({ data: "mnist" });
  expect(description).toEqual(net.describe());
  expect(loaded.describe()).toEqual(net.describe());
  for (const [k, p] of Object.entries<Tensor>(net.params)) expect(values(loaded.params[k]!), k).toEqual(values(p));
  for (const [k, s] of Object.entries<Tensor>(net.state)) expect(values(loaded.state[k]!), k).toEqual(values(s));
  expect(values(loaded.predict(xx))).toEqual(values(net.predict(xx)));
  expect(loaded.loss(xx, t)).toBe(net.loss(xx, t));
  return loaded;
}

describe("encodeNet / decodeNet", () => {
  it("loads a file written by the old `bp train --save` (bp.TwoLayerNet: W1 b1 W2 b2)", () => {
    const bytes = Uint8Array.from(Buffer.from(LEGACY_FILE, "base64"));
    expect(bytes.length).toBe(520);
    const { net, metadata, description } = decodeNet(bytes, { name: "old.safetensors" });
    expect(net).toBeInstanceOf(TwoLayerNet);
    expect(metadata).toEqual({ data: "csv", scale: "255" });
    expect(description.kind).toBe("TwoLayerNet");
    // the first row of W1 as the old code drew it (seed 0, std 0.5)
    expect(values(net.params.W1!).slice(0, 4)).toEqual([
      0.24427316066350513, 0.01918609008040707, 1.2934237804429298, 0.19992981544445398,
    ]);
    const fresh = new TwoLayerNet(3, 4, 2, { seed: 0, weightInitStd: 0.5 });
    const x3 = randn([2, 3], { seed: 1 });
    expect(values(net.predict(x3))).toEqual(values(fresh.predict(x3)));
  });

  it("round-trips TwoLayerNet as a TwoLayerNet", () => {
    const net = new TwoLayerNet(5, 4, 3, { seed: 2, weightInitStd: 0.3 });
    expect(roundTrip(net)).toBeInstanceOf(TwoLayerNet);
  });

  it("round-trips MultiLayerNet (sigmoid, weight decay) and MultiLayerNetExtend with running statistics", () => {
    roundTrip(new MultiLayerNet(5, [4, 4], 3, { activation: "sigmoid", weightDecayLambda: 0.1, seed: 3 }));
    const ext = new MultiLayerNetExtend(5, [4, 4], 3, { useBatchnorm: true, useDropout: true, seed: 4 });
    for (let i = 0; i < 3; i++) ext.gradient(x, t); // running statistics away from their start
    const loaded = roundTrip(ext);
    expect(loaded).toBeInstanceOf(LayerNet);
    expect(Object.keys(loaded.state)).toEqual(["runningMean1", "runningVar1", "runningMean2", "runningVar2"]);
  });

  it("round-trips float32 and loads onto another backend", () => {
    const net = new MultiLayerNetExtend(5, [4], 3, { useBatchnorm: true, dtype: "float32", seed: 5 });
    roundTrip(net);
    const backend = new CpuBackend();
    const { net: moved } = decodeNet(encodeNet(net), { backend });
    expect(moved.backend).toBe(backend);
    expect(moved.dtype).toBe("float32");
  });

  it("writes the format name, the architecture as JSON and every tensor by its net name", () => {
    const net = new MultiLayerNetExtend(5, [4], 3, { useBatchnorm: true });
    const { tensors, metadata } = decodeSafetensors(encodeNet(net, { data: "csv" }));
    expect(NET_FORMAT).toBe("bp.net/1");
    expect(metadata.format).toBe("bp.net/1");
    expect(JSON.parse(metadata.architecture!)).toEqual(net.describe());
    expect(Object.keys(tensors).sort()).toEqual(
      ["W1", "b1", "gamma1", "beta1", "runningMean1", "runningVar1", "W2", "b2"].sort(),
    );
  });

  it("says what is wrong with a file", () => {
    const net = new MultiLayerNet(5, [4], 3);
    expect(() => encodeNet(net, { format: "x" })).toThrow('encodeNet: metadata key "format" is reserved');
    const { tensors, metadata } = decodeSafetensors(encodeNet(net));
    const bad = (t: Record<string, Tensor>, m: Record<string, string>): Uint8Array => encodeSafetensors(t, m);
    expect(() => decodeNet(bad(tensors, { ...metadata, format: "bp.net/9" }), { name: "m.st" })).toThrow(
      'decodeNet: m.st: metadata format is "bp.net/9", expected "bp.net/1" or "bp.TwoLayerNet"',
    );
    const arch = JSON.parse(metadata.architecture!);
    arch.layers[1].type = "Tanh";
    expect(() => decodeNet(bad(tensors, { ...metadata, architecture: JSON.stringify(arch) }))).toThrow(
      'unknown layer type "Tanh"; supported: Affine, Relu, Sigmoid, BatchNormalization, Dropout',
    );
    const { W2: _dropped, ...withoutW2 } = tensors;
    expect(() => decodeNet(bad(withoutW2, metadata))).toThrow(
      "layer Affine2 needs tensor 'W2' (its W), which is missing",
    );
    expect(() => decodeNet(bad({ ...tensors, extra: tensors.b1! }, metadata))).toThrow(
      "tensor extra belongs to no layer of the architecture",
    );
    const nan = tensors.b1!.clone();
    nan.data[1] = Number.NaN;
    expect(() => decodeNet(bad({ ...tensors, b1: nan }, metadata))).toThrow(ValueError);
    expect(() => decodeNet(bad({ ...tensors, b1: nan }, metadata))).toThrow("b1 holds NaN at flat index 1");
    expect(() => decodeNet(bad(tensors, { ...metadata, architecture: "{" }))).toThrow("architecture is not valid JSON");
    for (const [architecture, message] of [
      ["[]", "metadata architecture: expected a JSON object"],
      [JSON.stringify({ ...arch, layers: [] }), "layers must be a non-empty array"],
      [JSON.stringify({ ...arch, layers: [{ name: "A", type: 3 }] }), "layers[0] must have a string name and type"],
      [JSON.stringify({ ...arch, layers: [{ name: "A", type: "Affine", params: "W1" }] }), "layers[0].params must map"],
      [JSON.stringify({ ...arch, dtype: "int32" }), 'dtype must be "float64" or "float32"'],
    ] as const)
      expect(() => decodeNet(bad(tensors, { ...metadata, architecture }))).toThrow(message);
    const wrongShape = JSON.parse(metadata.architecture!);
    wrongShape.paramShapes.W1 = [4, 5];
    expect(() => decodeNet(bad(tensors, { ...metadata, architecture: JSON.stringify(wrongShape) }))).toThrow(
      "tensor W1 has shape [5, 4] but the architecture says [4, 5]",
    );
  });

  it("keeps its messages short for a hostile file: 5 names, then how many more; long values cut", () => {
    const net = new MultiLayerNet(5, [4], 3);
    const { tensors, metadata } = decodeSafetensors(encodeNet(net));
    const long = "x".repeat(5000);
    const extra: Record<string, Tensor> = {};
    for (let i = 0; i < 1000; i++) extra[`${long.slice(0, 100)}${i}`] = tensors.b1!;
    const messageOf = (bytes: Uint8Array): string => {
      try {
        decodeNet(bytes, { name: "evil.safetensors" });
      } catch (e) {
        expect(e).toBeInstanceOf(ValueError);
        return (e as Error).message;
      }
      throw new Error("decodeNet accepted the file");
    };
    // each name cut to 60 characters and "...", five of them, then the count of the rest
    const cut = `${"x".repeat(60)}...`;
    const m1 = messageOf(encodeSafetensors({ ...tensors, ...extra }, metadata));
    expect(m1).toBe(
      `decodeNet: evil.safetensors: tensors ${[cut, cut, cut, cut, cut].join(", ")} and 995 more belong to no layer of the architecture`,
    );
    const legacy = { W1: tensors.W1!, b1: tensors.b1!, W2: tensors.W2!, b2: tensors.b2!, ...extra };
    const m2 = messageOf(encodeSafetensors(legacy, { format: "bp.TwoLayerNet" }));
    expect(m2).toBe(
      `decodeNet: evil.safetensors: unexpected tensors ${[cut, cut, cut, cut, cut].join(", ")} and 995 more (a bp.TwoLayerNet file holds W1, b1, W2, b2)`,
    );
    const m3 = messageOf(encodeSafetensors(tensors, { ...metadata, format: long }));
    expect(m3).toBe(
      `decodeNet: evil.safetensors: metadata format is "${"x".repeat(59)}..., expected "bp.net/1" or "bp.TwoLayerNet"`,
    );
    for (const m of [m1, m2, m3]) expect(m.length).toBeLessThan(500);
  });
});
