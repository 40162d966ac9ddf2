// Where WebAssembly SIMD (or WebAssembly itself) is missing, creating the wasm backend throws a
// BackendError naming what is missing. Absence is simulated by stubbing WebAssembly.validate (which
// the feature probe calls) or the WebAssembly global.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BackendError } from "../src/index.js";
import { createWasmBackend, missingWasmFeature } from "../src/wasm/index.js";

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  return null;
}

describe("wasm backend support check", () => {
  it("passes on this Node (WebAssembly SIMD is on by default since Node 16.4)", () => {
    expect(missingWasmFeature()).toBeNull();
  });

  it("throws a BackendError naming WebAssembly SIMD when the engine rejects SIMD code", async () => {
    vi.spyOn(WebAssembly, "validate").mockReturnValue(false);
    expect(missingWasmFeature()).toMatch(/WebAssembly SIMD/);
    const e = await rejection(createWasmBackend());
    expect(e).toBeInstanceOf(BackendError);
    expect((e as BackendError).op).toBe("createWasmBackend");
    expect((e as Error).message).toMatch(/^createWasmBackend: cannot run here: WebAssembly SIMD .* not supported/);
    expect((e as Error).message).toMatch(/Use the cpu backend/);
  });

  it("throws a BackendError naming WebAssembly when there is none", async () => {
    vi.stubGlobal("WebAssembly", undefined);
    const e = await rejection(createWasmBackend());
    expect(e).toBeInstanceOf(BackendError);
    expect((e as Error).message).toMatch(/WebAssembly is not available/);
  });

  it("the committed src/wasm/kernels.generated.ts is what scripts/build-wasm.mjs makes from assembly/", () => {
    const script = fileURLToPath(new URL("../scripts/build-wasm.mjs", import.meta.url));
    // Exits 1 with a message when the file differs from a fresh compile.
    expect(() => execFileSync(process.execPath, [script, "--check"], { stdio: "pipe" })).not.toThrow();
  }, 60_000);
});
