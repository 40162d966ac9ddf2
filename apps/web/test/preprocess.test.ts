// The Predict view's MNIST-like preprocessing (src/preprocess.ts), on drawings whose result can be
// worked out by hand.
import { describe, expect, test } from "vitest";
import { toMnist } from "../src/preprocess.js";

function canvas(width: number, height: number, ink: (x: number, y: number) => number): Float64Array {
  const g = new Float64Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) g[y * width + x] = ink(x, y);
  return g;
}

/** The inked rows and columns of a 28×28 result. */
function extent(img: Float64Array): { rows: number[]; cols: number[]; sum: number } {
  const rows = new Set<number>();
  const cols = new Set<number>();
  let sum = 0;
  for (let i = 0; i < 784; i++) {
    if (img[i]! > 0) {
      rows.add(Math.floor(i / 28));
      cols.add(i % 28);
    }
    sum += img[i]!;
  }
  return { rows: [...rows].sort((a, b) => a - b), cols: [...cols].sort((a, b) => a - b), sum };
}

describe("toMnist", () => {
  test("an empty drawing gives null", () => {
    expect(toMnist(new Float64Array(100), 10, 10)).toBeNull();
  });

  test("a tall bar, like a 1: its box scaled to 20 rows, its centre of mass moved to (14, 14)", () => {
    // A 10 × 100 bar at x 50..59, y 20..119 of 200 × 200: scale 20/100 = 0.2, so 2 × 20 pixels,
    // each the mean of a 5 × 5 block of ink = 1. Centre of mass (1, 10) moves by (13, 4):
    // columns 13-14, rows 4-23, 40 pixels of 1.
    const img = toMnist(
      canvas(200, 200, (x, y) => (x >= 50 && x < 60 && y >= 20 && y < 120 ? 1 : 0)),
      200,
      200,
    )!;
    const e = extent(img);
    expect(e.cols).toEqual([13, 14]);
    expect(e.rows).toEqual(Array.from({ length: 20 }, (_, i) => i + 4));
    expect(e.sum).toBe(40);
  });

  test("a small square anywhere is scaled up to 20 × 20 and centred", () => {
    // 4 × 4 ink at (70..73, 5..8) of 100 × 100: scale 5, 20 × 20 of 1, centre (10, 10) moves by 4.
    const img = toMnist(
      canvas(100, 100, (x, y) => (x >= 70 && x < 74 && y >= 5 && y < 9 ? 1 : 0)),
      100,
      100,
    )!;
    const e = extent(img);
    expect(e.rows).toEqual(Array.from({ length: 20 }, (_, i) => i + 4));
    expect(e.cols).toEqual(Array.from({ length: 20 }, (_, i) => i + 4));
    expect(e.sum).toBe(400);
  });

  test("ink weighs the centre of mass: a heavier left half moves the digit right", () => {
    // 20 × 20 box: left half ink 1, right half 0.5; mass-weighted x = (10·5 + 5·15) / 15 = 8.33,
    // so the shift is round(14 - 8.33) = 6 columns (not 4): columns 6-25.
    const img = toMnist(
      canvas(20, 20, (x) => (x < 10 ? 1 : 0.5)),
      20,
      20,
    )!;
    expect(extent(img).cols).toEqual(Array.from({ length: 20 }, (_, i) => i + 6));
  });
});
