// How much memory a run may use, and the check that refuses one that needs more before anything
// big is allocated (issue 20: `--net simple-conv --hidden 100000` went past 12 GiB in iteration 1).
import { readFileSync, statSync } from "node:fs";
import { freemem, totalmem } from "node:os";
import {
  specDescription,
  estimateMemory,
  evaluationRows,
  formatBytes,
  netLayout,
  optimizerSlots,
  type MemoryEstimate,
  type MemoryRun,
  type NetLayout,
} from "@bp/nets";
import { BpError, type FloatDType, type Tensor } from "@bp/tensor";
import type { OptionSpec, Values } from "./args.js";
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

/** An estimate in bytes with its named parts (the library's, plus the CLI's own). */
export interface Estimate {
  bytes: number;
  parts: Record<string, number>;
}

/** The estimate of `run` on `layout`, plus Node's own share and `extra` parts. */
export function runEstimate(layout: NetLayout, run: MemoryRun, extra: Record<string, number> = {}): Estimate {
  const e: MemoryEstimate = estimateMemory(layout, run);
  const parts: Record<string, number> = { ...e.parts, runtime: RUNTIME_BYTES, ...extra };
  return { bytes: Object.values(parts).reduce((a, b) => a + b, 0), parts };
}

/**
 * Refuses (MemoryLimitError naming the estimate, its largest parts and the limit) a run whose
 * estimate exceeds the limit. `what` names the run ("training SimpleConvNet ...").
 */
export function checkMemory(op: string, what: string, estimate: Estimate, limit: MemoryLimit): void {
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
  return netLayout(specDescription({ ...spec, inputSize, outputSize }));
}

/** Rows of one evaluation forward pass of `bp eval`/`predict` for a row net (image nets: 100). */
export const EVAL_CHUNK = 1000;

/** The data a command holds, for the estimates below. */
export interface HeldData {
  /** Rows of the largest set evaluated at once. */
  rows: number;
  /** Bytes of the data tensors. */
  bytes: number;
}

/** `bp train`'s estimate: a minibatch of `batch` rows, the optimizer's state, evaluation over
 * every row (a row net evaluates a whole set at once), the data. */
export function trainEstimate(
  spec: NetSpec,
  inputSize: number,
  outputSize: number,
  o: { dtype: FloatDType; batch: number; optimizer: string; data: HeldData },
): Estimate {
  const layout = specLayout(spec, inputSize, outputSize);
  return runEstimate(layout, {
    dtype: o.dtype,
    batch: o.batch,
    optimizerSlots: optimizerSlots(o.optimizer),
    evalRows: evaluationRows(layout.inputShape, o.data.rows),
    dataBytes: o.data.bytes,
    weightDecay: spec.weightDecay > 0,
  });
}

/** `bp gradcheck`'s estimate: backprop and numerical gradients of `count` rows. */
export function gradcheckEstimate(
  spec: NetSpec,
  inputSize: number,
  outputSize: number,
  o: { dtype: FloatDType; count: number; dataBytes: number },
): Estimate {
  return runEstimate(specLayout(spec, inputSize, outputSize), {
    dtype: o.dtype,
    batch: o.count,
    gradcheck: true,
    dataBytes: o.dataBytes,
    weightDecay: spec.weightDecay > 0,
  });
}

/** The bytes of a model file's tensors: read whole, then copied into the net's tensors, so a
 * loaded model counts twice (the file's buffer may outlive the decoding until a collection). */
function fileBytes(layout: NetLayout, dtype: FloatDType): number {
  return estimateMemory(layout, { dtype }).parts.params;
}

/** `bp eval`/`predict`'s estimate: the model file, the net, one evaluation chunk, the test set. */
export function evalEstimate(layout: NetLayout, dtype: FloatDType, data: HeldData): Estimate {
  const run = { dtype, evalRows: evaluationRows(layout.inputShape, data.rows, EVAL_CHUNK), dataBytes: data.bytes };
  return runEstimate(layout, run, { file: fileBytes(layout, dtype) });
}

/** `bp filters --model`'s estimate: the model file, the net and a fresh one of the same layout. */
export function filtersEstimate(layout: NetLayout, dtype: FloatDType): Estimate {
  return runEstimate(layout, { dtype, extraNets: 1 }, { file: fileBytes(layout, dtype) });
}

/** Refuses to read a model file whose tensors alone (read, then copied) would pass the limit. */
export function checkModelFile(op: string, path: string, limit: MemoryLimit): void {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return; // The reader reports a missing file.
  }
  checkMemory(
    op,
    `reading ${path}`,
    { bytes: RUNTIME_BYTES + 2 * size, parts: { file: size, tensors: size, runtime: RUNTIME_BYTES } },
    limit,
  );
}
