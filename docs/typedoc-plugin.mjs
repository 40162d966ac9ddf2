// Names each module of the API reference by its import path ("@bp/tensor/backends") instead of
// its source path ("packages/tensor/src/backends/node"): an entry point <dir>/<pkg>/src/<sub> is
// the export "@bp/<pkg>/<sub>", and a trailing "node" (the Node build of an export) is dropped.
import { Converter, ReflectionKind } from "typedoc";

/** "packages/tensor/src/backends/node" -> "@bp/tensor/backends"; other names are left alone. */
export function importPath(sourceName) {
  const m = /^(?:packages|apps)\/([^/]+)\/src(?:\/(.*))?$/.exec(sourceName);
  if (!m) return sourceName;
  const sub = (m[2] ?? "").replace(/(^|\/)(node|index)$/, "");
  return `@bp/${m[1]}${sub ? `/${sub}` : ""}`;
}

export function load(app) {
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (_context, reflection) => {
    if (reflection.kindOf(ReflectionKind.Module)) reflection.name = importPath(reflection.name);
  });
}
