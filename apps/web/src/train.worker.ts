// The dedicated module Worker that does all the tensor work; the page only sends requests and
// draws what comes back. Its parts: train-data.ts fetches the MNIST chunks a run needs and makes
// the tensors, train-run.ts trains (Trainer, pause/step/stop), train-posts.ts says what a run
// shows, train-gradcheck.ts runs the gradient check; this file hands each message to its part.
import { setLang } from "./i18n/index.js";
import type { PageMessage } from "./messages.js";
import { gradCheck } from "./train-gradcheck.js";
import { control, start } from "./train-run.js";
import { post, scope } from "./train-scope.js";

function handle(m: PageMessage): Promise<void> | void {
  if (m.type === "lang") return setLang(m.lang);
  if (m.type === "start") return start(m.config, m.paused);
  if (m.type === "gradcheck") return gradCheck(m);
  control(m);
}

scope.addEventListener("message", (e) => {
  Promise.resolve()
    .then(() => handle(e.data))
    .catch((err: unknown) => {
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      post({ type: "error", about: e.data.type === "gradcheck" ? "gradcheck" : "train", message });
    });
});
