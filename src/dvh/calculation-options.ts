// SPDX-License-Identifier: BSD-3-Clause
import type { BackendChoice } from '../backend/create-backend.js';
import type { ComputeBackend } from '../backend/compute-backend.js';
import { DosekitError } from '../errors.js';

/** The DVH algorithms. */
export type DvhAlgorithm = 'dicompyler' | 'precise';

/** Options of `getDvh` and `calculateDvhs`. Units are in the names. */
export interface DvhCalculationOptions {
  /**
   * 'precise' (default): supersampled right-prism model, trilinear dose, 0.1 cGy bins, exact
   * prism volume, surface extremes. 'dicompyler': dicompyler-core 0.5.7's get_dvh, exactly.
   */
  readonly algorithm?: DvhAlgorithm;
  /**
   * precise: how far the first and last contour's slabs reach beyond their planes: 'half'
   * (default, half the contour spacing), 'none', or a distance in mm.
   */
  readonly endCaps?: 'half' | 'none' | number;
  /**
   * precise: samples per dose voxel and axis in-plane, and per contour slab through it (odd
   * numbers keep the dose grid's own points on the sample lattice). Default: chosen per ROI for
   * about 50 000 samples, at most 15 per axis.
   */
  readonly supersampling?: number | { readonly inPlane: number; readonly throughSlab: number };
  /** Highest dose binned, in whole cGy: doses above it are dropped from histogram and volume (dicompyler-core's `limit`). */
  readonly limitCGy?: number;
  /**
   * When contours lie beyond the dose grid's first or last frame: true (default) counts their
   * volume and spreads it over the in-grid dose distribution (dicompyler-core's rule); false
   * leaves those planes out. The DVH's notes say which happened.
   */
  readonly calculateFullVolume?: boolean;
  /**
   * Accepted for dicompyler-core compatibility. dosekit always restricts the work to each
   * structure's bounding box, so this changes speed there, never results here.
   */
  readonly useStructureExtents?: boolean;
  /** In-plane sampling resolution in mm (a number, or [row, column]); each dose voxel is split into round(spacing / resolution) samples per axis. */
  readonly interpolationResolutionMm?: number | readonly [number, number];
  /** Sub-planes per structure slab beyond the first: each plane's slab is split into n + 1 equal sub-slabs. */
  readonly interpolationSegmentsBetweenPlanes?: number;
  /** Slab thickness of every contour plane in mm; default the smallest gap between the ROI's planes. */
  readonly thicknessMm?: number;
  /** Compute backend: 'auto' (default), 'webgpu', 'cpu', or a backend from `createBackend`. */
  readonly backend?: BackendChoice | ComputeBackend;
  /**
   * A GPUDevice of the caller's to compute on (used, never destroyed), e.g. the one a page renders
   * with. With 'auto' a loss of it mid-calculation finishes on the CPU with a warning; with
   * 'webgpu' it fails with E_GPU_LOST.
   */
  readonly device?: GPUDevice;
  /** Proceed although the structure set and the dose have different frames of reference. */
  readonly force?: boolean;
  /** Cancels the calculation: the promise rejects with an AbortError. */
  readonly signal?: AbortSignal;
  /** Called with the fraction done (0..1) as dose planes are processed. */
  readonly onProgress?: (fraction: number) => void;
}

function invalid(message: string, option: string): DosekitError {
  return new DosekitError('E_INVALID_ARGUMENT', message, { option });
}

/** Checks option values up front so a bad option fails before any work. */
export function validateOptions(options: DvhCalculationOptions): void {
  const { limitCGy, thicknessMm, interpolationResolutionMm, interpolationSegmentsBetweenPlanes, algorithm } = options;
  if (algorithm !== undefined && algorithm !== 'dicompyler' && algorithm !== 'precise') {
    throw invalid(`algorithm must be 'dicompyler' or 'precise' (got ${JSON.stringify(algorithm)}).`, 'algorithm');
  }
  const { endCaps, supersampling } = options;
  if (endCaps !== undefined && endCaps !== 'half' && endCaps !== 'none' && !(typeof endCaps === 'number' && endCaps >= 0 && Number.isFinite(endCaps))) {
    throw invalid(`endCaps must be 'half', 'none' or a non-negative number of mm (got ${JSON.stringify(endCaps)}).`, 'endCaps');
  }
  if (supersampling !== undefined) {
    const factors = typeof supersampling === 'number' ? [supersampling] : [supersampling.inPlane, supersampling.throughSlab];
    if (factors.some((f) => !(Number.isInteger(f) && f >= 1 && f <= 63))) {
      throw invalid(`supersampling must be a whole number from 1 to 63 (or {inPlane, throughSlab}) (got ${JSON.stringify(supersampling)}).`, 'supersampling');
    }
  }
  if (limitCGy !== undefined && !(Number.isInteger(limitCGy) && limitCGy > 0)) {
    throw invalid(`limitCGy must be a positive whole number of cGy (got ${limitCGy}); dicompyler-core silently ignored non-integer limits, dosekit refuses them.`, 'limitCGy');
  }
  if (thicknessMm !== undefined && !(thicknessMm >= 0 && Number.isFinite(thicknessMm))) throw invalid(`thicknessMm must be a non-negative number of mm (got ${thicknessMm}).`, 'thicknessMm');
  if (interpolationResolutionMm !== undefined) {
    const values = typeof interpolationResolutionMm === 'number' ? [interpolationResolutionMm] : [...interpolationResolutionMm];
    if (values.length < 1 || values.length > 2 || values.some((v) => !(v > 0 && Number.isFinite(v)))) {
      throw invalid(`interpolationResolutionMm must be a positive number of mm or [row, column] (got ${JSON.stringify(interpolationResolutionMm)}).`, 'interpolationResolutionMm');
    }
  }
  if (interpolationSegmentsBetweenPlanes !== undefined && !(Number.isInteger(interpolationSegmentsBetweenPlanes) && interpolationSegmentsBetweenPlanes >= 0)) {
    throw invalid(`interpolationSegmentsBetweenPlanes must be a whole number >= 0 (got ${interpolationSegmentsBetweenPlanes}).`, 'interpolationSegmentsBetweenPlanes');
  }
}
