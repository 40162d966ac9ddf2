import { shortText } from "@bp/data";

/** Most names listed in an error message; the rest are counted ("and 995 more"). */
const SHOWN_NAMES = 5;

/** At most five names (each cut short), then how many more: "a, b, c, d, e and 995 more". */
export function listNames(names: readonly string[]): string {
  const shown = names.slice(0, SHOWN_NAMES).map(shortText).join(", ");
  return names.length > SHOWN_NAMES ? `${shown} and ${names.length - SHOWN_NAMES} more` : shown;
}
