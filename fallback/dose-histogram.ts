// SPDX-License-Identifier: BSD-3-Clause
import type { DoseBinning, DosePlaneInput, HistogramTarget } from '../src/kernels/dose-histogram.js';
import type { LayerMask } from '../src/kernels/polygon-mask.js';

/** Lattice index -> (lower voxel index, weight of the upper one) along one axis. */
function axisWeights(start: number, end: number, factor: number, voxels: number): { lower: Int32Array; t: Float64Array } {
  const lower = new Int32Array(end - start);
  const t = new Float64Array(end - start);
  for (let i = start; i < end; i += 1) {
    const u = Math.min(voxels - 1, Math.max(0, (i + 0.5) / factor - 0.5));
    const l = Math.min(voxels - 2, Math.floor(u));
    lower[i - start] = Math.max(0, l);
    t[i - start] = voxels > 1 ? u - Math.max(0, l) : 0;
  }
  return { lower, t };
}

/**
 * CPU dose histogram (see the contract in src/kernels/dose-histogram.ts). With one sample per
 * voxel the stored value is used as it is and the bin index is floor(cGy / binWidthCGy) with the
 * top edge folded into the last bin, matching numpy.histogram bit for bit for 1 cGy bins.
 */
export function doseHistogram(plane: DosePlaneInput, mask: LayerMask, binning: DoseBinning, target: HistogramTarget | null): number {
  const { values, columns, transposed, factorX, factorY } = plane;
  const { doseGridScaling, unitsToCGy, binWidthCGy, binCount } = binning;
  const top = binCount * binWidthCGy;
  const width = mask.colEnd - mask.colStart;
  const inside = mask.inside;
  const counts = target?.counts;
  let min = target ? target.minCGy : Infinity;
  let max = target ? target.maxCGy : -Infinity;
  let counted = 0;
  const direct = factorX === 1 && factorY === 1;
  const nx = transposed ? plane.rows : plane.columns;
  const ny = transposed ? plane.columns : plane.rows;
  const wx = direct ? null : axisWeights(mask.colStart, mask.colEnd, factorX, nx);
  const wy = direct ? null : axisWeights(mask.rowStart, mask.rowEnd, factorY, ny);
  const at = (i: number, j: number) => values[transposed ? i * columns + j : j * columns + i];
  for (let j = mask.rowStart; j < mask.rowEnd; j += 1) {
    const maskRow = (j - mask.rowStart) * width - mask.colStart;
    for (let i = mask.colStart; i < mask.colEnd; i += 1) {
      if (inside[maskRow + i] === 0) continue;
      let stored: number;
      if (direct) stored = at(i, j);
      else {
        const i0 = wx!.lower[i - mask.colStart];
        const tx = wx!.t[i - mask.colStart];
        const j0 = wy!.lower[j - mask.rowStart];
        const ty = wy!.t[j - mask.rowStart];
        const i1 = nx > 1 ? i0 + 1 : i0;
        const j1 = ny > 1 ? j0 + 1 : j0;
        const low = at(i0, j0) * (1 - tx) + at(i1, j0) * tx;
        const high = at(i0, j1) * (1 - tx) + at(i1, j1) * tx;
        stored = low * (1 - ty) + high * ty;
      }
      const cGy = stored * doseGridScaling * unitsToCGy;
      if (!(cGy >= 0 && cGy <= top)) continue;
      counted += 1;
      if (!counts) continue;
      let bin = binWidthCGy === 1 ? Math.floor(cGy) : Math.floor(cGy / binWidthCGy);
      if (bin >= binCount) bin = binCount - 1;
      counts[bin] += 1;
      if (cGy < min) min = cGy;
      if (cGy > max) max = cGy;
    }
  }
  if (target) {
    target.minCGy = min;
    target.maxCGy = max;
  }
  return counted;
}
