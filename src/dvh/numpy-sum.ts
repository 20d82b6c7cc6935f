// SPDX-License-Identifier: BSD-3-Clause
// numpy's float64 summation order, reproduced so that dicompyler-core's volumes match to the bit.

function pairwise(values: ArrayLike<number>, start: number, n: number): number {
  if (n < 8) {
    let sum = 0;
    for (let i = 0; i < n; i += 1) sum += values[start + i];
    return sum;
  }
  if (n <= 128) {
    const r = [0, 1, 2, 3, 4, 5, 6, 7].map((j) => values[start + j]);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j += 1) r[j] += values[start + i + j];
    let sum = (r[0] + r[1] + (r[2] + r[3])) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i += 1) sum += values[start + i];
    return sum;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return pairwise(values, start, half) + pairwise(values, start + half, n - half);
}

/** numpy.sum of a 1-D float64 array: the first element, plus the pairwise sum of the rest. */
export function numpySum(values: ArrayLike<number>): number {
  if (values.length === 0) return 0;
  return values[0] + pairwise(values, 1, values.length - 1);
}

/** numpy.mean(numpy.diff(values)). */
export function numpyMeanDiff(values: ArrayLike<number>): number {
  if (values.length < 2) return Number.NaN;
  const diffs = new Float64Array(values.length - 1);
  for (let i = 0; i < diffs.length; i += 1) diffs[i] = values[i + 1] - values[i];
  return numpySum(diffs) / diffs.length;
}
