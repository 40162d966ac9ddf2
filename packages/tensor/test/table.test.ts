import { describe, expect, it } from "vitest";
import { formatTable } from "../src/index.js";

describe("formatTable", () => {
  const header = ["run", "wall s"];
  const rows = [
    ["cpu", "81.2"],
    ["worker", "52.1"],
  ];

  it("plain: columns as wide as their widest cell, two spaces apart, no trailing spaces", () => {
    expect(formatTable(header, rows)).toEqual(["run     wall s", "cpu     81.2", "worker  52.1"]);
    expect(formatTable(header, rows, { align: "right" })).toEqual([
      "   run  wall s",
      "   cpu    81.2",
      "worker    52.1",
    ]);
  });

  it("markdown: per-column alignment, and a rule whose right-aligned columns end in ':'", () => {
    expect(formatTable(header, rows, { markdown: true, align: ["left", "right"] })).toEqual([
      "| run    | wall s |",
      "| ------ | -----: |",
      "| cpu    |   81.2 |",
      "| worker |   52.1 |",
    ]);
  });

  it("a short row gets empty cells; a wide cell widens its column", () => {
    expect(formatTable(["a", "b"], [["x"], ["long cell", "y"]])).toEqual(["a          b", "x", "long cell  y"]);
  });
});
