// No English sentence is left in the page's code outside the catalogue (src/i18n): every
// user-visible text goes through t()/tx(). A string literal with three or more words in a row
// is taken for a sentence; comments, CSS class lists and the few developer-facing messages
// listed here are not user-visible.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { expect, test } from "vitest";
import { appDir } from "./harness.js";

const src = join(appDir, "src");
/** Texts only a developer sees (a page built without one of its own elements). */
const DEVELOPER_ONLY = [/the page has no element/];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === "i18n" ? [] : files(p);
    return e.name.endsWith(".ts") ? [p] : [];
  });
}

/** String and template literals of a line of code (comments removed). */
function literals(line: string): string[] {
  const code = line.replace(/^\s*(\/\/|\*|\/\*).*$/, "").replace(/\s\/\/\s.*$/, "");
  return [...code.matchAll(/"((?:[^"\\]|\\.)*)"|`((?:[^`\\]|\\.)*)`|'((?:[^'\\]|\\.)*)'/g)].map(
    (m) => m[1] ?? m[2] ?? m[3] ?? "",
  );
}

test("no English sentence outside the catalogue", () => {
  const found: string[] = [];
  for (const file of files(src)) {
    for (const [i, line] of readFileSync(file, "utf8").split("\n").entries()) {
      if (/^\s*(class|"class"):|\bclass: /.test(line)) continue;
      for (const text of literals(line)) {
        const words = text.replace(/\$\{[^}]*\}/g, " ");
        if (!/[A-Za-z]{2,} [a-z]{2,} [a-z]{2,}/.test(words)) continue;
        if (DEVELOPER_ONLY.some((r) => r.test(text))) continue;
        found.push(`${relative(appDir, file)}:${i + 1}: ${text}`);
      }
    }
  }
  expect(found).toEqual([]);
});
