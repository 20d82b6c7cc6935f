// SPDX-License-Identifier: BSD-3-Clause
import type { DoseBinning, DosePlaneInput, HistogramTarget } from '../kernels/dose-histogram.js';
import type { SampleLattice } from '../kernels/polygon-mask.js';
import type { ResampleRequest } from '../kernels/trilinear-resample.js';

/** Which compute backend produced a result, and on which adapter. */
export interface BackendInfo {
  readonly kind: 'cpu' | 'webgpu';
  /** The GPU adapter's description (vendor / architecture / device), for WebGPU. */
  readonly adapter?: string;
  /** True for software adapters (SwiftShader, llvmpipe): correct, but not a GPU speed. */
  readonly software?: boolean;
}

/** One layer (an ROI's contours on one sample plane) and the histogram target it feeds (-1: count only). */
export interface LayerJob {
  readonly rings: readonly Float64Array[];
  readonly target: number;
}

/** Every layer to rasterise and histogram on one dose plane, on one sample lattice. */
export interface PlaneHistogramJob {
  readonly lattice: SampleLattice;
  readonly plane: DosePlaneInput;
  readonly layers: readonly LayerJob[];
}

/** A batch of plane jobs sharing one binning and one set of histogram targets. */
export interface HistogramRequest {
  readonly binning: DoseBinning;
  readonly targetCount: number;
  readonly jobs: readonly PlaneHistogramJob[];
}

/** Per target the integer counts of this batch; per job and layer the samples counted. */
export interface HistogramResponse {
  readonly targets: readonly HistogramTarget[];
  readonly counted: readonly (readonly number[])[];
}

/**
 * A compute backend runs dosekit's kernels. Implementations must give identical integer
 * results: the CPU fallback is the reference.
 */
export interface ComputeBackend {
  readonly info: BackendInfo;
  /** The GPUDevice a WebGPU backend computes on (to share with rendering, or to watch for loss); absent on the CPU. */
  readonly device?: GPUDevice;
  /** Rasterise every layer of every job and histogram the dose inside it into its target. */
  histogram(request: HistogramRequest, signal?: AbortSignal): Promise<HistogramResponse>;
  /**
   * Resamples a source grid onto a target grid (trilinear-resample) and adds the result into
   * `into` (float64, target voxels). GPU backends compute in float32 and agree with the CPU to
   * about 1e-6 of the maximum dose.
   */
  resample(request: ResampleRequest, into: Float64Array, signal?: AbortSignal): Promise<void>;
  /** Releases what the backend created (never a caller's GPU device). */
  dispose(): void;
}
