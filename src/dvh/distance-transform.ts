// SPDX-License-Identifier: BSD-3-Clause
// One pass of the exact squared Euclidean distance transform: the lower envelope of parabolas
// of Felzenszwalb & Huttenlocher (2012), "Distance transforms of sampled functions", Theory of
// Computing 8:415-428. Passes along each axis in turn give the exact 2-D or 3-D transform.

/**
 * One pass: out[q] = min over p of ((q - p)^2 + f[p]) for q, p in 0..n-1 (unit spacing), with
 * Infinity where no f[p] is finite. `v` (Int32, n) and `z` (Float64, n + 1) are scratch.
 */
export function squaredDistance1d(f: Float64Array, n: number, out: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = -1;
  for (let q = 0; q < n; q += 1) {
    const fq = f[q];
    if (fq === Infinity) continue;
    if (k < 0) {
      k = 0;
      v[0] = q;
      z[0] = -Infinity;
      z[1] = Infinity;
      continue;
    }
    let s = (fq + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    while (s <= z[k]) {
      // z[0] is -Infinity, so k never drops below 0.
      k -= 1;
      s = (fq + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    }
    k += 1;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  if (k < 0) {
    out.fill(Infinity, 0, n);
    return;
  }
  k = 0;
  for (let q = 0; q < n; q += 1) {
    while (z[k + 1] < q) k += 1;
    const d = q - v[k];
    out[q] = d * d + f[v[k]];
  }
}
