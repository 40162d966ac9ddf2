// The page's side of the training worker: one Worker, started when first needed, whose messages
// go to whoever listens (the Train and Gradient-check views). A worker that failed is replaced on
// the next request.
import { type Lang, lang, t } from "./i18n/index.js";
import type { PageMessage, WorkerMessage } from "./messages.js";

type Listener = (m: WorkerMessage) => void;

export class TrainClient {
  private worker: Worker | null = null;
  private readonly listeners = new Set<Listener>();
  /** The language the worker writes its messages in. */
  private workerLang: Lang | null = null;

  send(m: PageMessage): void {
    const w = this.ensure();
    if (this.workerLang !== lang()) {
      this.workerLang = lang();
      w.postMessage({ type: "lang", lang: this.workerLang } satisfies PageMessage);
    }
    w.postMessage(m);
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Ends the worker (and the worker backend's threads); the next request starts a new one. */
  terminate(): void {
    this.worker?.terminate();
    this.worker = null;
    this.workerLang = null;
  }

  private emit(m: WorkerMessage): void {
    for (const l of this.listeners) l(m);
  }

  private ensure(): Worker {
    if (this.worker !== null) return this.worker;
    const w = new Worker(new URL("./train.worker.ts", import.meta.url), { type: "module" });
    w.addEventListener("message", (ev: MessageEvent<WorkerMessage>) => this.emit(ev.data));
    w.addEventListener("error", (ev) => {
      this.terminate();
      const message = t("worker.failed", { error: ev.message || t("worker.notLoaded") });
      this.emit({ type: "error", about: "train", message });
      this.emit({ type: "error", about: "gradcheck", message });
    });
    this.worker = w;
    return w;
  }
}
