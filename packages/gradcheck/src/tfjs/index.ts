export { loadTfjs, type LoadTfjsOptions, type Tfjs } from "./loadTfjs.js";
export { crossCheckLayer, crossCheckNet, type CrossCheckOptions, type TranslatableNet } from "./crossCheck.js";
export { layerInTf, softmaxWithLossInTf, toTf } from "./tfjsGraph.js";
