/** Longest name or value quoted in an error message; longer ones are cut with "...". */
const SHOWN_CHARS = 60;
/** Most names listed in an error message; the rest are counted ("and 995 more"). */
const SHOWN_NAMES = 5;

/**
 * `s` cut to 60 characters: names and values read from a file come from anyone, and a message
 * that quotes them must stay one short line.
 */
export function shortText(s: string): string {
  return s.length > SHOWN_CHARS ? `${s.slice(0, SHOWN_CHARS)}...` : s;
}

/** A value read from a file, as JSON, cut to 60 characters. */
export function shortJson(v: unknown): string {
  return shortText(JSON.stringify(v) ?? String(v));
}

/** At most five names (each cut short), then how many more: "a, b, c, d, e and 995 more". */
export function listNames(names: readonly string[]): string {
  const shown = names.slice(0, SHOWN_NAMES).map(shortText).join(", ");
  return names.length > SHOWN_NAMES ? `${shown} and ${names.length - SHOWN_NAMES} more` : shown;
}
