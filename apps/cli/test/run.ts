import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../src/index.js";

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs `bp` in this process with captured, non-TTY streams. */
export async function bp(args: string[], env: Record<string, string> = {}, tty = false): Promise<RunResult> {
  let stdout = "";
  let stderr = "";
  const status = await main(args, {
    stdout: { write: (s: string) => (stdout += s), isTTY: tty },
    stderr: { write: (s: string) => (stderr += s), isTTY: tty },
    env,
  });
  return { status, stdout, stderr };
}

export const BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "bin.js");

/** Runs the built `bp` (dist/bin.js) as a child process. */
export function bpProcess(args: string[], env: Record<string, string> = {}): RunResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", ...env },
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
