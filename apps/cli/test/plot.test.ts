import { describe, expect, it } from "vitest";
import { formatTick, niceStep, renderSvg } from "../src/plot.js";
import { kaiser, smoothCurve } from "../src/smooth.js";

/** The elements of a kind in an SVG string, e.g. all `<text class="xtick" ...>` contents. */
function texts(svg: string, cls: string): string[] {
  return [...svg.matchAll(new RegExp(`<text class="${cls}"[^>]*>([^<]*)</text>`, "g"))].map((m) => m[1]!);
}

describe("renderSvg", () => {
  const svg = renderSvg({
    panels: [
      {
        xLabel: "iterations",
        yLabel: "loss",
        yRange: [0, 1],
        series: [
          { label: "SGD", x: [0, 1, 2, 3, 4], y: [0.9, 0.8, 0.7, 0.6, 0.5], marker: "o", markEvery: 2 },
          { label: "Adam & co", x: [0, 1, 2, 3, 4], y: [0.5, NaN, 0.2, 1.5, 0.1], marker: "D", dashed: true },
          { x: [0, 4], y: [0, 0] },
        ],
      },
    ],
  });

  it("is one standalone SVG document", () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="640" height="440"')).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
  });

  it("draws axes with round ticks, the labels and a legend of the labelled series", () => {
    // ylim (0, 1) in 6 steps: the nice step is 0.2; x spans 0..4 in steps of 1 (4 / 6 rounds up to 1).
    expect(texts(svg, "ytick")).toEqual(["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
    expect(texts(svg, "xtick")).toEqual(["0", "1", "2", "3", "4"]);
    expect(texts(svg, "xlabel")).toEqual(["iterations"]);
    expect(texts(svg, "ylabel")).toEqual(["loss"]);
    const legend = /<g class="legend">([\s\S]*?)<\/g>/.exec(svg)![1]!;
    expect([...legend.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1])).toEqual(["SGD", "Adam &amp; co"]);
  });

  it("draws one group per series, breaks lines at NaN and marks every n-th point", () => {
    const groups = [...svg.matchAll(/<g class="series"[^>]*>([\s\S]*?)<\/g>/g)].map((m) => m[1]!);
    expect(groups).toHaveLength(3);
    // Series 1: one polyline of 5 points, markers at points 0, 2, 4.
    expect(groups[0]!.match(/<polyline/g)).toHaveLength(1);
    expect(groups[0]!.match(/<circle/g)).toHaveLength(3);
    // Series 2: NaN at index 1 splits it into [0] and [2, 3, 4]; markers on the 4 finite points.
    expect(groups[1]!.match(/<polyline/g)).toHaveLength(2);
    expect(groups[1]!.match(/<polygon/g)).toHaveLength(4);
    expect(groups[1]).toContain('stroke-dasharray="6,4"');
    // Values above ylim are clipped to the plot area, as matplotlib does.
    expect(svg).toContain('clip-path="url(#clip0)"');
  });

  it("lays panels out in a grid with titles and per-panel tick labels", () => {
    const grid = renderSvg({
      title: "grid",
      columns: 2,
      panelWidth: 200,
      panelHeight: 150,
      panels: [0, 1, 2].map((i) => ({
        title: `W:${i}`,
        yRange: [0, 1] as const,
        yTickLabels: i === 0,
        series: [{ x: [0, 1], y: [0, 1] }],
      })),
    });
    expect(grid).toContain('width="400" height="332"');
    expect(grid.match(/<g class="panel"/g)).toHaveLength(3);
    expect(grid).toContain('transform="translate(200,32)"');
    expect(grid).toContain('transform="translate(0,182)"');
    expect(texts(grid, "title")).toEqual(["W:0", "W:1", "W:2"]);
    // Only the first panel prints its y ticks: ylim (0, 1) in 4 steps on a small panel.
    expect(texts(grid, "ytick")).toEqual(["0.00", "0.25", "0.50", "0.75", "1.00"]);
  });
});

describe("ticks", () => {
  it("steps are 1, 2, 2.5 or 5 times a power of ten", () => {
    expect([0.17, 0.2, 0.21, 3, 4.9, 7, 130].map(niceStep)).toEqual([0.2, 0.2, 0.25, 5, 5, 10, 200]);
  });
  it("prints as many decimals as the step needs", () => {
    expect(formatTick(0.2 * 3, 0.2)).toBe("0.6");
    expect(formatTick(0.25 * 3, 0.25)).toBe("0.75");
    expect(formatTick(2.5 * 3, 2.5)).toBe("7.5");
    expect(formatTick(500 * 3, 500)).toBe("1500");
    expect(formatTick(-0.2 * 0, 0.2)).toBe("0.0");
  });
});

describe("smoothCurve (the book's common/util.py smooth_curve)", () => {
  it("matches numpy's kaiser window and convolution", () => {
    // np.kaiser(11, 2), printed by numpy 1.x.
    const w = [0.43867628, 0.61139435, 0.767675, 0.89216143, 0.9723298, 1, 0.9723298, 0.89216143, 0.767675];
    const k = kaiser(11, 2);
    for (const [i, v] of w.entries()) expect(k[i]).toBeCloseTo(v, 8);
    // smooth_curve(np.array([3,1,4,1,5,9,2,6,5,3,5,8,9,7,9,3,2,3,8,4.])) computed by the book's function.
    const y = smoothCurve([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4]);
    const expected = [
      3.30294751, 3.07065152, 3.28745143, 3.67492391, 3.83716329, 4.17426157, 4.5463586, 5.06838063, 5.39370507,
      5.92766051, 5.99620702, 5.80298742, 5.84724223, 5.86535346, 5.73859885, 5.61332815, 5.54871672, 5.18660648,
      4.76880223, 4.50012717,
    ];
    expect(y).toHaveLength(20);
    for (const [i, v] of expected.entries()) expect(y[i]).toBeCloseTo(v, 7);
  });
  it("returns series shorter than the window unchanged", () => {
    expect(smoothCurve([1, 2, 3])).toEqual([1, 2, 3]);
  });
});
