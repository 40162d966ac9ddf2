import type { Tensor } from "@bp/tensor";

/**
 * The book's `im2col(input_data, filter_h, filter_w, stride, pad)` (common/util.py): an
 * [N, C, H, W] input as one row per window position, [N * outH * outW, C * filterH * filterW],
 * with outH = (H + 2·pad − filterH) / stride + 1 (a ShapeError naming the numbers unless it is a
 * positive integer). The work is the tensor primitive `Tensor.im2col`, run by the input's backend.
 */
export function im2col(inputData: Tensor, filterH: number, filterW: number, stride = 1, pad = 0): Tensor {
  return inputData.im2col(filterH, filterW, stride, pad);
}

/**
 * The book's `col2im(col, input_shape, filter_h, filter_w, stride, pad)`: the adjoint of `im2col`,
 * adding each row's window values back into an [N, C, H, W] tensor of `inputShape` (values that fell
 * on the padding are dropped). The work is the tensor primitive `Tensor.col2im`.
 */
export function col2im(
  col: Tensor,
  inputShape: readonly number[],
  filterH: number,
  filterW: number,
  stride = 1,
  pad = 0,
): Tensor {
  return col.col2im(inputShape, filterH, filterW, stride, pad);
}
