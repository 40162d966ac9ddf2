export { loadTfjs, type LoadTfjsOptions, type Tfjs } from "./loadTfjs.js";
export {
  crossCheckLayer,
  crossCheckNet,
  type CrossCheckOptions,
  type CrossCheckNetOptions,
  type TfLayersOption,
} from "./crossCheck.js";
export {
  TF_LAYERS,
  tfLayerTable,
  layerInTf,
  softmaxWithLossInTf,
  toTf,
  type TfLayerRow,
  type TfLayerContext,
} from "./tfjsGraph.js";
