// The environment every repo script runs its tools in. pnpm comes from corepack (the version pinned
// in package.json); turbo looks for a `pnpm` binary on PATH, so when none is there we put a
// two-line shim that calls `corepack pnpm` in .tmp/bin (git-ignored) and prepend it to PATH.
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

function onPath(bin) {
  return (process.env.PATH ?? "").split(delimiter).some((d) => d && existsSync(join(d, bin)));
}

export function workspaceEnv() {
  const env = {
    ...process.env,
    COREPACK_ENABLE_DOWNLOAD_PROMPT: "0",
    TURBO_TELEMETRY_DISABLED: "1",
    TURBO_NO_UPDATE_NOTIFIER: "1",
    DO_NOT_TRACK: "1",
  };
  if (!onPath("pnpm")) {
    const shimDir = join(root, ".tmp", "bin");
    const shim = join(shimDir, "pnpm");
    if (!existsSync(shim)) {
      mkdirSync(shimDir, { recursive: true });
      writeFileSync(shim, '#!/bin/sh\nexec corepack pnpm "$@"\n');
      chmodSync(shim, 0o755);
    }
    env.PATH = `${shimDir}${delimiter}${env.PATH ?? ""}`;
  }
  return env;
}
