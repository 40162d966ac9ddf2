import { packageConfig } from "@bp/config/vitest";

// The end-to-end tests start `vite preview` on the built dist and drive Chromium through every
// view, including short training runs, so a test gets minutes rather than the default 30 s.
export default packageConfig({ testTimeout: 120_000 });
