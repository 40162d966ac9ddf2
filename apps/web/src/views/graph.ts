// Computational graph view: the book's apples-and-oranges graph, each node a real MulLayer or
// AddLayer, stepped forward then backward. Forward values are drawn above the edges, backward
// values (d price / d value) below them in red, as in figures 5-16 and 5-17.
import { h, s } from "../dom.js";
import { exact, GRAPHS, GraphRun, graphById, type GraphSpec } from "../graph-model.js";
import { drawGraphFigure } from "./graph-figure.js";
import { param, setParams } from "../url-state.js";
import type { View, ViewFactory } from "./view.js";

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
        "Each value's name and forward value above its edge (black); the backward arrow and d price / d value below it (red). Above each node its local rule: a product sends dout times the other input back to each input (d·b to a, d·a to b), a sum sends dout back unchanged.",
        h(
          "span",
          { class: "narrow-only" },
          " The figure is wider than this screen: swipe it sideways to see the rest.",
        ),
      ),
    ),
    // The table scrolls in its own box on a narrow screen, never the page.
    h("div", { class: "scroll-x", tabindex: 0, role: "group", "aria-labelledby": "graph-table-caption" }, table),
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

  function drawSvg(): void {
    drawGraphFigure(svg, spec, run);
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
    // (drawGraphFigure measures texts: a figure drawn while hidden is fitted again on show.)
  };
  return view;
};
