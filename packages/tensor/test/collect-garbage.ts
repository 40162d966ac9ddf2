// A garbage collection from inside a vitest process (which runs without --expose-gc), for tests of
// the wasm backend's FinalizationRegistry: the flag is set at run time and gc() taken from a fresh
// context, then a few macrotasks let the registry's callbacks run.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** Runs gc() and yields to the event loop, up to `rounds` times or until `until()` holds. */
export async function collectGarbage(until: () => boolean = () => false, rounds = 20): Promise<void> {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  for (let i = 0; i < rounds && !until(); i++) {
    gc();
    for (let j = 0; j < 3; j++) await new Promise((resolve) => setTimeout(resolve, 0));
  }
}
