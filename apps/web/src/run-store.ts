// Every run the Train view ends (finished, stopped, diverged or failed) kept in IndexedDB: its
// settings, minibatch losses, accuracy curve and, when it has one, the net as `encodeNet` bytes.
// The id of the run that Predict uses is kept there too, so a reload keeps the trained nets.
import { t } from "./i18n/index.js";
import type { EpochRow, TrainConfig } from "./messages.js";
import { type ModelStore, modelFromBytes } from "./model-store.js";

export type RunOutcome = "finished" | "stopped" | "diverged" | "failed";

export interface RunRecord {
  id: number;
  /** "Run 3: TwoLayerNet, sgd lr 0.1, 1200 iterations". */
  title: string;
  outcome: RunOutcome;
  /** Why a run is marked diverged or failed, in words. */
  note: string;
  config: TrainConfig;
  losses: number[];
  curve: [number, number, number | null][];
  final: EpochRow | null;
  model: Uint8Array | null;
}

const DB = "bp-runs";
const RUNS = "runs";
const META = "meta";

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => {
      req.result.createObjectStore(RUNS, { keyPath: "id", autoIncrement: true });
      req.result.createObjectStore(META);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function request<T>(store: string, mode: IDBTransactionMode, op: (s: IDBObjectStore) => IDBRequest): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const req = op(db.transaction(store, mode).objectStore(store));
      req.onsuccess = () => resolve(req.result as T);
      req.onerror = () => reject(req.error);
    });
  } finally {
    db.close();
  }
}

/** Keeps a run; gives it the next id (and "Run <id>" at the start of its title). */
export async function saveRun(run: Omit<RunRecord, "id">): Promise<RunRecord> {
  const id = await request<number>(RUNS, "readwrite", (s) => s.add(run));
  const kept = { ...run, id, title: t("runs.titled", { id: String(id), title: run.title }) };
  await request(RUNS, "readwrite", (s) => s.put(kept));
  return kept;
}

export const listRuns = (): Promise<RunRecord[]> => request<RunRecord[]>(RUNS, "readonly", (s) => s.getAll());

export const chosenRunId = (): Promise<number | undefined> =>
  request<number | undefined>(META, "readonly", (s) => s.get("predict"));

export const chooseRun = (id: number): Promise<unknown> => request(META, "readwrite", (s) => s.put(id, "predict"));

/** The longest name a run may be given. */
export const MAX_RUN_NAME = 200;

/** Gives run `id` a new title (the name the list, the overlay and Predict show); refuses an empty
 * or overlong name with a RangeError that says what to enter. */
export async function renameRun(id: number, title: string): Promise<RunRecord> {
  const name = title.trim();
  if (name === "") throw new RangeError(RUN_STORE_WORDS.emptyName);
  if (name.length > MAX_RUN_NAME) throw new RangeError(RUN_STORE_WORDS.longName(name.length));
  const run = await request<RunRecord | undefined>(RUNS, "readonly", (s) => s.get(id));
  if (run === undefined) throw new RangeError(RUN_STORE_WORDS.noRun(id));
  const renamed = { ...run, title: name };
  await request(RUNS, "readwrite", (s) => s.put(renamed));
  return renamed;
}

/** Deletes run `id` (and its net); when Predict had picked it, Predict's pick is forgotten.
 * Returns whether it was Predict's pick. */
export async function deleteRun(id: number): Promise<boolean> {
  const wasChosen = (await chosenRunId()) === id;
  await request(RUNS, "readwrite", (s) => s.delete(id));
  if (wasChosen) await request(META, "readwrite", (s) => s.delete("predict"));
  return wasChosen;
}

/** The messages of renameRun, in the page's language. */
export const RUN_STORE_WORDS = {
  get emptyName() {
    return t("runs.emptyName");
  },
  longName: (n: number) => t("runs.longName", { n, max: MAX_RUN_NAME }),
  noRun: (id: number) => t("runs.noRun", { id: String(id) }),
};

/** A run that reached the end or was stopped is good when its test accuracy beats guessing by a
 * margin (10 classes: 0.1 by chance); only good runs take over Predict without being picked. */
export function outcomeOf(state: "finished" | "stopped", final: EpochRow): { outcome: RunOutcome; note: string } {
  if (!Number.isFinite(final.testAccuracy) || final.testAccuracy < 0.2)
    return {
      outcome: "failed",
      note: t("runs.noteFailed", { accuracy: final.testAccuracy.toFixed(4) }),
    };
  return { outcome: state, note: t("runs.note", { accuracy: final.testAccuracy.toFixed(4) }) };
}

/** At page load: the net of the run picked for Predict, if one is kept. */
export async function restoreChosenRun(store: ModelStore): Promise<void> {
  const id = await chosenRunId();
  if (id === undefined || store.current !== null) return;
  const run = (await listRuns()).find((r) => r.id === id);
  if (run?.model) store.set({ ...modelFromBytes(run.model, `${run.title} (${run.note})`), runId: run.id });
}
