import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tensor } from "@bp/tensor";
import { decodeSafetensors, encodeSafetensors, loadSafetensors, saveSafetensors } from "@bp/data";
import { errorOf } from "./expectDataError.js";

const dir = mkdtempSync(join(tmpdir(), "bp-st-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A file from a header object (serialized as is) and data bytes, per the format. */
function build(header: unknown, data: number[] = [], headerLength?: number): Uint8Array {
  const json = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLength ?? json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe("safetensors", () => {
  it("writes the format byte for byte", () => {
    const bytes = encodeSafetensors({ b: tensor(Int32Array.from([1, -1])), a: tensor([0.5]) }, { format: "bp" });
    // The F64 tensor comes first (largest element size), then the I32 one.
    const json =
      '{"__metadata__":{"format":"bp"},' +
      '"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},' +
      '"b":{"dtype":"I32","shape":[2],"data_offsets":[8,16]}}';
    expect(json.length).toBe(139);
    // 139 header bytes are padded with 5 spaces to 144, a multiple of 8.
    expect([...bytes.subarray(0, 8)]).toEqual([144, 0, 0, 0, 0, 0, 0, 0]);
    expect(new TextDecoder().decode(bytes.subarray(8, 152))).toBe(`${json}     `);
    // 0.5 as little-endian float64 is 00 00 00 00 00 00 e0 3f; int32 1 and -1 little-endian.
    expect([...bytes.subarray(152)]).toEqual([0, 0, 0, 0, 0, 0, 0xe0, 0x3f, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
    expect(bytes.length).toBe(168);
  });

  it("round-trips every dtype, shapes including scalars and empty tensors, and metadata", () => {
    const tensors = {
      W1: tensor([
        [1.5, -2.25, Math.PI],
        [1e-300, -0, 7],
      ]),
      b1: tensor([0.1, 0.2, 0.3], { dtype: "float32" }),
      idx: tensor(Int32Array.from([-2147483648, 0, 2147483647])),
      s: tensor(42),
      empty: tensor(new Float64Array(0), { shape: [0, 3] }),
    };
    const back = decodeSafetensors(encodeSafetensors(tensors, { epochs: "2", note: "ünïcode" }));
    expect(back.metadata).toEqual({ epochs: "2", note: "ünïcode" });
    expect(Object.keys(back.tensors).sort()).toEqual(["W1", "b1", "empty", "idx", "s"]);
    for (const [name, t] of Object.entries(tensors)) {
      const u = back.tensors[name]!;
      expect(u.dtype).toBe(t.dtype);
      expect(u.shape).toEqual(t.shape);
      expect([...u.data]).toEqual([...t.data]);
    }
    expect(Object.is(back.tensors.W1!.get(1, 1), -0)).toBe(true);
  });

  it("saves through a temp file and a rename, and loads from disk", () => {
    const path = join(dir, "model.safetensors");
    saveSafetensors(path, { W: tensor([[1, 2]]) }, { hidden: "50" });
    saveSafetensors(path, { W: tensor([[3, 4]]) }, { hidden: "50" });
    expect(readdirSync(dir)).toEqual(["model.safetensors"]);
    const back = loadSafetensors(path);
    expect(back.tensors.W!.toArray()).toEqual([[3, 4]]);
    expect(back.metadata).toEqual({ hidden: "50" });
    expect(readFileSync(path).length % 8).toBe(0);
  });

  it("reports a folder that does not exist and leaves no temp file", () => {
    const path = join(dir, "no", "m.safetensors");
    expect(errorOf(() => saveSafetensors(path, { W: tensor([1]) })).message).toBe(
      `saveSafetensors: ${path}: the folder does not exist`,
    );
    expect(errorOf(() => loadSafetensors(path)).message).toBe(`loadSafetensors: ${path}: file not found`);
  });

  const f64 = [0, 0, 0, 0, 0, 0, 0xe0, 0x3f];
  const entry = (begin: number, end: number, extra: object = {}) => ({
    dtype: "F64",
    shape: [1],
    data_offsets: [begin, end],
    ...extra,
  });
  const cases: [string, Uint8Array, string][] = [
    ["a file shorter than 8 bytes", new Uint8Array(5), "file is 5 bytes long, too short for the 8-byte header length"],
    [
      "a header length over the limit",
      (() => {
        const b = build({});
        new DataView(b.buffer).setUint32(4, 1, true);
        return b;
      })(),
      "byte 0: header length 4294967298 exceeds the limit of 100000000 bytes",
    ],
    [
      "a header length past the end",
      build({}, [], 99),
      "byte 0: header length 99 runs past the end of the 10-byte file",
    ],
    ["a header that is not an object", build("[1]"), 'byte 8: the JSON header must start with "{"'],
    ["invalid JSON", build('{"a":'), "byte 8: the header is not valid JSON"],
    [
      "invalid UTF-8",
      build(`${String.fromCharCode(123)}\u0000`, []).map((v, i) => (i === 9 ? 0xff : v)),
      "byte 8: the header is not valid UTF-8",
    ],
    [
      "non-string metadata",
      build({ __metadata__: { epochs: 2 } }),
      '"__metadata__" value of "epochs" is 2, expected a string',
    ],
    [
      "an unsupported dtype",
      build({ w: { dtype: "BF16", shape: [1], data_offsets: [0, 2] } }, [0, 0]),
      'tensor "w": dtype "BF16" is not supported (expected "F64", "F32" or "I32")',
    ],
    [
      "a negative dimension",
      build({ w: { dtype: "F64", shape: [-1], data_offsets: [0, 8] } }, f64),
      'tensor "w": shape [-1] must be an array of non-negative integers',
    ],
    [
      "bad data_offsets",
      build({ w: { dtype: "F64", shape: [1], data_offsets: [0] } }, f64),
      'tensor "w": data_offsets [0] must be [begin, end]',
    ],
    [
      "offsets that end before they begin",
      build({ w: entry(8, 0) }, f64),
      'tensor "w": data_offsets [8, 0] end before they begin',
    ],
    [
      "offsets past the data",
      build({ w: entry(0, 16, { shape: [2] }) }, f64),
      'tensor "w": data_offsets [0, 16] run past the 8 bytes of data',
    ],
    [
      "a shape that does not match the bytes",
      build({ w: entry(0, 8, { shape: [2] }) }, f64),
      'tensor "w": shape [2] of F64 needs 16 bytes but data_offsets [0, 8] hold 8',
    ],
    [
      "overlapping tensors",
      build({ w: entry(0, 8), v: entry(0, 8) }, f64),
      "data_offsets [0, 8] overlap the tensor before it (which ends at 8)",
    ],
    [
      "a gap",
      build({ w: entry(8, 16) }, [...f64, ...f64]),
      'tensor "w": data_offsets start at 8 but the previous tensor ends at 0',
    ],
    [
      "trailing bytes",
      build({ w: entry(0, 8) }, [...f64, 1]),
      "the tensors cover 8 bytes of data but the file holds 9",
    ],
    ["an unknown field", build({ w: entry(0, 8, { scale: 2 }) }, f64), 'tensor "w": unknown field "scale"'],
  ];
  for (const [what, bytes, message] of cases) {
    it(`rejects ${what}`, () => {
      const path = join(dir, "bad.safetensors");
      writeFileSync(path, bytes);
      const e = errorOf(() => loadSafetensors(path));
      expect(e.message).toContain(`decodeSafetensors: ${path}`);
      expect(e.message).toContain(message);
    });
  }

  it("accepts a hand-built file with a padded header and reads little-endian values", () => {
    const header = '{"w":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}';
    const bytes = build(header + " ".repeat(8 - (header.length % 8)), f64);
    expect(decodeSafetensors(bytes).tensors.w!.item()).toBe(0.5);
  });
});
