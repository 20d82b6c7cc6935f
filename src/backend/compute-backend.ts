// SPDX-License-Identifier: BSD-3-Clause
import type { DoseBinning, DosePlaneInput } from '../kernels/dose-histogram.js';
import type { MaskLayer, SampleLattice } from '../kernels/polygon-mask.js';

/** Which compute backend produced a result, and on which adapter. */
export interface BackendInfo {
  readonly kind: 'cpu' | 'webgpu';
  /** The GPU adapter's description (vendor / architecture / device), for WebGPU. */
  readonly adapter?: string;
  /** True for software adapters (SwiftShader, llvmpipe): correct, but not a GPU speed. */
  readonly software?: boolean;
}

/** All layers (ROIs) to rasterise and histogram on one dose plane. */
export interface PlaneHistogramJob {
  readonly lattice: SampleLattice;
  readonly plane: DosePlaneInput;
  readonly binning: DoseBinning;
  readonly layers: readonly MaskLayer[];
}

/** Per layer of a job: the integer histogram counts and the number of samples counted. */
export interface PlaneHistogramResult {
  readonly counts: readonly Float64Array[];
  readonly counted: readonly number[];
}

/**
 * A compute backend runs dosekit's kernels. Implementations must give identical integer
 * results: the CPU fallback is the reference.
 */
export interface ComputeBackend {
  readonly info: BackendInfo;
  /** Rasterise every layer of each job and histogram the dose inside it. */
  histogramPlanes(jobs: readonly PlaneHistogramJob[], signal?: AbortSignal): Promise<PlaneHistogramResult[]>;
  /** Releases what the backend created (never a caller's GPU device). */
  dispose(): void;
}
