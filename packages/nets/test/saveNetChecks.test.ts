// decodeNet believes a file only after checking it (issue 20): the kind must agree with the layer
// list, running variances are never negative, the layer count is bounded, names are unique, and
// the arguments themselves are checked.
import { describe, expect, it } from "vitest";
import { decodeSafetensors, encodeSafetensors } from "@bp/data";
import { ValueError, cpu, type Tensor } from "@bp/tensor";
import { MAX_LAYERS } from "../src/saveNet.js";
import {
  MultiLayerNetExtend,
  SimpleConvNet,
  Trainer,
  TwoLayerNet,
  decodeNet,
  encodeNet,
  type Net,
  type NetDescription,
} from "@bp/nets";

/** A saved `net` with its architecture JSON, tensors and metadata edited by `edit`. */
function tampered(
  net: Net,
  edit: (a: NetDescription, t: Record<string, Tensor>, m: Record<string, string>) => void,
): Uint8Array {
  const { tensors, metadata } = decodeSafetensors(encodeNet(net));
  const a = JSON.parse(metadata.architecture!) as NetDescription;
  edit(a, tensors, metadata);
  return encodeSafetensors(tensors, { ...metadata, architecture: JSON.stringify(a) });
}

const extend = () => new MultiLayerNetExtend(4, [3, 3], 2, { useBatchnorm: true });

describe("decodeNet checks a file before believing it", () => {
  it("refuses a kind that disagrees with the layer list (TwoLayerNet over MultiLayerNetExtend layers)", () => {
    const bytes = tampered(extend(), (a) => {
      a.kind = "TwoLayerNet";
      a.config = { inputSize: 4, hiddenSize: 3, outputSize: 2 };
    });
    expect(() => decodeNet(bytes)).toThrow(
      /kind TwoLayerNet with this config has layers\[1\] = \{"name":"Relu1","type":"Relu"\}, but the layer list has \{"name":"BatchNorm1"/,
    );
  });

  it("refuses extra layers after a TwoLayerNet's three", () => {
    const bytes = tampered(new TwoLayerNet(4, 3, 2), (a) => {
      a.layers.push({ name: "Relu9", type: "Relu" });
    });
    expect(() => decodeNet(bytes)).toThrow(
      /kind TwoLayerNet with this config has 3 layers, but the layer list has .*Relu9/,
    );
  });

  it("refuses a SimpleConvNet config whose geometry is not the stored one (inputDim [4, 14, 14])", () => {
    const net = new SimpleConvNet({ inputDim: [1, 12, 12], convParam: { filterNum: 2, filterSize: 3 }, hiddenSize: 4 });
    const bytes = tampered(net, (a) => {
      a.config.inputDim = [4, 14, 14];
    });
    expect(() => decodeNet(bytes)).toThrow(/W1 of shape \[2, 4, 3, 3\], but paramShapes says \[2,1,3,3\]|layers\[/);
  });

  it("refuses a config no constructor accepts (hiddenSize 200000 over 3 stored units)", () => {
    const bytes = tampered(new TwoLayerNet(4, 3, 2), (a) => {
      a.config.hiddenSize = 200000;
    });
    expect(() => decodeNet(bytes)).toThrow(/W1 of shape \[4, 200000\], but paramShapes says \[4,3\]/);
  });

  it("refuses a negative BatchNorm running variance, naming the tensor and index", () => {
    const bytes = tampered(extend(), (_, t) => {
      t.runningVar1!.data[1] = -5;
    });
    expect(() => decodeNet(bytes)).toThrow(
      /runningVar1 holds -5 at flat index 1; a running variance is never negative/,
    );
  });

  it(`refuses more than ${MAX_LAYERS} layers`, () => {
    const bytes = tampered(
      // A LayerNet (no constructor config): only the layer count stops it.
      new TwoLayerNet(4, 3, 2),
      (a) => {
        a.kind = "LayerNet";
        a.config = {};
        for (let i = 0; i < 20_000; i++) a.layers.splice(2, 0, { name: `R${i}`, type: "Relu" });
      },
    );
    expect(() => decodeNet(bytes)).toThrow(`layers lists 20003 layers, more than the limit of ${MAX_LAYERS}`);
  });

  it("refuses duplicate layer names, naming the duplicate", () => {
    const bytes = tampered(extend(), (a) => {
      a.kind = "LayerNet";
      a.layers[3]!.name = "Affine1";
    });
    expect(() => decodeNet(bytes)).toThrow('layers[3] is named "Affine1" like an earlier layer');
  });

  it("refuses two layers naming one tensor", () => {
    const bytes = tampered(new TwoLayerNet(3, 3, 3), (a) => {
      a.kind = "LayerNet";
      a.layers[2]!.params = { W: "W1", b: "b1" };
    });
    expect(() => decodeNet(bytes)).toThrow(/both name the tensor "W1"/);
  });

  it("refuses a layer list whose shapes do not chain (a LayerNet)", () => {
    const bytes = tampered(new TwoLayerNet(4, 3, 2), (a) => {
      a.kind = "LayerNet";
      a.layers.splice(1, 0, { name: "Pool1", type: "Pooling", config: { poolH: 2, poolW: 2, stride: 2, pad: 0 } });
    });
    expect(() => decodeNet(bytes)).toThrow(/layer Pool1 \(2x2 pooling, stride 2, pad 0\) does not fit its input \[3\]/);
  });

  it("refuses a negative or infinite weight decay", () => {
    const bytes = tampered(new TwoLayerNet(4, 3, 2), (a) => {
      a.weightDecayLambda = -1;
    });
    expect(() => decodeNet(bytes)).toThrow("weightDecayLambda must be a finite number >= 0, got -1");
  });

  it("still loads every net it saves, with keys in any order", () => {
    const bytes = tampered(extend(), (a) => {
      a.layers = a.layers.map((l) => Object.fromEntries(Object.entries(l).reverse()) as typeof l);
    });
    expect(decodeNet(bytes).description.kind).toBe("MultiLayerNetExtend");
  });
});

describe("decodeNet's arguments", () => {
  const bytes = encodeNet(new TwoLayerNet(2, 2, 2));
  const cases: [string, () => unknown, string][] = [
    [
      "a string",
      () => decodeNet("a string" as never),
      'bytes must be a Uint8Array (a file\'s contents), got string "a string"',
    ],
    ["null", () => decodeNet(null as never), "bytes must be a Uint8Array (a file's contents), got null"],
    [
      'backend: "cpu"',
      () => decodeNet(bytes, { backend: "cpu" as never }),
      'options.backend must be a Backend object (cpu, or one made by createWasmBackend/createWorkerBackend), got string "cpu"',
    ],
    [
      "an unknown option",
      () => decodeNet(bytes, { backnd: cpu } as never),
      "unknown option backnd (did you mean backend?)",
    ],
    ["a name that is not a string", () => decodeNet(bytes, { name: 3 } as never), "options.name must be a string"],
  ];
  for (const [name, fn, message] of cases) {
    it(`${name}: a ValueError naming the argument`, () => {
      expect(fn).toThrow(ValueError);
      expect(fn).toThrow(`decodeNet: ${message}`);
    });
  }
});

describe("Trainer's options", () => {
  const net = new TwoLayerNet(2, 2, 2);
  const data = {
    xTrain: decodeNet(encodeNet(net)).net.params.W1!,
    tTrain: decodeNet(encodeNet(net)).net.params.b1!,
    xTest: net.params.W1!,
    tTest: net.params.b1!,
  };
  it("refuses { epoch: 3 }, naming the option it probably meant", () => {
    expect(() => new Trainer(net, data, { epoch: 3 } as never)).toThrow(
      "Trainer: unknown option epoch (did you mean epochs?); expected one of epochs, miniBatchSize",
    );
  });
  it("refuses a key that looks like no option, listing the options", () => {
    expect(() => new Trainer(net, data, { verbose: true } as never)).toThrow(/unknown option verbose; expected one of/);
  });
  it('refuses sampling: "foo"', () => {
    expect(() => new Trainer(net, data, { sampling: "foo" as never })).toThrow(
      'Trainer: sampling must be "choice" or "epoch", got string "foo"',
    );
  });
  it("refuses a listener that is not a function", () => {
    expect(() => new Trainer(net, data, { onEpoch: 3 as never })).toThrow("onEpoch must be a function, got number 3");
  });
});
