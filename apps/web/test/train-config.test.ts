// The Train view's URL state (src/train-config.ts): the nets by the names `bp train --net` takes,
// and what links written before those names open.
import { describe, expect, test } from "vitest";
import { createNet, netTitle } from "@bp/nets";
import type { Backends } from "../src/backends.js";
import { netSpecOf } from "../src/net-factory.js";
import { DEFAULT_CONFIG, configFromParams, configToParams } from "../src/train-config.js";

const backends: Backends = {
  choices: [],
  preferred: "cpu",
  isAvailable: (name: string): name is "cpu" => name === "cpu",
};
const open = (query: string) => configFromParams(new URLSearchParams(query), backends);

describe("?net= in the Train view's links", () => {
  test("takes the CLI's names with the CLI's meaning, and writes them", () => {
    expect(open("").net).toBe("two-layer");
    expect(open("net=multi&hidden=20,20").net).toBe("multi");
    expect(open("net=multi-extend&hidden=20,20&batchnorm=1").net).toBe("multi-extend");
    expect(open("net=simple-conv&hidden=100").net).toBe("simple-conv");
    expect(
      configToParams({ ...DEFAULT_CONFIG, backend: "cpu", net: "multi", hidden: [20, 20] }, backends),
    ).toMatchObject({
      net: "multi",
      hidden: "20,20",
    });
  });

  test("opens earlier links: two and conv by their new names, multi with BatchNorm or Dropout as multi-extend", () => {
    expect(open("net=two").net).toBe("two-layer");
    expect(open("net=conv").net).toBe("simple-conv");
    // Earlier multi meant MultiLayerNetExtend; with BatchNorm or Dropout only multi-extend has them.
    const bn = open("net=multi&hidden=100,100&batchnorm=1&dropout=0.2");
    expect([bn.net, bn.batchnorm, bn.dropout]).toEqual(["multi-extend", true, 0.2]);
    expect(netTitle(netSpecOf(bn))).toBe(
      "MultiLayerNetExtend 784-100-100-10 (ReLU, std 0.01 init, BatchNorm, Dropout 0.2)",
    );
    // Without them it opens MultiLayerNet, which starts from the very weights the Extend net had.
    const plain = open("net=multi&hidden=8,8&init=he&seed=3");
    expect(plain.net).toBe("multi");
    const now = createNet(netSpecOf(plain));
    const before = createNet({ ...netSpecOf(plain), net: "multi-extend" });
    for (const k of ["W1", "W2", "W3"])
      expect(Array.from(now.params[k]!.data)).toEqual(Array.from(before.params[k]!.data));
  });

  test("settings a net does not take are dropped, and fields that do not fit the net fall back to the defaults", () => {
    const two = open("net=two-layer&dropout=0.5&weightDecay=0.1");
    expect([two.net, two.dropout, two.weightDecay]).toEqual(["two-layer", 0, 0]);
    expect(netTitle(netSpecOf(two))).toBe("TwoLayerNet 784-50-10");
    // A link whose fields do not fit together falls back to the defaults of the wrong fields.
    const wrong = open("net=two-layer&hidden=30,30");
    expect([wrong.net, wrong.hidden]).toEqual(["two-layer", [50]]);
  });
});
