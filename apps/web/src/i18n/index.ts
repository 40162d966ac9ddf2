// The page's languages: English (the catalogue of keys, en.ts), Korean, Japanese and Simplified
// Chinese, each a catalogue typed against en.ts (a missing key fails the type-check). The choice
// comes from `?lang=` (url-state.ts), else the one remembered in localStorage, else the first of
// `navigator.languages` that the page speaks, else English.
//
// `t(key, params)` gives a string; `tx`/`rich` give nodes that follow the language when it
// changes (static labels), and `onLang` tells a view to draw its changing texts again. Parameters
// in a message are `{name}`; a number parameter is formatted for the language with Intl (exact
// float64 values are passed as strings, `String(x)`, so that they read as JavaScript prints them);
// text between backticks is code (`rich` renders it as <code>).
import { en, type Catalogue, type MessageKey } from "./en.js";
import { ja } from "./ja.js";
import { ko } from "./ko.js";
import { zhHans } from "./zh-Hans.js";

export type { Catalogue, MessageKey };

export const LANGS = ["en", "ko", "ja", "zh-Hans"] as const;
export type Lang = (typeof LANGS)[number];

export const CATALOGUES: Record<Lang, Catalogue> = { en, ko, ja, "zh-Hans": zhHans };

/** Each language in its own words, for the picker. */
export const LANG_NAMES: Record<Lang, string> = { en: "English", ko: "한국어", ja: "日本語", "zh-Hans": "简体中文" };

/** The key under which localStorage remembers the last choice. */
export const STORAGE_KEY = "bp-lang";

export function isLang(v: string | null | undefined): v is Lang {
  return v !== null && v !== undefined && (LANGS as readonly string[]).includes(v);
}

/** The language a BCP 47 tag asks for, if the page speaks it: ko-KR → ko, ja → ja, zh-CN /
 * zh-SG / zh-Hans-* → zh-Hans (zh-TW, zh-HK and zh-Hant are Traditional: not offered), en-* → en. */
export function langOfTag(tag: string): Lang | null {
  const t = tag.toLowerCase();
  if (t === "zh-hans" || t.startsWith("zh-hans-")) return "zh-Hans";
  const [base, region] = t.split("-");
  if (base === "zh") return region === undefined || region === "cn" || region === "sg" ? "zh-Hans" : null;
  return isLang(base ?? null) ? (base as Lang) : null;
}

/** The first of the browser's languages that the page speaks, else English. */
export function browserLang(languages: readonly string[]): Lang {
  for (const tag of languages) {
    const l = langOfTag(tag);
    if (l !== null) return l;
  }
  return "en";
}

/** `?lang=` first, then the remembered choice, then the browser's languages. */
export function chooseLang(fromUrl: string | null, remembered: string | null, languages: readonly string[]): Lang {
  if (isLang(fromUrl)) return fromUrl;
  if (isLang(remembered)) return remembered;
  return browserLang(languages);
}

let current: Lang = "en";

export function lang(): Lang {
  return current;
}

const numberFormats = new Map<string, Intl.NumberFormat>();

/** A number for prose in `language` (grouping and decimal signs as it writes them). */
function formatNumber(language: Lang, n: number, options?: Intl.NumberFormatOptions): string {
  const id = `${language}|${JSON.stringify(options ?? {})}`;
  let f = numberFormats.get(id);
  if (f === undefined) {
    f = new Intl.NumberFormat(language, options);
    numberFormats.set(id, f);
  }
  return f.format(n);
}

/** A number for prose in the current language. */
export function num(n: number, options?: Intl.NumberFormatOptions): string {
  return formatNumber(current, n, options);
}

export type Params = Record<string, string | number>;

/** The message `key` in `language` with its `{name}` parameters filled in. */
export function translate(language: Lang, key: MessageKey, params: Params = {}): string {
  const text = CATALOGUES[language][key];
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = params[name];
    if (v === undefined) return whole;
    return typeof v === "number" ? formatNumber(language, v) : v;
  });
}

/** The message `key` in the current language. */
export function t(key: MessageKey, params?: Params): string {
  return translate(current, key, params);
}

/** Parameters may change with the language (a translated name): give a function then. */
type LiveParams = Params | (() => Params);
const paramsOf = (p: LiveParams | undefined): Params | undefined => (typeof p === "function" ? p() : p);

interface Live {
  ref: WeakRef<Node>;
  render: (node: Node) => void;
}
const live = new Set<Live>();

function follow<N extends Node>(node: N, render: (node: N) => void): N {
  render(node);
  live.add({ ref: new WeakRef(node), render: render as (node: Node) => void });
  return node;
}

/** A text node of message `key` that follows the language. */
export function tx(key: MessageKey, params?: LiveParams): Text {
  return follow(document.createTextNode(""), (n) => {
    n.data = t(key, paramsOf(params));
  });
}

/** A text node drawn by `render` now and again after every change of language. */
export function liveText(render: () => string): Text {
  return follow(document.createTextNode(""), (n) => {
    n.data = render();
  });
}

/** Text with `code` spans as DOM nodes. */
export function richNodes(text: string): Node[] {
  return text
    .split("`")
    .map((part, i) => (i % 2 === 1 ? Object.assign(document.createElement("code"), { textContent: part }) : part))
    .filter((p) => p !== "")
    .map((p) => (typeof p === "string" ? document.createTextNode(p) : p));
}

/** Fills `el` with message `key` (its `code` parts as <code>), following the language. */
export function fill<E extends Element>(el: E, key: MessageKey, params?: LiveParams): E {
  return follow(el, (e) => e.replaceChildren(...richNodes(t(key, paramsOf(params)))));
}

/** A span of message `key` (its `code` parts as <code>) that follows the language. */
export function rich(key: MessageKey, params?: LiveParams): HTMLSpanElement {
  return fill(document.createElement("span"), key, params);
}

/** Sets attribute `name` of `el` to message `key`, following the language. */
export function attr<E extends Element>(el: E, name: string, key: MessageKey, params?: LiveParams): E {
  return follow(el, (e) => e.setAttribute(name, t(key, paramsOf(params))));
}

const listeners = new Set<() => void>();

/** Calls `listener` after every change of language (views draw their changing texts again). */
export function onLang(listener: () => void): void {
  listeners.add(listener);
}

/** Switches the page to `language`: <html lang>, every following node, then the listeners. */
export function setLang(language: Lang): void {
  current = language;
  if (typeof document !== "undefined") document.documentElement.lang = language;
  for (const l of live) {
    const node = l.ref.deref();
    if (node === undefined) live.delete(l);
    else l.render(node);
  }
  for (const listener of listeners) listener();
}

/** Remembers the choice (a page where storage is refused just does not remember). */
export function rememberLang(language: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Storage refused (private mode, sandbox): the URL still carries the choice.
  }
}

export function rememberedLang(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}
