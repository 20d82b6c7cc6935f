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
 * The stored dose of one plane, rows x columns row-major, and how lattice samples map onto it:
 * sample (i, j) of the mask lattice is voxel (row j, column i), or (row i, column j) when
 * `transposed` (decubitus grids, where lattice x runs along the dose rows).
 */
export interface DosePlaneInput {
  readonly values: ArrayLike<number>;
  readonly columns: number;
  readonly transposed: boolean;
}

/**
 * Adds the samples of `mask` to `counts` (length binCount) and returns how many were counted.
 * Counts are integers (held in float64 on the CPU, u32 on the GPU).
 */
export type DoseHistogramKernel = (plane: DosePlaneInput, mask: LayerMask, binning: DoseBinning, counts: Float64Array) => number;
