// Options objects given as null (a parameter default does not apply to null) are a ValueError
// naming the function, never a TypeError from reading a property of null.
import { ValueError } from "@bp/tensor";
import { describe, expect, it } from "vitest";
import { decodeSafetensors, encodeSafetensors, loadMnist, loadMnistTest, parseCsv, readIdxFile } from "@bp/data";

describe("options given as null", () => {
  it.each([
    ["parseCsv", () => parseCsv("label,a\n1,2\n", null as never), "options"],
    ["loadMnist", () => loadMnist(null as never), "options"],
    ["loadMnistTest", () => loadMnistTest(null as never), "options"],
    ["readIdxFile", () => readIdxFile("missing.idx", null as never), "options"],
    ["encodeSafetensors", () => encodeSafetensors({}, null as never), "metadata"],
    ["decodeSafetensors", () => decodeSafetensors(new Uint8Array(8), null as never), "options"],
  ] as [string, () => unknown, string][])("%s", (op, fn, name) => {
    expect(fn).toThrow(ValueError);
    expect(fn).toThrow(`${op}: ${name} must be an object (or left out), got null`);
  });
});
