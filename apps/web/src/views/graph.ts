// Computational graph view: the book's apples-and-oranges graph, each node a real MulLayer or
// AddLayer, stepped forward then backward. Forward values are drawn above the edges, backward
// values (d price / d value) below them in red, as in figures 5-16 and 5-17.
import { h, s } from "../dom.js";
import { exact, GRAPHS, GraphRun, graphById, type GraphSpec } from "../graph-model.js";
import { param, setParams } from "../url-state.js";
import type { View, ViewFactory } from "./view.js";

const NODE_R = 24;
const INPUT_LABEL_W = 110;

export const createGraphView: ViewFactory = (ctx) => {
  let spec: GraphSpec = graphById(param("graph"));
  let run = new GraphRun(spec, {});

  const graphSelect = h(
    "select",
    { id: "graph-choice", onchange: () => chooseGraph(graphSelect.value) },
    ...GRAPHS.map((g) => h("option", { value: g.id }, g.title)),
  );
  const inputsBox = h("div", { class: "fields" });
  const inputMessage = h("p", { class: "field-error", id: "graph-input-error" });
  const stepButton = h("button", { type: "button", id: "graph-step", onclick: () => advance(1) }, "Step");
  const backButton = h("button", { type: "button", id: "graph-back", onclick: () => goTo(run.position - 1) }, "Back");
  const allButton = h(
    "button",
    { type: "button", id: "graph-run-all", onclick: () => goTo(run.totalSteps) },
    "Run all",
  );
  const resetButton = h("button", { type: "button", id: "graph-reset", onclick: () => goTo(0) }, "Reset");
  const stepStatus = h("p", { id: "graph-status", class: "step-status" });
  const svg = s("svg", {
    id: "graph-svg",
    viewBox: "0 0 900 420",
    role: "img",
    "aria-labelledby": "graph-figure-title",
    "aria-describedby": "graph-table-caption",
  });
  const table = h("table", { id: "graph-table", class: "numbers" });
  const log = h("ol", { id: "graph-log", class: "step-log" });

  const element = h(
    "section",
    { "aria-labelledby": "graph-title", class: "view" },
    h("h2", { id: "graph-title" }, "Computational graph"),
    h(
      "p",
      {},
      "Backpropagation on the book's shopping example (section 5.4). Each circle is a real ",
      h("code", {}, "MulLayer"),
      " or ",
      h("code", {}, "AddLayer"),
      " from @bp/layers. Step forward through the nodes, then backward from d price / d price = 1: each node multiplies the gradient it receives by its local derivative. Values are JavaScript's exact float64 results.",
    ),
    h("label", { class: "field" }, "Graph", graphSelect),
    h("fieldset", {}, h("legend", {}, "Inputs"), inputsBox, inputMessage),
    h("div", { class: "buttons" }, stepButton, backButton, allButton, resetButton),
    stepStatus,
    h(
      "figure",
      {},
      // Focusable, so that the keyboard can scroll the figure on a narrow screen too.
      h("div", { class: "scroll-x", tabindex: 0, role: "group", "aria-labelledby": "graph-figure-title" }, svg),
      h(
        "figcaption",
        { id: "graph-figure-title" },
        "Forward values above each edge (black), backward values d price / d value below it (red).",
        h(
          "span",
          { class: "narrow-only" },
          " The figure is wider than this screen: swipe it sideways to see the rest.",
        ),
      ),
    ),
    table,
    h("h3", {}, "What each step did"),
    log,
  );

  function readInputs(): Record<string, number> | null {
    const values: Record<string, number> = {};
    const problems: string[] = [];
    for (const input of spec.inputs) {
      const el = inputsBox.querySelector<HTMLInputElement>(`#graph-in-${input.id}`)!;
      const v = Number(el.value);
      const ok = el.value.trim() !== "" && Number.isFinite(v);
      el.setAttribute("aria-invalid", String(!ok));
      if (ok) values[input.id] = v;
      else problems.push(`${input.label} must be a number, got "${el.value}"`);
    }
    inputMessage.textContent = problems.join("; ");
    return problems.length === 0 ? values : null;
  }

  function buildInputs(): void {
    inputsBox.replaceChildren(
      ...spec.inputs.map((input) => {
        const fromUrl = param(input.id);
        const value = fromUrl !== null && Number.isFinite(Number(fromUrl)) ? fromUrl : String(input.value);
        return h(
          "label",
          { class: "field" },
          input.label,
          h("input", {
            id: `graph-in-${input.id}`,
            type: "text",
            inputmode: "decimal",
            value,
            "aria-describedby": "graph-input-error",
            oninput: onInput,
          }),
        );
      }),
    );
  }

  function onInput(): void {
    const values = readInputs();
    if (values === null) return;
    const changes: Record<string, string | null> = {};
    for (const input of spec.inputs) {
      const v = values[input.id]!;
      changes[input.id] = v === input.value ? null : String(v);
    }
    setParams(changes);
    goTo(run.position, values);
  }

  function chooseGraph(id: string): void {
    spec = graphById(id);
    const changes: Record<string, string | null> = { graph: spec.id === GRAPHS[0]!.id ? null : spec.id };
    for (const g of GRAPHS) for (const i of g.inputs) changes[i.id] = null;
    setParams(changes);
    buildInputs();
    goTo(0);
  }

  /** Rebuilds the run from the inputs and replays it to `position` (layers keep no history). */
  function goTo(position: number, values = readInputs()): void {
    if (values === null) return;
    run = new GraphRun(spec, values);
    const target = Math.max(0, Math.min(position, run.totalSteps));
    while (run.position < target) run.step();
    render();
  }

  function advance(n: number): void {
    goTo(run.position + n);
    const last = run.log.at(-1);
    if (last !== undefined) ctx.announce(last.text);
  }

  function render(): void {
    const n = spec.nodes.length;
    const pos = run.position;
    stepButton.disabled = run.done;
    backButton.disabled = pos === 0;
    allButton.disabled = run.done;
    stepButton.textContent = pos < n ? "Step forward" : "Step backward";
    stepStatus.textContent =
      pos === 0
        ? `Ready: ${run.totalSteps} steps, ${n} forward then ${n} backward.`
        : `Step ${pos} of ${run.totalSteps}: ${run.log.at(-1)!.text}`;
    element.dataset.position = String(pos);
    drawSvg();
    drawTable();
    log.replaceChildren(...run.log.map((r) => h("li", { class: r.phase }, r.text)));
  }

  function sourcePoint(id: string): { x: number; y: number } {
    const input = spec.inputs.find((i) => i.id === id);
    if (input !== undefined) return { x: input.x + INPUT_LABEL_W, y: input.y };
    const node = spec.nodes.find((nd) => nd.id === id)!;
    return { x: node.x + NODE_R, y: node.y };
  }

  function edge(id: string, from: { x: number; y: number }, to: { x: number; y: number }): SVGGElement {
    const mx = (from.x + to.x) / 2;
    const my = (from.y + to.y) / 2;
    return s(
      "g",
      { class: "edge" },
      s("line", { x1: from.x, y1: from.y, x2: to.x, y2: to.y, "marker-end": "url(#arrow)" }),
      s(
        "text",
        { x: mx, y: my - 8, class: "fwd", id: `fwd-${id}`, "text-anchor": "middle" },
        exact(run.forward.get(id)),
      ),
      s(
        "text",
        { x: mx, y: my + 20, class: "bwd", id: `bwd-${id}`, "text-anchor": "middle" },
        exact(run.backward.get(id)),
      ),
    );
  }

  function drawSvg(): void {
    const parts: SVGElement[] = [
      s(
        "defs",
        {},
        s(
          "marker",
          { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto" },
          s("path", { d: "M0,0 L10,5 L0,10 z" }),
        ),
      ),
    ];
    for (const input of spec.inputs) {
      parts.push(s("text", { x: input.x, y: input.y + 5, class: "input-label" }, input.label));
    }
    const current = run.log.at(-1)?.node.id;
    for (const node of spec.nodes) {
      for (const src of [node.a, node.b]) {
        const from = sourcePoint(src);
        const dx = node.x - from.x;
        const dy = node.y - from.y;
        const len = Math.hypot(dx, dy);
        parts.push(edge(src, from, { x: node.x - (dx / len) * NODE_R, y: node.y - (dy / len) * NODE_R }));
      }
    }
    const out = run.output;
    parts.push(edge(out.id, sourcePoint(out.id), { x: 890, y: out.y }));
    parts.push(s("text", { x: 890, y: out.y + 40, class: "input-label", "text-anchor": "end" }, out.label));
    for (const node of spec.nodes) {
      parts.push(
        s(
          "g",
          { class: node.id === current ? "node current" : "node", id: `node-${node.id}` },
          s("circle", { cx: node.x, cy: node.y, r: NODE_R }),
          s("text", { x: node.x, y: node.y + 7, "text-anchor": "middle" }, node.op === "mul" ? "×" : "+"),
        ),
      );
    }
    svg.replaceChildren(...parts);
  }

  function drawTable(): void {
    const ids = [...spec.inputs.map((i) => i.id), ...spec.nodes.map((nd) => nd.id)];
    table.replaceChildren(
      h("caption", { id: "graph-table-caption" }, "Every value of the graph and its gradient (the figure as a table)"),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, "value"),
          h("th", { scope: "col" }, "forward"),
          h("th", { scope: "col" }, "d price / d value"),
        ),
      ),
      h(
        "tbody",
        {},
        ...ids.map((id) =>
          h(
            "tr",
            { "data-id": id },
            h("th", { scope: "row" }, run.labelOf(id)),
            h("td", { class: "fwd" }, exact(run.forward.get(id))),
            h("td", { class: "bwd" }, exact(run.backward.get(id))),
          ),
        ),
      ),
    );
  }

  graphSelect.value = spec.id;
  buildInputs();
  goTo(0);
  const view: View = {
    element,
    show() {
      const wanted = graphById(param("graph"));
      if (wanted.id !== spec.id) {
        spec = wanted;
        graphSelect.value = spec.id;
      }
      buildInputs();
      goTo(run.position);
    },
  };
  return view;
};
