// Computational graph view: the book's apples-and-oranges graph, each node a real MulLayer or
// AddLayer, stepped forward then backward. Forward values are drawn above the edges, backward
// values (d price / d value) below them in red, as in figures 5-16 and 5-17.
import { h, s } from "../dom.js";
import { exact, GRAPHS, GraphRun, graphById, type GraphSpec } from "../graph-model.js";
import { fill, onLang, t, tx } from "../i18n/index.js";
import { drawGraphFigure } from "./graph-figure.js";
import { param, setParams } from "../url-state.js";
import type { View, ViewFactory } from "./view.js";

export const createGraphView: ViewFactory = (ctx) => {
  let spec: GraphSpec = graphById(param("graph"));
  let run = new GraphRun(spec, {});

  const graphSelect = h(
    "select",
    { id: "graph-choice", onchange: () => chooseGraph(graphSelect.value) },
    ...GRAPHS.map((g) => h("option", { value: g.id }, tx(g.title))),
  );
  const inputsBox = h("div", { class: "fields" });
  const inputMessage = h("p", { class: "field-error", id: "graph-input-error" });
  const stepButton = h("button", { type: "button", id: "graph-step", onclick: () => advance(1) }, tx("step.step"));
  const backButton = h(
    "button",
    { type: "button", id: "graph-back", onclick: () => goTo(run.position - 1) },
    tx("step.back"),
  );
  const allButton = h(
    "button",
    { type: "button", id: "graph-run-all", onclick: () => goTo(run.totalSteps) },
    tx("step.runAll"),
  );
  const resetButton = h("button", { type: "button", id: "graph-reset", onclick: () => goTo(0) }, tx("step.reset"));
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
    h("h2", { id: "graph-title" }, tx("graph.title")),
    fill(h("p"), "graph.intro"),
    h("label", { class: "field" }, tx("graph.choice"), graphSelect),
    h("fieldset", {}, h("legend", {}, tx("graph.inputs")), inputsBox, inputMessage),
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
        tx("graph.caption"),
        fill(h("span", { class: "narrow-only" }), "graph.narrow"),
      ),
    ),
    // The table scrolls in its own box on a narrow screen, never the page.
    h("div", { class: "scroll-x", tabindex: 0, role: "group", "aria-labelledby": "graph-table-caption" }, table),
    h("h3", {}, tx("graph.log")),
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
      else problems.push(t("graph.notNumber", { name: t(input.label), value: el.value }));
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
          tx(input.label),
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
    stepButton.textContent = t(pos < n ? "step.forward" : "step.backward");
    stepStatus.textContent =
      pos === 0
        ? t("step.ready", { total: run.totalSteps, n })
        : t("step.of", { pos, total: run.totalSteps, text: run.log.at(-1)!.text });
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
      h("caption", { id: "graph-table-caption" }, t("graph.tableCaption")),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, t("graph.colValue")),
          h("th", { scope: "col" }, t("graph.colForward")),
          h("th", { scope: "col" }, t("graph.colBackward")),
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
  // The log's texts are written when a step runs: replay the steps in the new language.
  onLang(() => goTo(run.position));
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
