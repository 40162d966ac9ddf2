// The tfjs cross-check must work from a plain Node script against the built package, not only
// under vitest: tfjs-core's Node build registers no gradients, and loadTfjs registers them itself.
// The script is the README's "Cross-check against TensorFlow.js" example, run with `node`.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildDist, packageDir, runNode } from "./builtDist.js";

beforeAll(buildDist, 180_000);

/** The first ```js block after `heading` in the README, and the ```text block that follows it. */
function readmeExample(heading: string): { code: string; output: string } {
  const readme = readFileSync(join(packageDir, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf(heading));
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  const output = /```js\n[\s\S]*?```\s*```text\n([\s\S]*?)```/.exec(section)?.[1];
  if (heading === "" || code === undefined || output === undefined)
    throw new Error(`README.md has no js + text example under '${heading}'`);
  return { code, output };
}

describe("@bp/gradcheck/tfjs from plain node", () => {
  it("the README's cross-check script passes against tfjs and prints what the README shows", () => {
    const { code, output } = readmeExample("## Cross-check against TensorFlow.js");
    mkdirSync(join(packageDir, ".tmp"), { recursive: true });
    writeFileSync(join(packageDir, ".tmp", "cross-check.mjs"), code);
    const r = runNode(".tmp/cross-check.mjs");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(output);
  });
});
