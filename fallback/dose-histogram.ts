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
 * CPU dose histogram (see the contract in src/kernels/dose-histogram.ts). Point samples leave
 * the target's extremes alone (the dicompyler algorithm does not use them, and the GPU cannot
 * reproduce its float64 doses); spread samples (the precise algorithm) track them. With one sample per
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
  let counted = 0;
  const direct = factorX === 1 && factorY === 1 && !plane.spread;
  const nx = transposed ? plane.rows : plane.columns;
  const ny = transposed ? plane.columns : plane.rows;
  const wx = direct ? null : axisWeights(mask.colStart, mask.colEnd, factorX, nx);
  const wy = direct ? null : axisWeights(mask.rowStart, mask.rowEnd, factorY, ny);
  const at = (i: number, j: number) => values[transposed ? i * columns + j : j * columns + i];
  if (plane.spread) return spreadHistogram(plane, mask, binning, target, wx!, wy!);
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
    }
  }
  return counted;
}

/** Cells whose dose spans less than this many bins count as points (the GPU kernel's rule too). */
export const MIN_SPREAD_BINS = 1 / 64;

/**
 * Cell-spread histogram (the precise algorithm): the dose at a sample is linear in z between two
 * frames and bilinear in-plane; the sample's unit mass is spread uniformly over
 * [d - w, d + w], w = half the norm of (gradient x cell size), as ramps in the target.
 */
function spreadHistogram(
  plane: DosePlaneInput,
  mask: LayerMask,
  binning: DoseBinning,
  target: HistogramTarget | null,
  wx: { lower: Int32Array; t: Float64Array },
  wy: { lower: Int32Array; t: Float64Array },
): number {
  const spread = plane.spread!;
  const { values, columns, transposed } = plane;
  const second = spread.second;
  const f = spread.fraction;
  const { doseGridScaling, unitsToCGy, binWidthCGy, binCount } = binning;
  const toBins = (doseGridScaling * unitsToCGy) / binWidthCGy;
  const nx = transposed ? plane.rows : plane.columns;
  const ny = transposed ? plane.columns : plane.rows;
  const [hx, hy, hz] = spread.cellMm;
  const [voxelX, voxelY] = spread.voxelMm;
  const width = mask.colEnd - mask.colStart;
  const inside = mask.inside;
  const index = (i: number, j: number) => (transposed ? i * columns + j : j * columns + i);
  let counted = 0;
  let min = target ? target.minCGy : Infinity;
  let max = target ? target.maxCGy : -Infinity;
  for (let j = mask.rowStart; j < mask.rowEnd; j += 1) {
    const j0 = wy.lower[j - mask.rowStart];
    const ty = wy.t[j - mask.rowStart];
    const j1 = ny > 1 ? j0 + 1 : j0;
    const maskRow = (j - mask.rowStart) * width - mask.colStart;
    for (let i = mask.colStart; i < mask.colEnd; i += 1) {
      if (inside[maskRow + i] === 0) continue;
      const i0 = wx.lower[i - mask.colStart];
      const tx = wx.t[i - mask.colStart];
      const i1 = nx > 1 ? i0 + 1 : i0;
      const a00 = index(i0, j0);
      const a10 = index(i1, j0);
      const a01 = index(i0, j1);
      const a11 = index(i1, j1);
      // The four corners, linear in z between the two frames.
      const v00 = values[a00] + f * (second[a00] - values[a00]);
      const v10 = values[a10] + f * (second[a10] - values[a10]);
      const v01 = values[a01] + f * (second[a01] - values[a01]);
      const v11 = values[a11] + f * (second[a11] - values[a11]);
      const low = v00 + tx * (v10 - v00);
      const high = v01 + tx * (v11 - v01);
      const stored = low + ty * (high - low);
      // Gradient (stored units per mm) at the sample.
      const gx = (nx > 1 ? (1 - ty) * (v10 - v00) + ty * (v11 - v01) : 0) / voxelX;
      const gy = (ny > 1 ? high - low : 0) / voxelY;
      const s00 = second[a00] - values[a00];
      const s10 = second[a10] - values[a10];
      const s01 = second[a01] - values[a01];
      const s11 = second[a11] - values[a11];
      const sLow = s00 + tx * (s10 - s00);
      const gz = spread.frameGapMm > 0 ? (sLow + ty * (s01 + tx * (s11 - s01) - sLow)) / spread.frameGapMm : 0;
      const center = stored * toBins;
      const half = 0.5 * Math.hypot(gx * hx, gy * hy, gz * hz) * toBins;
      let lo = center - half;
      let hi = center + half;
      if (!(hi >= 0 && lo <= binCount)) continue;
      counted += 1;
      if (!target) continue;
      const cGy = center * binWidthCGy;
      if (cGy < min) min = cGy;
      if (cGy > max) max = cGy;
      if (lo < 0) lo = 0;
      if (hi > binCount) hi = binCount;
      if (hi - lo < MIN_SPREAD_BINS) {
        target.counts[Math.min(binCount - 1, Math.floor(lo))] += 1;
        continue;
      }
      const density = 1 / (hi - lo);
      const k0 = Math.ceil(lo);
      const k1 = Math.ceil(hi);
      target.rampConstant[k0] += density * (k0 - lo);
      target.rampSlope[k0] += density;
      target.rampConstant[k1] -= density * (k1 - hi);
      target.rampSlope[k1] -= density;
    }
  }
  if (target) {
    target.minCGy = min;
    target.maxCGy = max;
  }
  return counted;
}
