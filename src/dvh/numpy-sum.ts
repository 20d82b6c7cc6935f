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

/**
 * Values numpy 1.x reduces in one inner-loop call: its ufunc buffer size. Longer arrays are summed
 * block by block, each block pairwise, the block sums added in turn.
 */
const NUMPY_BUFFER_VALUES = 8192;

/**
 * numpy.sum of a 1-D float64 array, to the bit, as numpy 1.24 (dicompyler-core's reference)
 * computes it: the pairwise sum of each 8192-value block, added from the first block on. numpy 2
 * sums arrays longer than 8192 values in one pairwise sum instead; shorter ones agree.
 */
export function numpySum(values: ArrayLike<number>): number {
  let sum = 0;
  for (let start = 0; start < values.length; start += NUMPY_BUFFER_VALUES) {
    sum += pairwise(values, start, Math.min(NUMPY_BUFFER_VALUES, values.length - start));
  }
  return sum;
}

/** numpy.mean(numpy.diff(values)). */
export function numpyMeanDiff(values: ArrayLike<number>): number {
  if (values.length < 2) return Number.NaN;
  const diffs = new Float64Array(values.length - 1);
  for (let i = 0; i < diffs.length; i += 1) diffs[i] = values[i + 1] - values[i];
  return numpySum(diffs) / diffs.length;
}
