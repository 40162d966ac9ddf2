import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CSV_MAX_CLASSES, loadCsv, parseCsv } from "@bp/data";
import { errorOf } from "./expectDataError.js";

const dir = mkdtempSync(join(tmpdir(), "bp-csv-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("parseCsv", () => {
  it("reads the book readers' layout: header, label first, pixel values after", () => {
    const path = join(dir, "trainset.csv");
    writeFileSync(path, "label,pixel0,pixel1,pixel2\r\n1,0,255,51\r\n0,102,0,0\r\n\r\n3,1,2,3\r\n");
    const d = loadCsv(path, { divideBy: 255 });
    expect(d.header).toEqual(["label", "pixel0", "pixel1", "pixel2"]);
    expect(d.x.shape).toEqual([3, 3]);
    expect(d.x.dtype).toBe("float64");
    // 255/255 = 1, 51/255 = 0.2, 102/255 = 0.4
    expect(d.x.toArray()).toEqual([
      [0, 1, 0.2],
      [0.4, 0, 0],
      [1 / 255, 2 / 255, 3 / 255],
    ]);
    expect(d.t.dtype).toBe("int32");
    expect([...d.t.data]).toEqual([1, 0, 3]);
    expect(d.numClasses).toBe(4);
  });

  it("detects a missing header, and takes the label column, delimiter and dtype from options", () => {
    const d = parseCsv("0.5;-2;1\n1e-1;+3;0\n", { delimiter: ";", labelColumn: -1, dtype: "float32" });
    expect(d.header).toBeNull();
    expect(d.x.dtype).toBe("float32");
    expect(d.x.toArray()).toEqual([
      [0.5, -2],
      [Math.fround(0.1), 3],
    ]);
    expect([...d.t.data]).toEqual([1, 0]);
    const named = parseCsv('"a","y","b"\n1,2,3\n', { labelColumn: "y" });
    expect(named.x.toArray()).toEqual([[1, 3]]);
    expect([...named.t.data]).toEqual([2]);
    // header: false makes a first line of numbers data; header: true makes it names.
    expect(parseCsv("1,2\n3,4\n", { header: true }).x.toArray()).toEqual([[4]]);
    expect(parseCsv("1,2\n3,4\n", { header: false }).x.toArray()).toEqual([[2], [4]]);
  });

  const cases: [string, string, object, string][] = [
    ["an empty file", "\n  \n", {}, "data.csv: the file is empty"],
    ["a header with no rows", "label,a\n", {}, "data.csv, line 1: the file has a header line but no data rows"],
    [
      "a non-numeric cell",
      "label,a,b\n1,2,3\n0,4,x5\n",
      {},
      'data.csv, line 3, column 3: "x5" is not a number (expected a decimal number)',
    ],
    ["an empty cell", "label,a,b\n1,,3\n", {}, "data.csv, line 2, column 2: empty cell (expected a decimal number)"],
    [
      "too few fields",
      "label,a,b\n1,2,3\n\n1,2\n",
      {},
      "data.csv, line 4, column 3: row has 2 fields, expected 3 (as on line 1)",
    ],
    [
      "too many fields",
      "label,a,b\n1,2,3,4\n",
      {},
      "data.csv, line 2, column 4: row has 4 fields, expected 3 (as on line 1)",
    ],
    [
      "a fractional label",
      "label,a\n1.5,2\n",
      {},
      "data.csv, line 2, column 1: label 1.5 is not a non-negative integer",
    ],
    [
      "a negative label",
      "a,label\n2,-1\n",
      { labelColumn: 1 },
      "data.csv, line 2, column 2: label -1 is not a non-negative integer",
    ],
    ["a non-numeric label", "label,a\ncat,2\n", { header: true }, 'data.csv, line 2, column 1: "cat" is not a number'],
    [
      "a label column out of range",
      "1,2\n",
      { labelColumn: 2 },
      "data.csv, line 1: labelColumn 2 is outside the 2 columns",
    ],
    [
      "an unknown label name",
      "a,b\n1,2\n",
      { labelColumn: "label" },
      'data.csv, line 1: no column named "label" in the header (columns: a, b)',
    ],
    [
      "a label name without a header",
      "1,2\n",
      { labelColumn: "label" },
      'data.csv, line 1: labelColumn "label" is a name but the file has no header line',
    ],
    ["one column only", "1\n2\n", {}, "data.csv, line 1: rows have 1 field; expected a label and at least one feature"],
    [
      "a huge number",
      "label,a\n1,1e999\n",
      {},
      "data.csv, line 2, column 2: 1e999 is out of range (expected a finite number)",
    ],
  ];
  for (const [what, text, opts, message] of cases) {
    it(`rejects ${what} with file, line and column`, () => {
      const path = join(dir, "data.csv");
      writeFileSync(path, text);
      const e = errorOf(() => loadCsv(path, opts));
      expect(e.message).toContain(`parseCsv: ${message.replace("data.csv", path)}`);
      expect(e.file).toBe(path);
    });
  }

  it("reports the line and column as fields", () => {
    const e = errorOf(() => parseCsv("label,a,b\n1,2,3\n0,4,x5\n", { name: "t.csv" }));
    expect([e.file, e.line, e.column]).toEqual(["t.csv", 3, 3]);
  });

  it("rejects bad options and a missing file", () => {
    expect(errorOf(() => parseCsv("1,2\n", { delimiter: "ab" })).message).toContain(
      'delimiter must be one character other than a quote or line break, got "ab"',
    );
    expect(errorOf(() => parseCsv("1,2\n", { divideBy: 0 })).message).toContain(
      "divideBy must be a finite non-zero number, got 0",
    );
    expect(errorOf(() => loadCsv(join(dir, "none.csv"))).message).toBe(
      `loadCsv: ${join(dir, "none.csv")}: file not found`,
    );
  });

  it("bounds the class count: a huge label is an error naming line and column, not a huge net", () => {
    // Issue 13, defect 1: 2147483647 used to give numClasses 2^31 and a RangeError later.
    for (const label of ["2147483647", "1000000", "10000", "1e300"]) {
      const e = errorOf(() => parseCsv(`label,a\n0,1\n${label},2\n`, { name: "big.csv" }));
      expect(e.message).toBe(
        `parseCsv: big.csv, line 3, column 1: label ${label} is beyond the limit of 10000 classes (expected a class index 0..9999; pass maxClasses to allow more)`,
      );
    }
    expect(CSV_MAX_CLASSES).toBe(10_000);
    // The largest label under the limit is fine: 10 000 classes.
    expect(parseCsv("label,a\n9999,1\n").numClasses).toBe(10_000);
    // maxClasses moves the limit either way.
    expect(parseCsv("label,a\n20000,1\n", { maxClasses: 20_001 }).numClasses).toBe(20_001);
    expect(errorOf(() => parseCsv("label,a\n3,1\n", { maxClasses: 3 })).message).toContain(
      "label 3 is beyond the limit of 3 classes (expected a class index 0..2;",
    );
    for (const bad of [0, 1.5, 2 ** 31, Number.NaN]) {
      expect(errorOf(() => parseCsv("0,1\n", { maxClasses: bad })).message).toContain(
        `maxClasses must be an integer in [1, 2^31 - 1], got ${bad}`,
      );
    }
  });
});

describe("parseCsv on features that overflow once stored (found by fuzzing)", () => {
  it("refuses a feature that divideBy or float32 turns into Infinity", () => {
    // 1 / 5e-324 overflows float64; 3.5e38 overflows float32 (largest finite: 3.4028234663852886e38).
    expect(errorOf(() => parseCsv("0,1\n", { divideBy: 5e-324, name: "d.csv" })).message).toBe(
      "parseCsv: d.csv, line 1, column 2: 1 divided by 5e-324 is out of the float64 range (expected a finite number)",
    );
    expect(errorOf(() => parseCsv("0,3.5e38\n", { dtype: "float32", name: "f.csv" })).message).toBe(
      "parseCsv: f.csv, line 1, column 2: 3.5e38 is out of the float32 range (expected a finite number)",
    );
    expect(parseCsv("0,3.4e38\n", { dtype: "float32" }).x.data[0]).toBe(Math.fround(3.4e38));
    expect(parseCsv("0,3.5e38\n").x.data[0]).toBe(3.5e38);
  });
});
