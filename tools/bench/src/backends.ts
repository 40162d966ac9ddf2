// The backends the benchmark measures, one entry each. Every entry produces rows; an entry with
// `vs` gets a ratio column against that backend's row for the same bench, shape and dtype (or its
// float32 row when that backend has no such dtype). Add a backend by adding an entry here.
import { cpu } from "@bp/tensor";
import { bpBackend } from "./bp-target.js";
import type { BenchBackend } from "./target.js";
import { tfjsCpu } from "./tfjs-target.js";

export const BACKENDS: readonly BenchBackend[] = [
  tfjsCpu(),
  bpBackend({ name: "cpu", make: () => cpu, vs: "tfjs-cpu" }),
];
