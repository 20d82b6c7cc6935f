// SPDX-License-Identifier: BSD-3-Clause
// The WebGPU backend: the exact crossings on the CPU (float64), the mask fill and the histogram
// on the GPU (integers), every layer of a batch of planes in one pair of dispatches.
import { doseHistogram } from '../../fallback/dose-histogram.js';
import { fillCrossings, polygonCrossings } from '../../fallback/polygon-mask.js';
import { throwIfAborted } from '../backend/abort.js';
import type { BackendInfo, ComputeBackend, HistogramRequest, HistogramResponse, PlaneHistogramJob } from '../backend/compute-backend.js';
import { DosekitError } from '../errors.js';
import { type HistogramTarget, emptyTarget } from '../kernels/dose-histogram.js';
import { type ResampleRequest, validateResampleRequest } from '../kernels/trilinear-resample.js';
import type { AcquiredDevice } from './device.js';
import { isPointJob, runPointBatch } from './point-batch.js';
import { addSpreadResults, isSpreadJob, runSpreadBatch } from './spread-batch.js';
import { runTrilinearResample } from './trilinear-resample.js';

/** Writes each layer's samples-counted of the jobs selected by `selects`, in batch order. */
function spreadCounted(request: HistogramRequest, counted: number[][], selects: (job: PlaneHistogramJob) => boolean, values: Uint32Array): void {
  let layer = 0;
  request.jobs.forEach((job, j) => {
    if (!selects(job)) return;
    job.layers.forEach((_, l) => {
      counted[j][l] = values[layer];
      layer += 1;
    });
  });
}

/**
 * A WebGPU compute backend on an acquired device: voxel-centre jobs (the dicompyler algorithm)
 * on the point kernel, identical to the CPU; cell-spreading jobs (the precise algorithm) on the
 * spread kernel, within about 1e-6 of the CPU's float64 result. Other jobs (the dicompyler
 * algorithm's in-plane interpolation option) run on the CPU kernels in the same call.
 * Resampling runs on the trilinear-resample kernel in float32, within about 1e-6 of the CPU's
 * maximum dose (exact where every weight is 0 and stored values are integers below 2^24).
 */
export function createWebGpuBackend(acquired: AcquiredDevice): ComputeBackend {
  let lost: string | null = null;
  acquired.device.lost.then((info) => {
    lost = info.message || info.reason || 'device lost';
  });
  const info: BackendInfo = Object.freeze({ kind: 'webgpu' as const, adapter: acquired.adapter, software: acquired.software });
  return {
    info,
    device: acquired.device,
    async histogram(request: HistogramRequest, signal?: AbortSignal): Promise<HistogramResponse> {
      throwIfAborted(signal);
      if (lost) throw new DosekitError('E_GPU_LOST', `the WebGPU device was lost (${lost}); create a new backend.`);
      const { binCount, binWidthCGy } = request.binning;
      const targets: HistogramTarget[] = Array.from({ length: request.targetCount }, () => emptyTarget(binCount));
      const counted: number[][] = request.jobs.map((job) => job.layers.map(() => 0));
      const pointJobs = request.jobs.filter(isPointJob);
      if (pointJobs.length > 0) {
        const result = await runPointBatch(acquired, request, pointJobs);
        targets.forEach((t, index) => {
          for (let b = 0; b < binCount; b += 1) t.counts[b] += result.counts[index * binCount + b];
        });
        spreadCounted(request, counted, isPointJob, result.counted);
      }
      const spreadJobs = request.jobs.filter(isSpreadJob);
      if (spreadJobs.length > 0) {
        const result = await runSpreadBatch(acquired, request, spreadJobs);
        targets.forEach((t, index) => addSpreadResults(t, result, index, binCount, binWidthCGy));
        spreadCounted(request, counted, isSpreadJob, result.counted);
      }
      request.jobs.forEach((job, j) => {
        if (isPointJob(job) || isSpreadJob(job)) return;
        throwIfAborted(signal);
        job.layers.forEach((layer, l) => {
          const mask = fillCrossings(polygonCrossings(job.lattice, { rings: layer.rings }));
          counted[j][l] = mask.count === 0 ? 0 : doseHistogram(job.plane, mask, request.binning, layer.target >= 0 ? targets[layer.target] : null);
        });
      });
      if (lost) throw new DosekitError('E_GPU_LOST', `the WebGPU device was lost during the calculation (${lost}).`);
      return { targets, counted };
    },
    async resample(request: ResampleRequest, into: Float64Array, signal?: AbortSignal): Promise<void> {
      throwIfAborted(signal);
      if (lost) throw new DosekitError('E_GPU_LOST', `the WebGPU device was lost (${lost}); create a new backend.`);
      validateResampleRequest(request);
      await runTrilinearResample(acquired, request, into, signal);
    },
    dispose() {
      if (acquired.owned) acquired.device.destroy();
    },
  };
}
