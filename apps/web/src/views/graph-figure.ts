// The computational graph drawn as the book draws figures 5-15 to 5-17: every edge runs right along
// its own row (then straight up into its node), so each value sits on a horizontal run: the
// value's name and its forward value above the black arrow, the red backward arrow under it and
// d price / d value below that. Each node shows its operation and, above it, its local rule.
// Every text is fitted into its run (squeezed with textLength when a long number would not fit),
// so no number overlaps another or a node at any input.
import { s } from "../dom.js";
import { exact, type GraphNode, type GraphRun, type GraphSpec } from "../graph-model.js";
import { t } from "../i18n/index.js";

export const NODE_R = 24;
/** Gap between a run's texts and its ends. */
const PAD = 10;

interface Run {
  /** The value on this edge: an input's or a node's id. */
  id: string;
  x1: number;
  x2: number;
  y: number;
  /** Where the edge ends: a node's centre (rising into it from below when its row is lower). */
  to: { x: number; y: number } | null;
  name: string;
}

function runsOf(spec: GraphSpec): Run[] {
  const runs: Run[] = [];
  const start = (id: string): { x: number; y: number } => {
    const input = spec.inputs.find((i) => i.id === id);
    if (input !== undefined) return input;
    const node = spec.nodes.find((n) => n.id === id)!;
    return { x: node.x + NODE_R, y: node.y };
  };
  const nameOf = (id: string): string =>
    t((spec.inputs.find((i) => i.id === id) ?? spec.nodes.find((n) => n.id === id))!.label);
  for (const node of spec.nodes) {
    for (const src of [node.a, node.b]) {
      const from = start(src);
      const x2 = from.y === node.y ? node.x - NODE_R : node.x;
      runs.push({ id: src, x1: from.x, x2, y: from.y, to: node, name: nameOf(src) });
    }
  }
  const out = spec.nodes.at(-1)!;
  runs.push({ id: out.id, x1: out.x + NODE_R, x2: spec.width - 20, y: out.y, to: null, name: t(out.label) });
  return runs;
}

function text(x: number, y: number, cls: string, content: string, maxWidth: number, id?: string): SVGTextElement {
  return s("text", { x, y, class: cls, id, "text-anchor": "middle", "data-max": maxWidth }, content);
}

function edge(run: Run, graph: GraphRun): SVGGElement {
  const { x1, x2, y } = run;
  const mid = (x1 + x2) / 2;
  const room = x2 - x1 - 2 * PAD;
  const fwd = graph.forward.get(run.id);
  const bwd = graph.backward.get(run.id);
  const rise = run.to !== null && run.to.y !== y;
  const path = rise ? `M${x1},${y} H${x2} V${run.to!.y + NODE_R}` : `M${x1},${y} H${x2}`;
  const g = s(
    "g",
    { class: "edge", "data-id": run.id },
    s("path", { d: path, class: "fwd-arrow", "marker-end": "url(#arrow)" }),
    text(mid, y - 30, "edge-name", run.name, room),
    text(mid, y - 9, "fwd", exact(fwd), room, `fwd-${run.id}`),
    text(mid, y + 31, "bwd", exact(bwd), room, `bwd-${run.id}`),
  );
  if (bwd !== undefined) {
    // The backward arrow: from the node (or the output's end) back along the run, in red.
    const bx = rise ? x2 - 8 : x2;
    g.append(s("path", { d: `M${bx},${y + 9} H${x1 + 4}`, class: "bwd-arrow", "marker-end": "url(#arrow-bwd)" }));
  }
  return g;
}

const RULES: Record<GraphNode["op"], string> = { mul: "d·b | d·a", add: "d | d" };

function nodeGroup(node: GraphNode, current: boolean): SVGGElement {
  return s(
    "g",
    { class: current ? "node current" : "node", id: `node-${node.id}` },
    s("circle", { cx: node.x, cy: node.y, r: NODE_R }),
    s("text", { x: node.x, y: node.y + 8, "text-anchor": "middle", class: "op" }, node.op === "mul" ? "×" : "+"),
    text(node.x, node.y - NODE_R - 36, "rule", RULES[node.op], 2 * NODE_R + 2 * PAD + 20),
  );
}

function marker(id: string, cls: string): SVGMarkerElement {
  return s(
    "marker",
    { id, viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto" },
    s("path", { d: "M0,0 L10,5 L0,10 z", class: cls }),
  );
}

/** Draws the graph's state into `svg` and fits every text into its room. */
export function drawGraphFigure(svg: SVGSVGElement, spec: GraphSpec, graph: GraphRun): void {
  svg.setAttribute("viewBox", `0 0 ${spec.width} ${spec.height}`);
  const current = graph.log.at(-1)?.node.id;
  svg.replaceChildren(
    s("defs", {}, marker("arrow", "fwd-head"), marker("arrow-bwd", "bwd-head")),
    ...runsOf(spec).map((r) => edge(r, graph)),
    ...spec.nodes.map((n) => nodeGroup(n, n.id === current)),
  );
  fitTexts(svg);
}

/** Squeezes each text wider than its room (`data-max`) into it. A hidden figure measures 0 and is
 * fitted when it is drawn again on show. */
export function fitTexts(svg: SVGSVGElement): void {
  for (const t of svg.querySelectorAll<SVGTextElement>("text[data-max]")) {
    t.removeAttribute("textLength");
    const max = Number(t.dataset.max);
    if (t.getComputedTextLength() > max) {
      t.setAttribute("textLength", String(max));
      t.setAttribute("lengthAdjust", "spacingAndGlyphs");
    }
  }
}
