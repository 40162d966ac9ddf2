// The page's state lives in the query string (?view=train&lr=0.1&...): a link reproduces the view,
// the graph's inputs and a training configuration. Only values that differ from their defaults are
// written, so links stay short.

export const VIEWS = ["graph", "netgraph", "layers", "train", "predict", "gradcheck", "playground"] as const;
export type ViewName = (typeof VIEWS)[number];

export function isView(v: string | null): v is ViewName {
  return v !== null && (VIEWS as readonly string[]).includes(v);
}

/** The page's language (`?lang=ko`): i18n/index.ts says which exist and which is the default. */
export const LANG_PARAM = "lang";

type Listener = () => void;
const listeners = new Set<Listener>();

/** The current query parameters. */
export function params(): URLSearchParams {
  return new URLSearchParams(location.search);
}

export function param(name: string): string | null {
  return params().get(name);
}

/**
 * Sets (or, for null or the default, removes) query parameters. `push` adds a history entry (view
 * changes, so Back returns to the previous view); otherwise the entry is replaced.
 */
export function setParams(changes: Record<string, string | null>, push = false): void {
  const p = params();
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) p.delete(k);
    else p.set(k, v);
  }
  const query = p.toString();
  const url = `${location.pathname}${query === "" ? "" : `?${query}`}${location.hash}`;
  if (url === `${location.pathname}${location.search}${location.hash}`) return;
  if (push) history.pushState(null, "", url);
  else history.replaceState(null, "", url);
  dispatchEvent(new Event("bp:params"));
}

/** Called on Back/Forward (popstate), when the whole state may have changed. */
export function onParamsChange(listener: Listener): void {
  listeners.add(listener);
}

addEventListener("popstate", () => {
  for (const l of listeners) l();
});
