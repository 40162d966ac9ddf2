import { readFileBytes, writeFileAtomic } from "@bp/data";
import { Convolution } from "@bp/layers";
import { SimpleConvNet, decodeNet, netLayout, type SimpleConvNetOptions } from "@bp/nets";
import { intOption, stringOption } from "../args.js";
import type { Command } from "../command.js";
import { UsageError } from "../errors.js";
import { MAX_MEMORY_OPTION, checkMemory, checkModelFile, filtersEstimate, memoryLimit } from "../memory.js";
import { type FilterPanel, renderFilterSvg } from "../filterImages.js";

/** The first layer's filters (W of the net's first Convolution layer), or a UsageError. */
function firstFilters(net: { layers: ReadonlyMap<string, object> }, path: string): FilterPanel["filters"] {
  const conv = [...net.layers.values()].find((l) => l instanceof Convolution);
  if (!(conv instanceof Convolution))
    throw new UsageError(`${path} has no Convolution layer (train one with bp train --net simple-conv)`);
  return conv.W;
}

export const filtersCommand: Command = {
  name: "filters",
  brief: "draw the first conv layer's filters as images (SVG)",
  summary:
    "Draws the filters of the first convolution layer as small grey images (the book's\n" +
    "ch07/visualize_filter.py): with --model, the filters of that trained SimpleConvNet next to the ones\n" +
    "it started from (the same net freshly initialised from its saved seed); without it, a freshly\n" +
    "initialised SimpleConvNet (--seed). Each filter is scaled from its minimum (white) to its maximum (black).",
  usage: "bp filters [--model FILE] --out FILE.svg",
  options: [
    {
      name: "model",
      type: "string",
      arg: "FILE",
      description: "a conv net saved by bp train --net simple-conv --save",
    },
    { name: "out", type: "string", arg: "FILE", description: "where to write the SVG" },
    { name: "seed", type: "string", arg: "N", description: "seed of the fresh net without --model", default: "0" },
    MAX_MEMORY_OPTION,
  ],
  async run(ctx, values) {
    const out = stringOption(values, "out");
    if (out === undefined) throw new UsageError("filters needs --out FILE.svg");
    if (!out.toLowerCase().endsWith(".svg"))
      throw new UsageError(`--out writes an SVG file: give a name ending in .svg, got ${JSON.stringify(out)}`);
    const limit = memoryLimit(values);
    const path = stringOption(values, "model");
    const panels: FilterPanel[] = [];
    if (path === undefined) {
      const seed = intOption(values, "seed", 0, 0);
      panels.push({
        title: `SimpleConvNet, fresh (seed ${seed})`,
        filters: firstFilters(new SimpleConvNet({ seed }), "the net"),
      });
    } else {
      if (values.seed !== undefined)
        throw new UsageError("--seed is for a fresh net; with --model the saved seed is used");
      // decodeNet checks that a SimpleConvNet's config lays out exactly the stored layers, so the
      // fresh net drawn "before training" has the trained one's geometry.
      checkModelFile("filters", path, limit);
      const { net, description } = decodeNet(readFileBytes(path, "filters"), { name: path });
      const trained = firstFilters(net, path);
      if (description.kind === "SimpleConvNet") {
        checkMemory(
          "filters",
          `drawing ${path} and the net it started from`,
          filtersEstimate(netLayout(description), description.dtype),
          limit,
        );
        const fresh = new SimpleConvNet(description.config as SimpleConvNetOptions);
        const seed = String(description.config.seed ?? 0);
        panels.push({ title: `before training (seed ${seed})`, filters: firstFilters(fresh, path) });
      }
      panels.push({ title: `after training (${path.split(/[\\/]/).pop()})`, filters: trained });
    }
    writeFileAtomic(out, renderFilterSvg(panels), "filters");
    const count = panels[0]!.filters.shape[0]!;
    ctx.out(`${out}: ${count} filters ${panels.map((p) => `(${p.title})`).join(" and ")}`);
    return 0;
  },
};
