// The training worker's data: the first rows of MNIST that a run asks for (mnist-files.ts fetches
// only the chunks that hold them), as tensors of the run's dtype on its backend, kept between runs
// and reused while a run asks for no more rows and the same backend and dtype.
import { mnistFromIdx, type MnistData } from "@bp/data";
import { firstRows, NETS } from "@bp/nets";
import type { Backend, FloatDType, Tensor } from "@bp/tensor";
import { createBackend } from "@bp/tensor/backends";
import { t } from "./i18n/index.js";
import type { BackendName, TrainConfig } from "./messages.js";
import { fetchMnist, fetchRows, type Source } from "./mnist-files.js";
import { post, scope } from "./train-scope.js";

/** The worker's status lines while loading, in the page's language. */
export const DATA_WORDS = {
  fetching: (train: number, test: number) => t("worker.fetching", { train, test }),
  starting: (backend: string) => t("worker.starting", { backend }),
  converting: (dtype: string) => t("worker.converting", { dtype }),
};

let backendKey: string | null = null;
let backend: Backend | null = null;
/** The tensors made last, with how many training and test rows they have. */
let loaded: { dtype: FloatDType; data: MnistData; train: number; test: number } | null = null;

function disposeLoaded(): void {
  if (loaded === null) return;
  for (const t of Object.values(loaded.data) as Tensor[]) t.dispose();
  loaded = null;
}

/** MNIST's first `trainSize` and `testSize` rows (or more: whole chunks) as tensors of `dtype` on
 * the backend asked for. */
export async function loadData(
  backendName: BackendName,
  threads: number,
  dtype: FloatDType,
  trainSize: number,
  testSize: number,
): Promise<{ data: MnistData; backend: Backend; source: Source }> {
  const key = `${backendName}/${threads}`;
  if (backendKey !== key) {
    disposeLoaded();
    backend?.dispose();
    backend = null;
    backendKey = null;
    post({ type: "status", text: DATA_WORDS.starting(backendName) });
    backend = await createBackend(backendName, { worker: { threads } });
    backendKey = key;
  }
  if (loaded !== null && loaded.dtype === dtype && loaded.train >= trainSize && loaded.test >= testSize)
    return { data: loaded.data, backend: backend!, source: "memory" };
  post({ type: "status", text: DATA_WORDS.fetching(trainSize, testSize) });
  const { idx, source } = await fetchMnist(trainSize, testSize, scope.location.href);
  post({ type: "status", text: DATA_WORDS.converting(dtype) });
  disposeLoaded();
  const data = mnistFromIdx(idx, { dtype, backend: backend! });
  loaded = { dtype, data, train: data.xTrain.shape[0]!, test: data.xTest.shape[0]! };
  return { data, backend: backend!, source };
}

/** The run's rows of the data (the first trainSize and testSize), as images [N, 1, 28, 28] for
 * SimpleConvNet (a reshape: the same storage). */
export function runData(data: MnistData, config: TrainConfig): MnistData {
  const images = (x: Tensor) => (NETS[config.net].images ? x.reshape([-1, 1, 28, 28]) : x);
  return {
    xTrain: images(firstRows(data.xTrain, config.trainSize)),
    tTrain: firstRows(data.tTrain, config.trainSize),
    xTest: images(firstRows(data.xTest, config.testSize)),
    tTest: firstRows(data.tTest, config.testSize),
  };
}

/** The first `n` training images (pixels 0..255, row-major) and their labels, straight from the
 * IDX bytes (one chunk for the gradient check's few images). */
export async function firstTrainRows(n: number): Promise<{ pixels: Uint8Array; labels: Uint8Array }> {
  const [images, labels] = await Promise.all([
    fetchRows("trainImages", n, scope.location.href),
    fetchRows("trainLabels", n, scope.location.href),
  ]);
  return {
    pixels: (images.idx.array.data as Uint8Array).subarray(0, n * 784),
    labels: (labels.idx.array.data as Uint8Array).subarray(0, n),
  };
}
