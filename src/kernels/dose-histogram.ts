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
}

/** Accumulators of one histogram target (an ROI, or an ROI's class of equal-volume samples). */
export interface HistogramTarget {
  readonly counts: Float64Array;
  /** Smallest and largest sample dose seen, cGy (Infinity / -Infinity when none). */
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
  return { counts: new Float64Array(binCount), minCGy: Infinity, maxCGy: -Infinity };
}
