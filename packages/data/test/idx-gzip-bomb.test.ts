// Compressed IDX files that inflate to far more than they claim (issue 13, defect 5): decompression
// is bounded by what the IDX header declares (and by an absolute cap) and stops once the stream
// exceeds it, instead of inflating everything and then finding the length wrong.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32, deflateRawSync, gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { IDX_MAX_BYTES, encodeIdx, gunzipIdx, readIdxFile } from "@bp/data";
import { errorOf } from "./expectDataError.js";

const dir = mkdtempSync(join(tmpdir(), "bp-idxgz-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** An IDX header `00 00 08 <ndims>` (uint8) with big-endian dimensions. */
function header(shape: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = shape.length;
  for (const [i, d] of shape.entries()) view.setUint32(4 + 4 * i, d, false);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A gzip member with the FNAME field set to `name` (RFC 1952), around raw deflate data. */
function gzipWithName(data: Uint8Array, name: string): Uint8Array {
  const head = Uint8Array.from([0x1f, 0x8b, 8, 0x08, 0, 0, 0, 0, 0, 3]);
  const trailer = new Uint8Array(8);
  new DataView(trailer.buffer).setUint32(0, crc32(data), true);
  new DataView(trailer.buffer).setUint32(4, data.length, true);
  return concat(head, new TextEncoder().encode(name), Uint8Array.of(0), deflateRawSync(data), trailer);
}

describe("readIdxFile on gzip bombs", () => {
  // 16 MiB of zeros after a header declaring 10 images of 2x2 (16 + 40 bytes): about 16 KB compressed.
  const bomb = gzipSync(concat(header([10, 2, 2]), new Uint8Array(16 << 20)), { level: 9 });

  it("stops at the length the IDX header declares", () => {
    expect(bomb.length).toBeLessThan(40_000);
    const path = write("bomb.gz", bomb);
    expect(errorOf(() => readIdxFile(path)).message).toBe(
      `readIdxFile: ${path}: decompresses to more than the 56 bytes its IDX header declares (dimensions [10, 2, 2] of uint8); stopped there`,
    );
  });

  it("refuses a header that declares more than the limit before inflating the data", () => {
    // [2^31] uint8 is 2 GiB + 8 bytes, over the 1 GiB default; the stream itself is tiny.
    const path = write("huge.gz", gzipSync(header([2 ** 31])));
    expect(IDX_MAX_BYTES).toBe(2 ** 30);
    expect(errorOf(() => readIdxFile(path)).message).toBe(
      `readIdxFile: ${path}: its IDX header declares dimensions [2147483648] of uint8, 2147483656 bytes, more than the limit of 1073741824`,
    );
    const small = write("small.gz", gzipSync(encodeIdx({ dtype: "uint8", shape: [64], data: new Uint8Array(64) })));
    expect(readIdxFile(small, { maxBytes: 72 }).shape).toEqual([64]);
    expect(errorOf(() => readIdxFile(small, { maxBytes: 71 })).message).toContain(
      "72 bytes, more than the limit of 71",
    );
    const plain = write("plain.idx", encodeIdx({ dtype: "uint8", shape: [64], data: new Uint8Array(64) }));
    expect(errorOf(() => readIdxFile(plain, { maxBytes: 71 })).message).toBe(
      `readIdxFile: ${plain}: file is 72 bytes, more than the limit of 71`,
    );
  });

  it("finds the header behind a long gzip file name, and still reads a good file", () => {
    const idx = encodeIdx({ dtype: "uint8", shape: [3, 2], data: Uint8Array.from([1, 2, 3, 4, 5, 6]) });
    const named = gzipWithName(idx, "n".repeat(200_000));
    expect([...gunzipIdx(named, "named.gz")]).toEqual([...idx]);
    expect(readIdxFile(write("named.gz", named)).data).toEqual(Uint8Array.from([1, 2, 3, 4, 5, 6]));
  });

  it("reads the header when the first compressed kilobyte already inflates to over a megabyte", () => {
    // A valid file of 4 MiB of zeros: its first 4096 compressed bytes (the first probe) inflate to
    // about 4 MB, past the 1 MiB probe limit, so the header is found by the binary search over
    // shorter prefixes.
    const idx = encodeIdx({ dtype: "uint8", shape: [1024, 4096], data: new Uint8Array(1024 * 4096) });
    const gz = gzipSync(idx, { level: 9 });
    expect(gz.length).toBeGreaterThan(4096);
    const out = gunzipIdx(gz, "zeros.gz");
    expect(out.length).toBe(12 + 1024 * 4096);
    expect([...out.subarray(0, 12)]).toEqual([0, 0, 8, 2, 0, 0, 4, 0, 0, 0, 16, 0]);
  });

  it("reports a stream too short for the header, and a corrupt one, as DataErrors", () => {
    const short = gzipSync(Uint8Array.of(0, 0, 8));
    expect(errorOf(() => gunzipIdx(short, "s.gz")).message).toBe(
      "readIdxFile: s.gz: file is 3 bytes long, too short for the 4-byte IDX magic number",
    );
    const corrupt = Uint8Array.from(bomb);
    corrupt.fill(0xff, 10, 30);
    expect(errorOf(() => gunzipIdx(corrupt, "c.gz")).message).toContain(
      "readIdxFile: c.gz: the file starts like gzip but does not decompress",
    );
  });
});

describe("gunzipIdx on streams cut short", () => {
  it("reports a gzip stream cut inside its own header as not decompressing, not as a short IDX file", () => {
    // 1f 8b 08 00 then 3 of the 10 bytes of a gzip member header.
    expect(errorOf(() => gunzipIdx(Uint8Array.of(0x1f, 0x8b, 8, 0, 1, 2, 3), "cut.gz")).message).toBe(
      "readIdxFile: cut.gz: the file starts like gzip but does not decompress: unexpected end of file",
    );
    const gz = gzipSync(Uint8Array.of(0, 0, 8));
    expect(errorOf(() => gunzipIdx(gz.subarray(0, gz.length - 4), "cut2.gz")).message).toContain(
      "cut2.gz: the file starts like gzip but does not decompress",
    );
  });
});
