// How much memory a run may use, and the check that refuses one that needs more before anything
// big is allocated (issue 20: `--net simple-conv --hidden 100000` went past 12 GiB in iteration 1).
import { readFileSync } from "node:fs";
import { freemem, totalmem } from "node:os";
import { estimateMemory, formatBytes, netLayout, type MemoryEstimate, type MemoryRun, type NetLayout } from "@bp/nets";
import { BpError, type Tensor } from "@bp/tensor";
import type { OptionSpec, Values } from "./args.js";
import { squareImage } from "./convNet.js";
import { UsageError } from "./errors.js";
import type { NetSpec } from "./netOptions.js";

export const MAX_MEMORY_OPTION: OptionSpec = {
  name: "max-memory",
  type: "string",
  arg: "SIZE",
  description: "refuse a run whose estimated memory is larger (e.g. 512M, 4G, or bytes)",
  default: "2/3 of the memory available now (free memory, or the cgroup limit if lower)",
};

/**
 * What Node and bp's code take before any tensor: measured as the peak RSS of `bp train --help`
 * (54 MiB on Node 20) plus the V8 heap of a run's bookkeeping, rounded up.
 */
export const RUNTIME_BYTES = 96 * 2 ** 20;

/** A run that would need more memory than the limit. Exit status 1. */
export class MemoryLimitError extends BpError {
  override name = "MemoryLimitError";
}

export interface MemoryLimit {
  bytes: number;
  /** Where the limit comes from, for the message. */
  source: string;
}

const UNITS: Record<string, number> = { "": 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/** "512M", "4G", "1.5GiB", "300MB", "1048576" as bytes (K, M, G, T are powers of 1024). */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i.exec(text.trim());
  if (m === null) return Number.NaN;
  return Math.floor(Number(m[1]) * UNITS[m[2]!.toLowerCase()]!);
}

/** The cgroup memory limit of this process (v2 memory.max, else v1), or undefined when none. */
function cgroupLimit(): number | undefined {
  for (const file of ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"]) {
    try {
      const v = Number(readFileSync(file, "utf8").trim());
      // "max", or v1's "unlimited" (a number near 2^63).
      if (Number.isFinite(v) && v > 0 && v < 2 ** 60) return v;
    } catch {
      // Not on this system.
    }
  }
  return undefined;
}

/** The share of the available memory a run may take by default: the estimate can be low by up
 * to 1.5x (what the memory-budget test allows), and a run that is must still fit. */
export const DEFAULT_SHARE = 2 / 3;

/**
 * The limit of a run: --max-memory if given (it replaces the automatic limit either way), else two
 * thirds (`DEFAULT_SHARE`) of the memory available now: the free memory the system reports (on
 * Linux `MemAvailable`, which counts caches it can drop), or the cgroup limit if that is lower.
 * Available memory, not the total: a run that fits in the machine but not beside what already
 * runs would swap or be killed.
 */
export function memoryLimit(values: Values): MemoryLimit {
  const raw = values["max-memory"];
  if (raw !== undefined) {
    const bytes = typeof raw === "string" ? parseSize(raw) : Number.NaN;
    if (!(bytes >= 2 ** 20))
      throw new UsageError(
        `--max-memory must be a size of at least 1M (e.g. 512M, 4G, 1.5GiB, or bytes), got ${JSON.stringify(raw)}`,
      );
    return { bytes, source: "--max-memory" };
  }
  const free = Math.min(freemem(), totalmem());
  const cgroup = cgroupLimit();
  const [available, what] =
    cgroup !== undefined && cgroup < free ? [cgroup, "the cgroup memory limit"] : [free, "the memory available now"];
  return {
    bytes: Math.floor(available * DEFAULT_SHARE),
    source: `two thirds of ${what}, ${formatBytes(available)}; set another with --max-memory`,
  };
}

/** Bytes held by these tensors (distinct storage counted once). */
export function tensorBytes(...tensors: Tensor[]): number {
  const seen = new Set<unknown>();
  let n = 0;
  for (const t of tensors) {
    if (seen.has(t.data)) continue;
    seen.add(t.data);
    n += t.data.byteLength;
  }
  return n;
}

/** The estimate of `run` on `layout`, plus Node's own share. */
export function runEstimate(layout: NetLayout, run: MemoryRun): MemoryEstimate & { runtime: number } {
  const e = estimateMemory(layout, run);
  return { ...e, bytes: e.bytes + RUNTIME_BYTES, runtime: RUNTIME_BYTES };
}

/**
 * Refuses (MemoryLimitError naming the estimate, its largest parts and the limit) a run whose
 * estimate exceeds the limit. `what` names the run ("training SimpleConvNet ...").
 */
export function checkMemory(op: string, what: string, estimate: MemoryEstimate, limit: MemoryLimit): void {
  if (estimate.bytes <= limit.bytes) return;
  const parts = Object.entries(estimate.parts)
    .filter(([, b]) => b > 0)
    .sort(([, a], [, b]) => b - a)
    .map(([k, b]) => `${k.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)} ${formatBytes(b)}`)
    .join(", ");
  throw new MemoryLimitError(
    op,
    `${what} needs about ${formatBytes(estimate.bytes)} of memory (${parts}), more than the limit of ${formatBytes(limit.bytes)} (${limit.source})`,
  );
}

/** The layout of the net `bp train` / `bp gradcheck` would build for `spec` (no tensor made). */
export function specLayout(spec: NetSpec, inputSize: number, outputSize: number): NetLayout {
  const multi = { inputSize, hiddenSizeList: spec.hidden, outputSize, activation: spec.activation };
  const description =
    spec.net === "two"
      ? { kind: "TwoLayerNet" as const, config: { inputSize, hiddenSize: spec.hidden[0], outputSize } }
      : spec.net === "simple-conv"
        ? {
            kind: "SimpleConvNet" as const,
            config: { inputDim: squareImage(inputSize), hiddenSize: spec.hidden[0], outputSize },
          }
        : spec.net === "multi"
          ? { kind: "MultiLayerNet" as const, config: multi }
          : {
              kind: "MultiLayerNetExtend" as const,
              config: {
                ...multi,
                useBatchnorm: spec.batchnorm,
                useDropout: spec.dropout !== undefined,
                dropoutRatio: spec.dropout ?? 0.5,
              },
            };
  return netLayout(description);
}
