import { packageConfig } from "@bp/config/vitest";

// Training runs inside some tests (2 epochs of MNIST), so allow minutes rather than seconds.
export default packageConfig({ testTimeout: 300_000 });
