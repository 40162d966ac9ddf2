import { packageConfig } from "@bp/config/vitest";

export default packageConfig();
