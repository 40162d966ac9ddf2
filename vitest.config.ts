// `npx vitest` at the repository root runs every package's suites, each with its own config
// (Node suites, and the Chromium suite of @bp/tensor). CI runs them per package through turbo
// (`pnpm test`), which also writes the reports the closing "N passed, N failed" line counts.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: ["packages/*/vitest.config.ts", "apps/*/vitest.config.ts", "packages/tensor/vitest.browser.config.ts"],
  },
});
