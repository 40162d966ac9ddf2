// Fuzzing the parsers (issue 13): random bytes and mutations of valid files. Every input either
// parses or throws a BpError with a one-line message of bounded length; nothing else may escape
// (no TypeError, RangeError or SyntaxError from inside the code). Each property also runs within
// the test's time limit, so an input that made a parser hang would fail the run. fast-check
// prints the seed and the shrunk input of any failure, so it can be replayed.
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BpError, tensor, type Tensor } from "@bp/tensor";
import {
  decodeSafetensors,
  encodeIdx,
  encodeSafetensors,
  gunzipIdx,
  parseCsv,
  parseIdx,
  type IdxDType,
} from "@bp/data";

/** Runs `parse`; a BpError with a short single-line message is fine, anything else fails. */
function parsesOrRefuses(parse: () => unknown): void {
  try {
    parse();
  } catch (e) {
    if (!(e instanceof BpError)) throw e;
    expect(e.message).not.toContain("\n");
    expect(e.message.length).toBeLessThan(600);
  }
}

/** A mutation of `bytes`: some bytes overwritten, then cut short or extended. */
function mutated(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(
      valid,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
      fc.oneof(fc.constant(null), fc.nat(), fc.uint8Array({ maxLength: 16 })),
    )
    .map(([bytes, edits, end]) => {
      let out = Uint8Array.from(bytes);
      for (const [at, v] of edits) if (out.length > 0) out[at % out.length] = v;
      if (typeof end === "number") out = out.subarray(0, end % (out.length + 1));
      else if (end !== null) out = Uint8Array.from([...out, ...end]);
      return out;
    });
}

const RUNS = { numRuns: 300 };

describe("IDX parser", () => {
  const dtypes: IdxDType[] = ["uint8", "int8", "int16", "int32", "float32", "float64"];
  const validIdx = fc
    .record({
      dtype: fc.constantFrom(...dtypes),
      shape: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 3 }),
    })
    .map(({ dtype, shape }) => {
      const size = shape.reduce((a, b) => a * b, 1);
      const data = {
        uint8: Uint8Array,
        int8: Int8Array,
        int16: Int16Array,
        int32: Int32Array,
        float32: Float32Array,
        float64: Float64Array,
      }[dtype];
      return encodeIdx({ dtype, shape, data: new data(size).fill(1) });
    });

  it("random bytes and mutated files parse or throw a BpError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => parsesOrRefuses(() => parseIdx(b))),
      RUNS,
    );
    fc.assert(
      fc.property(mutated(validIdx), (b) => parsesOrRefuses(() => parseIdx(b))),
      RUNS,
    );
  });

  it("mutated gzip files inflate (bounded) or throw a BpError", () => {
    const gz = validIdx.map((b) => new Uint8Array(gzipSync(b)));
    fc.assert(
      fc.property(mutated(gz), (b) => parsesOrRefuses(() => parseIdx(gunzipIdx(b, "fuzz.gz")))),
      { numRuns: 200 },
    );
  });
});

describe("CSV parser", () => {
  const cell = fc.oneof(
    fc.integer({ min: -3, max: 12 }).map(String),
    fc.double().map(String),
    fc.constantFrom("", " ", "x", '"1"', "1e999", "2147483647", "-0", ".5", "1.", "label", "\r", '"', "﻿"),
    fc.string({ maxLength: 4 }),
  );
  const validCsv = fc
    .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 5 }), fc.boolean())
    .chain(([width, rows, header]) =>
      fc
        .array(fc.array(cell, { minLength: width, maxLength: width }), { minLength: rows, maxLength: rows })
        .map((body) => [...(header ? [Array.from({ length: width }, (_, i) => `c${i}`)] : []), ...body]),
    )
    .map((rows) => rows.map((r) => r.join(",")).join("\n"));
  const options = fc.record(
    {
      header: fc.constantFrom(true, false, "auto" as const),
      labelColumn: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom("c0", "c1", "label", "")),
      delimiter: fc.constantFrom(",", ";", "\t", "", ",,"),
      divideBy: fc.oneof(fc.constant(255), fc.double()),
      maxClasses: fc.oneof(fc.constant(10), fc.integer()),
      dtype: fc.constantFrom("float64" as const, "float32" as const),
    },
    { requiredKeys: [] },
  );

  it("random text, tables of odd cells and random options parse or throw a BpError", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => parsesOrRefuses(() => parseCsv(text))),
      RUNS,
    );
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 80 }), (text) => parsesOrRefuses(() => parseCsv(text))),
      RUNS,
    );
    fc.assert(
      fc.property(validCsv, options, (text, opts) => parsesOrRefuses(() => parseCsv(text, opts))),
      RUNS,
    );
  });

  it("a parsed table keeps its promises: labels below numClasses, finite features", () => {
    fc.assert(
      fc.property(validCsv, options, (text, opts) => {
        let data: ReturnType<typeof parseCsv>;
        try {
          data = parseCsv(text, opts);
        } catch (e) {
          if (e instanceof BpError) return;
          throw e;
        }
        for (const v of data.t.data) expect(v).toBeLessThan(data.numClasses);
        for (const v of data.x.data) expect(Number.isFinite(v)).toBe(true);
      }),
      RUNS,
    );
  });
});

describe("safetensors parser", () => {
  const named = fc.dictionary(
    fc.oneof(fc.string({ minLength: 1, maxLength: 6 }), fc.constantFrom("__proto__", "constructor", "toString")),
    fc
      .tuple(
        fc.constantFrom("float64" as const, "float32" as const, "int32" as const),
        fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
      )
      .map(([dtype, shape]): Tensor => {
        const size = shape.reduce((a, b) => a * b, 1);
        return tensor(new Float64Array(size).fill(1), { dtype, shape });
      }),
    { maxKeys: 4, noNullPrototype: false },
  );
  const validFile = fc
    .tuple(named, fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 }))
    .filter(([t]) => !("__metadata__" in t))
    .map(([t, meta]) => encodeSafetensors(t, meta));

  /** A file with an arbitrary JSON header (often almost a safetensors header) and some data bytes. */
  const anyHeader = fc
    .tuple(
      fc.oneof(
        fc.json(),
        fc
          .dictionary(
            fc.string({ maxLength: 3 }),
            fc.record({
              dtype: fc.constantFrom("F64", "F32", "I32", "BF16", "constructor", 1),
              shape: fc.oneof(fc.array(fc.integer({ min: -1, max: 3 }), { maxLength: 3 }), fc.jsonValue()),
              data_offsets: fc.oneof(
                fc.tuple(fc.integer({ min: -1, max: 40 }), fc.integer({ min: -1, max: 40 })),
                fc.jsonValue(),
              ),
            }),
            { maxKeys: 3 },
          )
          .map((h) => JSON.stringify(h)),
      ),
      fc.integer({ min: 0, max: 48 }),
    )
    .map(([json, dataBytes]) => {
      const head = new TextEncoder().encode(json);
      const out = new Uint8Array(8 + head.length + dataBytes);
      new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
      out.set(head, 8);
      return out;
    });

  it("random bytes, random headers and mutated files parse or throw a BpError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => parsesOrRefuses(() => decodeSafetensors(b))),
      RUNS,
    );
    fc.assert(
      fc.property(anyHeader, (b) => parsesOrRefuses(() => decodeSafetensors(b))),
      RUNS,
    );
    fc.assert(
      fc.property(mutated(validFile), (b) => parsesOrRefuses(() => decodeSafetensors(b))),
      RUNS,
    );
  });

  it("valid files round-trip, whatever their names", () => {
    fc.assert(
      fc.property(
        named.filter((t) => !("__metadata__" in t)),
        (t) => {
          const back = decodeSafetensors(encodeSafetensors(t));
          expect(Object.keys(back.tensors).sort()).toEqual(Object.keys(t).sort());
          for (const [k, v] of Object.entries(t)) expect(back.tensors[k]!.shape).toEqual(v.shape);
        },
      ),
      { numRuns: 200 },
    );
  });
});
