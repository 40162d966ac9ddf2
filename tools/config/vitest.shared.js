// Shared Vitest settings for every bp package: tests run from TypeScript sources through the
// "@bp/source" export condition, and each package writes a JSON report that
// tools/scripts/test-all.mjs adds up into the one closing "N passed, N failed" line.
import { defineConfig } from "vitest/config";

export const sourceConditions = ["@bp/source", "import", "module", "default"];

/** @param {{ testTimeout?: number, include?: string[] }} [options] */
export function packageConfig(options = {}) {
  return defineConfig({
    resolve: { conditions: sourceConditions },
    ssr: { resolve: { conditions: sourceConditions } },
    test: {
      include: options.include ?? ["test/**/*.test.ts"],
      testTimeout: options.testTimeout ?? 30_000,
      reporters: ["default", ["json", { outputFile: "reports/vitest.json" }]],
    },
  });
}
