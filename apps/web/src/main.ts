// The shell: header, view switcher, the views (each loaded on first use), the status region and
// the diagnostics panel. The view and every setting live in the URL (url-state.ts).
import { detectBackends } from "./backends.js";
import { byId, h } from "./dom.js";
import { ModelStore } from "./model-store.js";
import { restoreChosenRun } from "./run-store.js";
import { TrainClient } from "./train-client.js";
import {
  attr,
  browserLang,
  chooseLang,
  fill,
  isLang,
  LANG_NAMES,
  LANGS,
  lang,
  type MessageKey,
  onLang,
  rememberedLang,
  rememberLang,
  setLang,
  t,
  tx,
} from "./i18n/index.js";
import { isView, LANG_PARAM, onParamsChange, param, params, setParams, VIEWS, type ViewName } from "./url-state.js";
import type { AppContext, View, ViewFactory } from "./views/view.js";

const titleKey = (v: ViewName): MessageKey => `view.${v}`;

// ---- language: before any view draws ----

/** `?lang=`, else the remembered choice, else the browser's languages. */
const langFromPage = () => chooseLang(param(LANG_PARAM), rememberedLang(), navigator.languages);
setLang(langFromPage());
for (const el of document.querySelectorAll<HTMLElement>("[data-i18n]")) fill(el, el.dataset.i18n as MessageKey);
const langSelect = byId<HTMLSelectElement>("lang");
langSelect.replaceChildren(...LANGS.map((l) => h("option", { value: l, lang: l }, LANG_NAMES[l])));
langSelect.value = lang();
langSelect.addEventListener("change", () => {
  const chosen = langSelect.value;
  if (!isLang(chosen)) return;
  rememberLang(chosen);
  // Written to the URL only when it differs from what the browser asks for (links stay short).
  setParams({ [LANG_PARAM]: chosen === browserLang(navigator.languages) ? null : chosen });
  setLang(chosen);
});
onLang(() => {
  langSelect.value = lang();
  if (currentView !== null) document.title = t("app.docTitle", { view: t(titleKey(currentView)) });
});

const LOADERS: Record<ViewName, () => Promise<ViewFactory>> = {
  graph: () => import("./views/graph.js").then((m) => m.createGraphView),
  netgraph: () => import("./views/net-graph.js").then((m) => m.createNetGraphView),
  layers: () => import("./views/layers.js").then((m) => m.createLayersView),
  train: () => import("./views/train.js").then((m) => m.createTrainView),
  predict: () => import("./views/predict.js").then((m) => m.createPredictView),
  gradcheck: () => import("./views/gradcheck.js").then((m) => m.createGradCheckView),
  playground: () => import("./views/playground.js").then((m) => m.createPlaygroundView),
};

const isolated = globalThis.crossOriginIsolated === true;
const announcer = byId<HTMLParagraphElement>("announcer");
const ctx: AppContext = {
  backends: detectBackends(isolated),
  model: new ModelStore(),
  worker: new TrainClient(),
  announce(text) {
    // Clear first so that the same text twice is announced twice.
    announcer.textContent = "";
    requestAnimationFrame(() => {
      announcer.textContent = text;
    });
  },
};

// ---- view switcher ----

const nav = attr(byId<HTMLElement>("views"), "aria-label", "app.views");
const main = byId<HTMLElement>("main");
const links = new Map<ViewName, HTMLAnchorElement>();
for (const v of VIEWS) {
  const a = h("a", { href: `?view=${v}`, id: `nav-${v}`, "data-view": v }, tx(titleKey(v)));
  a.addEventListener("click", (e) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    setParams({ view: v === "graph" ? null : v }, true);
    void showView(v);
  });
  links.set(v, a);
  nav.querySelector("ul")!.append(h("li", {}, a));
}

const views = new Map<ViewName, View>();
let currentView: ViewName | null = null;

function currentName(): ViewName {
  const v = param("view");
  return isView(v) ? v : "graph";
}

/** Keeps each link's href the current URL with its own view, so a copied link keeps the settings. */
function updateLinks(): void {
  for (const [v, a] of links) {
    const p = params();
    if (v === "graph") p.delete("view");
    else p.set("view", v);
    const q = p.toString();
    a.href = q === "" ? location.pathname : `?${q}`;
    if (v === currentView) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
}

async function showView(name: ViewName): Promise<void> {
  if (currentView !== null && currentView !== name) {
    const old = views.get(currentView);
    if (old !== undefined) {
      old.element.hidden = true;
      old.hide?.();
    }
  }
  currentView = name;
  document.title = t("app.docTitle", { view: t(titleKey(name)) });
  document.body.dataset.view = name;
  updateLinks();
  let view = views.get(name);
  if (view === undefined) {
    main.setAttribute("aria-busy", "true");
    const factory = await LOADERS[name]();
    view = factory(ctx);
    views.set(name, view);
    main.append(view.element);
    main.removeAttribute("aria-busy");
  } else {
    view.show?.();
  }
  if (currentView !== name) return; // another view was chosen while this one loaded
  view.element.hidden = false;
  document.body.dataset.ready = name;
}

onParamsChange(() => {
  const wanted = langFromPage();
  if (wanted !== lang()) setLang(wanted);
  void showView(currentName());
});
addEventListener("bp:params", updateLinks);

// ---- diagnostics (collapsed; nothing here is a live region) ----

const diag = {
  frames: 0,
  /** Frames drawn in the last full second. */
  fps: 0,
};
(globalThis as unknown as { bpDiagnostics: typeof diag }).bpDiagnostics = diag;
const fpsOut = byId<HTMLSpanElement>("diag-fps");
let secondStart = performance.now();
let framesAtSecond = 0;
const tick = (now: number): void => {
  diag.frames++;
  if (now - secondStart >= 1000) {
    diag.fps = Math.round(((diag.frames - framesAtSecond) * 1000) / (now - secondStart));
    fpsOut.textContent = String(diag.fps);
    secondStart = now;
    framesAtSecond = diag.frames;
  }
  requestAnimationFrame(tick);
};
requestAnimationFrame(tick);

fill(byId<HTMLSpanElement>("diag-isolated"), isolated ? "diag.isolatedYes" : "diag.isolatedNo");
byId<HTMLUListElement>("diag-backends").replaceChildren(
  ...ctx.backends.choices.map((c) =>
    h(
      "li",
      {},
      h("strong", {}, c.name),
      tx("diag.backend", () => ({ state: t(c.available ? "diag.available" : "diag.unavailable"), reason: c.reason })),
    ),
  ),
);
const paintOut = byId<HTMLSpanElement>("diag-paint");
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.name === "first-contentful-paint")
      paintOut.replaceChildren(tx("diag.paintMs", { ms: Math.round(e.startTime) }));
  }
}).observe({ type: "paint", buffered: true });

void restoreChosenRun(ctx.model).catch(() => undefined);
void showView(currentName());
