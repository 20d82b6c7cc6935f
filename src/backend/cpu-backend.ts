// SPDX-License-Identifier: BSD-3-Clause
import { doseHistogram } from '../../fallback/dose-histogram.js';
import { polygonMask } from '../../fallback/polygon-mask.js';
import { trilinearResample } from '../../fallback/trilinear-resample.js';
import { batchTargets, fedTargets } from '../kernels/dose-histogram.js';
import { type ResampleAxisTable, type ResampleRequest, validateResampleRequest } from '../kernels/trilinear-resample.js';

/** Target voxels resampled between abort checks (about 5 ms of work). */
const CHUNK_VOXELS = 1 << 19;
import { createCheckpoint, throwIfAborted } from './abort.js';
import type { ComputeBackend, HistogramRequest, HistogramResponse } from './compute-backend.js';

/** The CPU fallback: typed arrays, one thread. The reference every other backend must match. */
export function createCpuBackend(): ComputeBackend {
  return {
    info: Object.freeze({ kind: 'cpu' as const }),
    async histogram(request: HistogramRequest, signal?: AbortSignal): Promise<HistogramResponse> {
      const targets = batchTargets(request.targetCount, request.binning.binCount, fedTargets(request.jobs));
      const counted: number[][] = [];
      const checkpoint = createCheckpoint(signal);
      for (const job of request.jobs) {
        const jobCounted: number[] = [];
        for (const layer of job.layers) {
          // Per layer: one large supersampled layer can take tens of milliseconds.
          await checkpoint();
          const mask = polygonMask(job.lattice, { rings: layer.rings });
          jobCounted.push(mask.count === 0 ? 0 : doseHistogram(job.plane, mask, request.binning, layer.target >= 0 ? targets[layer.target] : null));
        }
        counted.push(jobCounted);
      }
      return { targets, counted };
    },
    async resample(request: ResampleRequest, into: Float64Array, signal?: AbortSignal): Promise<void> {
      throwIfAborted(signal);
      validateResampleRequest(request);
      // A few frames at a time, so that an abort is heard within milliseconds on large grids.
      const checkpoint = createCheckpoint(signal);
      const frameVoxels = request.columns * request.rows;
      const framesPerChunk = Math.max(1, Math.floor(CHUNK_VOXELS / Math.max(1, frameVoxels)));
      for (let first = 0; first < request.frames; first += framesPerChunk) {
        await checkpoint();
        const end = Math.min(request.frames, first + framesPerChunk);
        const slice = (t: ResampleAxisTable): ResampleAxisTable => ({
          lowerOffset: t.lowerOffset.subarray(first, end),
          upperStep: t.upperStep.subarray(first, end),
          upperWeight: t.upperWeight.subarray(first, end),
        });
        trilinearResample({ ...request, frames: end - first, frame: slice(request.frame) }, into.subarray(first * frameVoxels, end * frameVoxels));
      }
    },
    dispose() {},
  };
}
