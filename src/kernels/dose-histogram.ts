// SPDX-License-Identifier: BSD-3-Clause
// Contract of the dose-histogram kernel: bin the dose of the samples inside a mask.
// Implemented by fallback/dose-histogram.ts (CPU) and, with identical counts, by WebGPU.
import type { LayerMask } from './polygon-mask.js';

/**
 * How stored dose values become bin indices. The dose of a sample in cGy is
 * `(stored x doseGridScaling) x unitsToCGy`, multiplied in that order in float64 (as
 * dicompyler-core does, so values on a bin edge fall the same way). Bins are `binWidthCGy` wide
 * from 0; `binCount` bins cover [0, binCount x binWidthCGy]. A value equal to the top edge goes
 * into the last bin; values below 0 or above the top edge are not counted (numpy.histogram's rule).
 */
export interface DoseBinning {
  readonly doseGridScaling: number;
  /** 100 for GY dose grids, 1 for CGY. */
  readonly unitsToCGy: number;
  readonly binWidthCGy: number;
  readonly binCount: number;
}

/**
 * The stored dose of one plane (rows x columns, row-major) and how mask-lattice samples map onto
 * it. The lattice has `factorX` samples per dose voxel along lattice x and `factorY` along y,
 * at fractional voxel index u = (i + 0.5) / factor - 0.5 (so with an odd factor the voxel centres
 * are samples, and with factor 1 the samples are exactly the voxel centres). The dose at a
 * sample is the bilinear interpolation of the plane at (u, v), clamped to the grid. Lattice x
 * runs along the plane's columns, or along its rows when `transposed` (decubitus grids).
 */
export interface DosePlaneInput {
  readonly values: ArrayLike<number>;
  readonly rows: number;
  readonly columns: number;
  readonly transposed: boolean;
  readonly factorX: number;
  readonly factorY: number;
  /**
   * Cell spreading (the precise algorithm): the dose is linear in z between `values` (one frame)
   * and `second` (the next), `fraction` of the way; each sample stands for a cell of
   * `cellMm` = [x, y, z] and adds its unit mass uniformly over the dose interval the cell spans
   * (half-width = half the norm of gradient x cell size), which removes the staircase that point
   * samples leave in a DVH. Without it each sample is a point in its bin.
   */
  readonly spread?: {
    readonly second: ArrayLike<number>;
    readonly fraction: number;
    readonly frameGapMm: number;
    readonly voxelMm: readonly [number, number];
    readonly cellMm: readonly [number, number, number];
  };
}

/**
 * Accumulators of one histogram target (an ROI, or an ROI's class of equal-volume samples).
 * Point samples add whole counts to `counts`; spread samples add ramps to `rampConstant` and
 * `rampSlope` (length binCount + 1), from which `spreadCounts` recovers each bin's mass.
 */
export interface HistogramTarget {
  readonly counts: Float64Array;
  readonly rampConstant: Float64Array;
  readonly rampSlope: Float64Array;
  /** Smallest and largest spread-sample dose seen, cGy (Infinity / -Infinity when none; point samples do not set them). */
  minCGy: number;
  maxCGy: number;
}

/**
 * Adds the samples of `mask` to `target` (when given) and returns how many samples were counted
 * (those with a dose inside the binned range). Counts are integers (float64 on the CPU, u32 on
 * the GPU).
 */
export type DoseHistogramKernel = (plane: DosePlaneInput, mask: LayerMask, binning: DoseBinning, target: HistogramTarget | null) => number;

/** A fresh, empty target. */
export function emptyTarget(binCount: number): HistogramTarget {
  return { counts: new Float64Array(binCount), rampConstant: new Float64Array(binCount + 1), rampSlope: new Float64Array(binCount + 1), minCGy: Infinity, maxCGy: -Infinity };
}

/** The histogram targets the layers of `jobs` feed (layers with target -1 feed none). */
export function fedTargets(jobs: readonly { readonly layers: readonly { readonly target: number }[] }[]): Set<number> {
  const fed = new Set<number>();
  for (const job of jobs) for (const layer of job.layers) if (layer.target >= 0) fed.add(layer.target);
  return fed;
}

/**
 * The targets of one batch: a fresh one for every index in `fed` and one shared empty target
 * standing for all the others (nothing adds to it). A precise calculation has a target per ROI
 * of 3 x binCount float64 (1.5 MB at 65 Gy); allocating every one for every batch of a few
 * planes cost more memory and time than the kernels.
 */
export function batchTargets(targetCount: number, binCount: number, fed: ReadonlySet<number>): HistogramTarget[] {
  let empty: HistogramTarget | undefined;
  return Array.from({ length: targetCount }, (_, t) => (fed.has(t) ? emptyTarget(binCount) : (empty ??= emptyTarget(binCount))));
}

/** Adds `other` into `total` (counts, ramps, extremes). */
export function addTarget(total: HistogramTarget, other: HistogramTarget): void {
  for (let b = 0; b < total.counts.length; b += 1) total.counts[b] += other.counts[b];
  for (let b = 0; b < total.rampConstant.length; b += 1) {
    total.rampConstant[b] += other.rampConstant[b];
    total.rampSlope[b] += other.rampSlope[b];
  }
  total.minCGy = Math.min(total.minCGy, other.minCGy);
  total.maxCGy = Math.max(total.maxCGy, other.maxCGy);
}

/**
 * Per-bin mass of a target: its point counts plus its spread samples. The spread mass below bin
 * edge k is F(k) = sum over j <= k of (constant[j] + slope[j] (k - j)).
 */
export function spreadCounts(target: HistogramTarget): Float64Array {
  const n = target.counts.length;
  const out = Float64Array.from(target.counts);
  let constant = 0;
  let slope = 0;
  let weighted = 0;
  let previous = 0;
  for (let k = 0; k <= n; k += 1) {
    constant += target.rampConstant[k];
    slope += target.rampSlope[k];
    weighted += target.rampSlope[k] * k;
    const below = constant + k * slope - weighted;
    // Far from the samples the running sums cancel to round-off (1e-11 of a sample); that is no mass.
    if (k > 0) out[k - 1] += Math.abs(below - previous) < 1e-6 ? 0 : below - previous;
    previous = below;
  }
  return out;
}
