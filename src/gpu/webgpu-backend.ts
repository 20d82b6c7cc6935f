// SPDX-License-Identifier: BSD-3-Clause
// The WebGPU backend: the exact crossings on the CPU (float64), the mask fill and the histogram
// on the GPU (integers), the layers of a batch of planes in one pair of dispatches per chunk
// that fits the device's storage-buffer binding limit (one chunk unless the planes or targets
// are large). Nothing on the GPU grows with the whole dose grid: only the planes a chunk reads
// go up.
import { doseHistogram } from '../../fallback/dose-histogram.js';
import { fillCrossings, polygonCrossings } from '../../fallback/polygon-mask.js';
import { throwIfAborted } from '../backend/abort.js';
import type { BackendInfo, ComputeBackend, HistogramRequest, HistogramResponse, PlaneHistogramJob } from '../backend/compute-backend.js';
import { DosekitError, isDosekitError } from '../errors.js';
import { batchTargets, fedTargets } from '../kernels/dose-histogram.js';
import { type ResampleRequest, validateResampleRequest } from '../kernels/trilinear-resample.js';
import type { AcquiredDevice } from './device.js';
import { isPointJob, pointBatchBytes, runPointBatch } from './point-batch.js';
import { addSpreadResults, isSpreadJob, runSpreadBatch, spreadBatchBytes } from './spread-batch.js';
import { runTrilinearResample } from './trilinear-resample.js';

/** A job of the request, or some of its layers: the request's job index and the first layer's index there. */
interface JobPiece {
  readonly job: PlaneHistogramJob;
  readonly index: number;
  readonly firstLayer: number;
}

/**
 * Consecutive chunks of `jobs` whose size-known buffers (`bytes`: the dose planes, the results)
 * each fit within `limit`. A job that alone exceeds it (many layers feeding many targets) is cut
 * into its layers first; a layer that alone exceeds it gets a chunk of its own (and fails there
 * with E_TOO_LARGE). So a request's planes go to the GPU in slabs the device can bind, however
 * large the grid, and each results buffer holds only the targets its chunk feeds.
 */
function chunksWithin(jobs: readonly JobPiece[], limit: number, bytes: (jobs: readonly PlaneHistogramJob[]) => Record<string, number>): JobPiece[][] {
  const fits = (candidate: readonly JobPiece[]) => Object.values(bytes(candidate.map((c) => c.job))).every((b) => b <= limit);
  const pieces = jobs.flatMap((piece) =>
    piece.job.layers.length > 1 && !fits([piece])
      ? piece.job.layers.map((layer, l) => ({ job: { ...piece.job, layers: [layer] }, index: piece.index, firstLayer: piece.firstLayer + l }))
      : [piece],
  );
  const chunks: JobPiece[][] = [];
  let current: JobPiece[] = [];
  for (const piece of pieces) {
    const candidate = [...current, piece];
    if (current.length === 0 || fits(candidate)) current = candidate;
    else {
      chunks.push(current);
      current = [piece];
    }
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Runs `chunk`; when one of the buffers that depend on the contours (crossings, masks) makes it
 * too large for the device, runs its halves instead.
 */
async function runSplitting(chunk: readonly JobPiece[], run: (chunk: readonly JobPiece[]) => Promise<void>, signal?: AbortSignal): Promise<void> {
  throwIfAborted(signal);
  try {
    await run(chunk);
  } catch (error) {
    if (!(isDosekitError(error) && error.code === 'E_TOO_LARGE' && chunk.length > 1)) throw error;
    const half = Math.ceil(chunk.length / 2);
    await runSplitting(chunk.slice(0, half), run, signal);
    await runSplitting(chunk.slice(half), run, signal);
  }
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
      const targets = batchTargets(request.targetCount, binCount, fedTargets(request.jobs));
      const counted: number[][] = request.jobs.map((job) => job.layers.map(() => 0));
      const indexed: JobPiece[] = request.jobs.map((job, index) => ({ job, index, firstLayer: 0 }));
      const writeCounted = (chunk: readonly JobPiece[], values: Uint32Array) => {
        let layer = 0;
        for (const { job, index, firstLayer } of chunk) job.layers.forEach((_, l) => (counted[index][firstLayer + l] = values[layer++]));
      };
      const limit = acquired.maxStorageBufferBindingSize;
      const pointJobs = indexed.filter(({ job }) => isPointJob(job));
      for (const chunk of chunksWithin(pointJobs, limit, (jobs) => pointBatchBytes(request.binning, jobs))) {
        await runSplitting(chunk, async (part) => {
          const result = await runPointBatch(acquired, request.binning, part.map((c) => c.job));
          result.targets.forEach((t, slot) => {
            const counts = targets[t].counts;
            for (let b = 0; b < binCount; b += 1) counts[b] += result.counts[slot * binCount + b];
          });
          writeCounted(part, result.counted);
        }, signal);
      }
      const spreadJobs = indexed.filter(({ job }) => isSpreadJob(job));
      for (const chunk of chunksWithin(spreadJobs, limit, (jobs) => spreadBatchBytes(request.binning, jobs))) {
        await runSplitting(chunk, async (part) => {
          const result = await runSpreadBatch(acquired, request.binning, part.map((c) => c.job));
          result.targets.forEach((t, slot) => addSpreadResults(targets[t], result, slot, binCount, binWidthCGy));
          writeCounted(part, result.counted);
        }, signal);
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
