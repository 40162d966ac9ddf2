/**
 * The book's `common/util.py` `smooth_curve`: the loss curve convolved with an 11-point Kaiser
 * window (beta 2, normalised to sum 1), the ends padded by reflecting 10 points. The output has the
 * input's length. Series shorter than the window (11 points) come back unchanged: the book's
 * version returns an empty or shorter array for them.
 */
export function smoothCurve(x: readonly number[]): number[] {
  const n = x.length;
  const len = 11;
  const half = (len - 1) / 2;
  if (n < len) return [...x];
  const w = kaiser(len, 2);
  const total = w.reduce((a, b) => a + b, 0);
  // numpy: s = r_[x[10:0:-1], x, x[-1:-11:-1]]; y = convolve(w / sum, s, "valid")[5:-5].
  const s = [...x.slice(1, len).reverse(), ...x, ...x.slice(n - (len - 1)).reverse()];
  const out: number[] = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    // The window is symmetric, so the convolution is this sliding dot product.
    for (let k = 0; k < len; k++) acc += (w[k]! / total) * s[i + half + k]!;
    out[i] = acc;
  }
  return out;
}

/** numpy's `kaiser(M, beta)`: I0(beta * sqrt(1 - (2n / (M - 1) - 1)^2)) / I0(beta). */
export function kaiser(m: number, beta: number): number[] {
  return Array.from({ length: m }, (_, n) => {
    const a = (2 * n) / (m - 1) - 1;
    return besselI0(beta * Math.sqrt(Math.max(0, 1 - a * a))) / besselI0(beta);
  });
}

/** The modified Bessel function of the first kind, order 0: sum over k of ((x/2)^k / k!)^2. */
function besselI0(x: number): number {
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 60 && term > 1e-17 * sum; k++) {
    term *= (x / 2 / k) ** 2;
    sum += term;
  }
  return sum;
}
