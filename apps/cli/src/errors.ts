/** A mistake in how the command was called (unknown option, bad value): exit status 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Exit statuses of `bp`. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
