// Hostile safetensors headers (issue 13, defect 10): duplicate keys, names that are special to
// JavaScript objects, huge entry counts and header lengths that do not fit a double.
import { describe, expect, it } from "vitest";
import { tensor, type Tensor } from "@bp/tensor";
import { SAFETENSORS_MAX_TENSORS, decodeSafetensors, encodeSafetensors } from "@bp/data";
import { errorOf } from "./expectDataError.js";

/** A file from a header string and data bytes, per the format (8-byte little-endian length). */
function build(header: string, data: number[] = []): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

// 0.5 and 2 as little-endian float64.
const half = [0, 0, 0, 0, 0, 0, 0xe0, 0x3f];
const two = [0, 0, 0, 0, 0, 0, 0, 0x40];
/** Read and written through a variable: `x.__proto__` in code means the prototype accessor. */
const PROTO = "__proto__";
const w = (begin: number) => `{"dtype":"F64","shape":[1],"data_offsets":[${begin},${begin + 8}]}`;

describe("decodeSafetensors on hostile headers", () => {
  it("rejects a tensor name listed twice (JSON.parse alone would keep the last)", () => {
    const e = errorOf(() => decodeSafetensors(build(`{"w":${w(0)},"w":${w(8)}}`, [...half, ...two])));
    expect(e.message).toBe(
      'decodeSafetensors: <safetensors>, byte 8: the header lists the key "w" twice (the format forbids duplicate keys)',
    );
  });

  it("rejects duplicates inside __metadata__ and inside a tensor entry, also when spelled with escapes", () => {
    const meta = errorOf(() => decodeSafetensors(build('{"__metadata__":{"a":"1","\\u0061":"2"}}')));
    expect(meta.message).toContain('lists the key "a" twice');
    const field = errorOf(() =>
      decodeSafetensors(build('{"w":{"dtype":"F64","dtype":"F32","shape":[1],"data_offsets":[0,8]}}', half)),
    );
    expect(field.message).toContain('lists the key "dtype" twice');
    // A value ending in an escaped backslash, then an escaped quote inside a value: the key after
    // each is still seen.
    const tricky = errorOf(() => decodeSafetensors(build('{"__metadata__":{"a":"x\\\\","b":"\\"","a":"y"}}')));
    expect(tricky.message).toContain('lists the key "a" twice');
  });

  it("does not count equal keys in different objects, or key-like strings in values, as duplicates", () => {
    const header = `{"__metadata__":{"w":"x","note":"{\\"w\\":1, \\"w\\":2}"},"w":${w(0)},"v":${w(8)}}`;
    const back = decodeSafetensors(build(header, [...half, ...two]));
    expect(Object.keys(back.tensors)).toEqual(["w", "v"]);
    expect(back.metadata.note).toBe('{"w":1, "w":2}');
  });

  it("keeps a tensor and a metadata key named __proto__ as ordinary entries", () => {
    const header = `{"__metadata__":{"__proto__":"p","format":"bp"},"__proto__":${w(0)},"constructor":${w(8)}}`;
    const back = decodeSafetensors(build(header, [...half, ...two]));
    expect(Object.keys(back.tensors)).toEqual(["__proto__", "constructor"]);
    expect(Object.getPrototypeOf(back.tensors)).toBe(null);
    expect(back.tensors[PROTO]!.item()).toBe(0.5);
    expect(new Map(Object.entries(back.tensors)).get("constructor")!.item()).toBe(2);
    expect(Object.keys(back.metadata)).toEqual(["__proto__", "format"]);
    expect(back.metadata[PROTO]).toBe("p");
    // A name that is only inherited by plain objects is not a tensor.
    expect("toString" in back.tensors).toBe(false);
  });

  it("round-trips tensors and metadata named __proto__ through encodeSafetensors", () => {
    const tensors: Record<string, Tensor> = Object.create(null);
    tensors[PROTO] = tensor([1.5]);
    tensors.b = tensor([2.5]);
    const metadata: Record<string, string> = Object.create(null);
    metadata[PROTO] = "kept";
    const back = decodeSafetensors(encodeSafetensors(tensors, metadata));
    expect(Object.keys(back.tensors).sort()).toEqual(["__proto__", "b"]);
    expect(back.tensors[PROTO]!.item()).toBe(1.5);
    expect(back.metadata[PROTO]).toBe("kept");
  });

  it("refuses dtype names that only an object's prototype knows", () => {
    for (const name of ["constructor", "toString", "__proto__"]) {
      const e = errorOf(() =>
        decodeSafetensors(build(`{"w":{"dtype":"${name}","shape":[1],"data_offsets":[0,8]}}`, half)),
      );
      expect(e.message).toContain(`tensor "w": dtype "${name}" is not supported`);
    }
  });

  it("refuses more entries than the limit before parsing them, with a short message", () => {
    const entry = '"t":{"dtype":"F64","shape":[0],"data_offsets":[0,0]}';
    const many = `{${Array.from({ length: SAFETENSORS_MAX_TENSORS + 1 }, (_, i) => entry.replace("t", `t${i}`)).join(",")}}`;
    const e = errorOf(() => decodeSafetensors(build(many)));
    expect(e.message).toBe(
      `decodeSafetensors: <safetensors>, byte 8: the header lists more than ${SAFETENSORS_MAX_TENSORS} entries (the limit; pass maxTensors to raise it)`,
    );
    const three = `{"a":${w(0)},"b":${w(8)},"c":${w(16)}}`;
    const data = [...half, ...two, ...half];
    expect(Object.keys(decodeSafetensors(build(three, data), { maxTensors: 3 }).tensors)).toEqual(["a", "b", "c"]);
    expect(errorOf(() => decodeSafetensors(build(three, data), { maxTensors: 2 })).message).toContain(
      "lists more than 2 entries",
    );
  });

  it("prints header lengths above 2^53 exactly", () => {
    const bytes = build("{}");
    // 2^53 + 1 = 9007199254740993 is not a double; a Number would print 9007199254740992.
    new DataView(bytes.buffer).setBigUint64(0, 2n ** 53n + 1n, true);
    expect(errorOf(() => decodeSafetensors(bytes)).message).toContain("header length 9007199254740993 exceeds");
    new DataView(bytes.buffer).setBigUint64(0, 2n ** 64n - 1n, true);
    expect(errorOf(() => decodeSafetensors(bytes)).message).toContain("header length 18446744073709551615 exceeds");
  });

  it("cuts long names and values short in messages", () => {
    const name = "n".repeat(100_000);
    const e = errorOf(() => decodeSafetensors(build(`{"${name}":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]}}`)));
    expect(e.message).toContain(`tensor "${"n".repeat(59)}...: dtype "BF16" is not supported`);
    expect(e.message.length).toBeLessThan(200);
    const shape = errorOf(() =>
      decodeSafetensors(build(`{"w":{"dtype":"F64","shape":[${Array(50_000).fill(-1)}],"data_offsets":[0,8]}}`)),
    );
    expect(shape.message.length).toBeLessThan(200);
  });
});

describe("decodeSafetensors messages stay on one line (found by fuzzing)", () => {
  it("flattens a JSON error that quotes a line break of the header", () => {
    const e = errorOf(() => decodeSafetensors(build('{"w":{"dtype":"I32","shape"\n[]}}')));
    expect(e.message).toContain("byte 8: the header is not valid JSON");
    expect(e.message).not.toMatch(/[\r\n]/);
  });
});
