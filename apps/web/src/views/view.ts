// What every view gives the shell (main.ts), and what the shell gives every view.
import type { Backends } from "../backends.js";
import type { ModelStore } from "../model-store.js";
import type { TrainClient } from "../train-client.js";

export interface AppContext {
  backends: Backends;
  /** The net the Predict view uses: the last trained one, or one loaded from a file. */
  model: ModelStore;
  /** The one training Worker (training and the gradient check run there). */
  worker: TrainClient;
  /** Says something once in the page's polite status region (never per frame or per iteration). */
  announce(text: string): void;
}

export interface View {
  element: HTMLElement;
  /** The view became visible (its URL parameters may have changed while it was hidden). */
  show?(): void;
  hide?(): void;
}

export type ViewFactory = (ctx: AppContext) => View;
