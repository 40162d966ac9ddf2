// The conformance suite on the reference CPU backend.
import { cpu } from "../src/index.js";
import { runConformanceSuite } from "./conformance/suite.js";

runConformanceSuite("cpu", () => cpu);
