import { ValueError, cpu, type Backend, type FloatDType, checkOptions } from "@bp/tensor";
import type { LayerNet } from "./LayerNet.js";
import { MultiLayerNet, type MultiLayerNetOptions } from "./MultiLayerNet.js";
import { MultiLayerNetExtend, type MultiLayerNetExtendOptions } from "./MultiLayerNetExtend.js";
import type { NetDescription, NetKind } from "./Net.js";
import { type NetSpec, specDescription } from "./netSpec.js";
import { SimpleConvNet, type SimpleConvNetOptions } from "./SimpleConvNet.js";
import { TwoLayerNet, type TwoLayerNetOptions } from "./TwoLayerNet.js";

type Placement = { dtype: FloatDType; backend: Backend };
type Config = Readonly<Record<string, unknown>>;

const sizes = (c: Config, key: string): number[] => {
  const v = c[key];
  if (!Array.isArray(v)) throw new ValueError("createNet", `config.${key} must be an array, got ${JSON.stringify(v)}`);
  return v as number[];
};

/** How each constructor is called with the `config` it records in `describe()` (one row each). */
const NET_KINDS: Readonly<Record<Exclude<NetKind, "LayerNet">, (c: Config, p: Placement) => LayerNet>> = {
  TwoLayerNet: (c, p) =>
    new TwoLayerNet(c.inputSize as number, c.hiddenSize as number, c.outputSize as number, {
      ...(c as TwoLayerNetOptions),
      ...p,
    }),
  MultiLayerNet: (c, p) =>
    new MultiLayerNet(c.inputSize as number, sizes(c, "hiddenSizeList"), c.outputSize as number, {
      ...(c as MultiLayerNetOptions),
      ...p,
    }),
  MultiLayerNetExtend: (c, p) =>
    new MultiLayerNetExtend(c.inputSize as number, sizes(c, "hiddenSizeList"), c.outputSize as number, {
      ...(c as MultiLayerNetExtendOptions),
      ...p,
    }),
  SimpleConvNet: (c, p) => new SimpleConvNet({ ...(c as SimpleConvNetOptions), ...p }),
};

type Description = Pick<NetDescription, "kind" | "config"> & { dtype?: FloatDType };

/**
 * The one way both apps build a net. From a `NetSpec` (`{ net: "multi-extend", hidden: [100, 100],
 * batchnorm: true, inputSize: 784, outputSize: 10, seed: 0 }`, names and defaults in `NETS`): the
 * net it names with the book's defaults for what it leaves out. From a description's `kind` and
 * `config`, the constructor arguments every net records in `describe()`: a fresh net (initial
 * weights drawn again from the recorded seed), so `createNet(net.describe())` is the net as it was
 * before training. dtype comes from the spec or description (default float64). A `LayerNet` built
 * from a layer list records no constructor and cannot be created this way.
 */
export function createNet(spec: NetSpec | Description, options: { backend?: Backend } = {}): LayerNet {
  checkOptions("createNet", options, "options");
  if (typeof spec === "object" && spec !== null && "net" in spec) {
    return createNet({ ...specDescription(spec), dtype: spec.dtype ?? "float64" }, options);
  }
  const description = spec as Description;
  if (typeof description !== "object" || description === null || typeof description.config !== "object")
    throw new ValueError(
      "createNet",
      `description must be a net description with kind and config (net.describe()), got ${String(description)}`,
    );
  const { kind } = description;
  if (!Object.hasOwn(NET_KINDS, kind))
    throw new ValueError(
      "createNet",
      `cannot create a ${JSON.stringify(kind)} from its config; kinds: ${Object.keys(NET_KINDS).join(", ")}`,
    );
  const build = NET_KINDS[kind as keyof typeof NET_KINDS];
  return build(description.config, { dtype: description.dtype ?? "float64", backend: options.backend ?? cpu });
}
