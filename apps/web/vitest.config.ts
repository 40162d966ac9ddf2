import { packageConfig } from "@bp/config/vitest";

// The end-to-end test starts `vite preview` on the built dist and drives Chromium through three
// short training runs, so it gets minutes rather than the default 30 s.
export default packageConfig({ testTimeout: 120_000 });
