export { loadTfjs, type LoadTfjsOptions, type Tfjs } from "./loadTfjs.js";
export { crossCheckLayer, crossCheckNet, type CrossCheckOptions } from "./crossCheck.js";
export { TF_LAYERS, layerInTf, softmaxWithLossInTf, toTf, type TfLayerRow, type TfLayerContext } from "./tfjsGraph.js";
