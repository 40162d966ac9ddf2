// Reading files is bounded (issue 13): a regular file above the limit is refused before it is
// read, and a device or pipe that never ends (/dev/zero) is refused once it passes the limit,
// instead of growing until the process runs out of memory.
import { spawn } from "node:child_process";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FILE_MAX_BYTES, loadCsv, readFileBytes } from "@bp/data";
import { errorOf } from "./expectDataError.js";

const dir = mkdtempSync(join(tmpdir(), "bp-read-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("readFileBytes", () => {
  it("refuses /dev/zero once it passes the limit", () => {
    expect(errorOf(() => readFileBytes("/dev/zero", "readThing", 10_000)).message).toBe(
      "readThing: /dev/zero: input is longer than the limit of 10000 bytes (a device that never ends?)",
    );
  });

  it("refuses a regular file above the limit before reading it, and reads one at the limit", () => {
    const path = join(dir, "ten.bin");
    writeFileSync(
      path,
      Uint8Array.from({ length: 10 }, (_, i) => i),
    );
    expect(errorOf(() => readFileBytes(path, "readThing", 9)).message).toBe(
      `readThing: ${path}: file is 10 bytes, more than the limit of 9`,
    );
    expect([...readFileBytes(path, "readThing", 10)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(FILE_MAX_BYTES).toBe(2 ** 31 - 1);
  });

  it("reads a pipe to its end, in chunks", async () => {
    const fifo = join(dir, "pipe");
    execFileSync("mkfifo", [fifo]);
    // 3 MiB + 5 bytes of "label,a\n0,1\n..." lines through a FIFO, written by another process.
    const writer = spawn("sh", ["-c", `yes 0,1 | head -c 3145733 > '${fifo}'`]);
    const bytes = readFileBytes(fifo, "readThing", 4 << 20);
    await new Promise((resolve) => writer.on("close", resolve));
    expect(bytes.length).toBe(3145733);
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe("0,1\n0,1\n");
  });

  it("names the folder and the missing file as before", () => {
    expect(errorOf(() => readFileBytes(dir, "readThing")).message).toBe(
      `readThing: ${dir}: is a directory, expected a file`,
    );
    expect(errorOf(() => loadCsv(join(dir, "none.csv"))).message).toBe(
      `loadCsv: ${join(dir, "none.csv")}: file not found`,
    );
  });
});
