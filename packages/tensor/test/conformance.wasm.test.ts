// The conformance suite on the wasm backend (matmul in WebAssembly SIMD, every other op on the
// shared TypeScript kernels).
import { createWasmBackend } from "../src/wasm/index.js";
import { runConformanceSuite } from "./conformance/suite.js";

runConformanceSuite("wasm", () => createWasmBackend());
