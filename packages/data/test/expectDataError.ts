import { expect } from "vitest";
import { DataError } from "@bp/data";

/** Runs `f`, expects it to throw a DataError, and returns it. */
export function errorOf(f: () => unknown): DataError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return e as DataError;
  }
  throw new Error("expected a DataError");
}
