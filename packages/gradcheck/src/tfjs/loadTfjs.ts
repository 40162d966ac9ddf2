import { BpError, checkOptions } from "@bp/tensor";

/** The TensorFlow.js core namespace. */
export type Tfjs = typeof import("@tensorflow/tfjs-core");

export interface LoadTfjsOptions {
  /** Silence tfjs's console warnings, such as its "install tfjs-node" banner, by setting its
   * `PROD` flag (default true). */
  quiet?: boolean;
}

let loading: Promise<Tfjs> | undefined;

/**
 * Loads the optional peer dependencies @tensorflow/tfjs-core and @tensorflow/tfjs-backend-cpu,
 * registers tfjs's gradients and selects its "cpu" backend (float32). Loaded once per process.
 *
 * tfjs-core's Node build (`tf-core.node.js`) registers no gradients, and its
 * `dist/register_all_gradients.js` is an ES module whose own imports have no file extensions, which
 * Node's ESM loader refuses. Under Node this function therefore registers, before importing that
 * file, a module-resolution hook (`module.register`) that only touches relative, extensionless
 * imports made from inside tfjs-core's `dist/` and resolves them to `<path>.js` or
 * `<path>/index.js`. The gradients land in tfjs's global registry, which every copy of tfjs-core in
 * the process shares. Bundlers resolve such imports themselves and take the plain import.
 */
export function loadTfjs(options: LoadTfjsOptions = {}): Promise<Tfjs> {
  checkOptions("loadTfjs", options, "options");
  loading ??= load().catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading.then((tf) => {
    if (options.quiet ?? true) tf.env().set("PROD", true);
    return tf;
  });
}

async function load(): Promise<Tfjs> {
  let tf: Tfjs;
  try {
    tf = await import("@tensorflow/tfjs-core");
    await import("@tensorflow/tfjs-backend-cpu");
  } catch (err) {
    throw new BpError(
      "loadTfjs",
      `@bp/gradcheck/tfjs needs its optional peer dependencies @tensorflow/tfjs-core and @tensorflow/tfjs-backend-cpu (4.x): install both next to @bp/gradcheck (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  if (tf.getGradient(tf.Sum) === undefined) await registerAllGradients();
  if (tf.getGradient(tf.Sum) === undefined) {
    throw new BpError(
      "loadTfjs",
      "importing @tensorflow/tfjs-core/dist/register_all_gradients.js registered no gradients (is more than one tfjs-core installed?)",
    );
  }
  await tf.setBackend("cpu");
  return tf;
}

/** Resolves tfjs-core's extensionless relative imports (`./gradients/Abs_grad`) to files. */
const RESOLVE_HOOK = `
export async function resolve(specifier, context, nextResolve) {
  const parent = context.parentURL ?? "";
  if (parent.includes("/@tensorflow/tfjs-core/dist/") && /^\\.\\.?\\//.test(specifier) && !/\\.[cm]?js$/.test(specifier)) {
    for (const candidate of [specifier + ".js", specifier + "/index.js"]) {
      try {
        return await nextResolve(candidate, context);
      } catch {}
    }
  }
  return nextResolve(specifier, context);
}
`;

let hookRegistered = false;

async function registerAllGradients(): Promise<void> {
  const isNode = typeof process !== "undefined" && typeof process.versions?.node === "string";
  if (!isNode) {
    await import("@tensorflow/tfjs-core/dist/register_all_gradients.js");
    return;
  }
  const { createRequire, register } = await import("node:module");
  const { pathToFileURL } = await import("node:url");
  if (!hookRegistered) {
    register(`data:text/javascript,${encodeURIComponent(RESOLVE_HOOK)}`);
    hookRegistered = true;
  }
  // The copy of tfjs-core that this package resolves (the one `import("@tensorflow/tfjs-core")` gave).
  const file = createRequire(import.meta.url).resolve("@tensorflow/tfjs-core/dist/register_all_gradients.js");
  await import(pathToFileURL(file).href);
}
