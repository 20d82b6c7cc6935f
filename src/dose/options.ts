// SPDX-License-Identifier: BSD-3-Clause
import type { BackendChoice } from '../backend/create-backend.js';
import type { ComputeBackend } from '../backend/compute-backend.js';
import type { ResampleMode, ResampleOrder } from './resample-tables.js';

/** How a grid is resampled onto another (scipy.ndimage.map_coordinates semantics). */
export interface ResampleOptions {
  /** 1 trilinear (default), 0 nearest neighbour (half rounds up). */
  readonly order?: ResampleOrder;
  /** Outside the source grid: 'constant' (default) gives `cval`, 'nearest' the nearest edge voxel. */
  readonly mode?: ResampleMode;
  /** The dose (Gy) given outside the source grid in 'constant' mode (default 0). */
  readonly cval?: number;
  /** Backend of the resampling: a choice or a backend of the caller's (default 'auto'). */
  readonly backend?: BackendChoice | ComputeBackend;
  /** A GPUDevice of the caller's to resample on (used, never destroyed); with 'auto' a loss of it finishes on the CPU with a warning. */
  readonly device?: GPUDevice;
  /** Memory ceiling in bytes (default DOSEKIT_MAX_MEMORY or 4 GiB); larger work is refused with E_TOO_LARGE. */
  readonly memoryLimitBytes?: number;
  /** Cancels the work with an AbortError. */
  readonly signal?: AbortSignal;
}

/** Options of `DoseGrid.add`. */
export interface AddDoseOptions extends ResampleOptions {
  /** Sum even when DoseUnits, DoseType, DoseSummationType or the frame of reference differ (each is recorded as a warning). */
  readonly force?: boolean;
  /** Factor applied to the other grid (default 1). */
  readonly weight?: number;
}

/** Options of `sumDoseGrids`. */
export interface SumDoseOptions extends ResampleOptions {
  /** Sum even when DoseUnits, DoseType, DoseSummationType or the frame of reference differ. */
  readonly force?: boolean;
  /** One non-negative factor per grid (default all 1). */
  readonly weights?: readonly number[];
}
