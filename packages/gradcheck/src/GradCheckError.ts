import { BpError } from "@bp/tensor";
import type { CheckReport } from "./compare.js";
import { formatReport } from "./compare.js";

/** Thrown by a check run with `throwOnFailure: true` when some value is out of tolerance; carries
 * the full report, and its message is the report's table. */
export class GradCheckError extends BpError {
  override name = "GradCheckError";

  constructor(readonly report: CheckReport) {
    super(report.title, `values out of tolerance\n${formatReport(report)}`);
  }
}

/** Returns the report, or throws it as a `GradCheckError` when it failed and `throwOnFailure` is set. */
export function settle(report: CheckReport, throwOnFailure = false): CheckReport {
  if (throwOnFailure && !report.passed) throw new GradCheckError(report);
  return report;
}
