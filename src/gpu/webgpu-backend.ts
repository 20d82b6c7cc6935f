// SPDX-License-Identifier: BSD-3-Clause
// The WebGPU backend: the exact crossings on the CPU (float64), the mask fill and the histogram
// on the GPU (integers), all layers of a batch in one pair of dispatches.
import { fillCrossings, polygonCrossings } from '../../fallback/polygon-mask.js';
import { doseHistogram } from '../../fallback/dose-histogram.js';
import { throwIfAborted } from '../backend/abort.js';
import type { BackendInfo, ComputeBackend, HistogramRequest, HistogramResponse, PlaneHistogramJob } from '../backend/compute-backend.js';
import { DosekitError } from '../errors.js';
import { type HistogramTarget, emptyTarget } from '../kernels/dose-histogram.js';
import { binPlane } from './bin-plane.js';
import type { AcquiredDevice } from './device.js';
import { foldDispatch } from './dispatch.js';
import { pipelinesFor } from './pipelines.js';

const NO_TARGET = 0xffffffff;

const errorLogs = new WeakMap<GPUDevice, string[]>();

/**
 * The device's uncaptured errors since the last call (error scopes are not dependable in Dawn's
 * Node binding: awaiting popErrorScope there can hang or abort the process).
 */
function watchErrors(device: GPUDevice): string[] {
  let log = errorLogs.get(device);
  if (!log) {
    const created: string[] = [];
    log = created;
    errorLogs.set(device, created);
    device.addEventListener('uncapturederror', (event) => {
      created.push((event as GPUUncapturedErrorEvent).error.message);
    });
  }
  log.length = 0;
  return log;
}

/** True when the GPU kernels handle this job (voxel-centre samples, point histogram). */
export function gpuHandles(job: PlaneHistogramJob): boolean {
  return job.plane.factorX === 1 && job.plane.factorY === 1 && !job.plane.spread;
}

function buffer(device: GPUDevice, data: ArrayBufferView, usage: number): GPUBuffer {
  const size = Math.max(16, Math.ceil(data.byteLength / 4) * 4);
  const b = device.createBuffer({ size, usage: usage | GPUBufferUsage.COPY_DST });
  const bytes = new Uint8Array(size);
  bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  device.queue.writeBuffer(b, 0, bytes);
  return b;
}

interface GpuLayout {
  rows: Uint32Array;
  toggles: Uint32Array;
  histogramRows: Uint32Array;
  owners: Uint32Array;
  maskWords: number;
  bins: Uint32Array;
  layerCount: number;
  rowCount: number;
}

/** Lays out every layer of the GPU jobs: exact crossings (CPU), row tables, bin planes. */
function layout(jobs: readonly PlaneHistogramJob[], request: HistogramRequest): GpuLayout {
  const rows: number[] = [];
  const toggles: number[] = [];
  const histogramRows: number[] = [];
  const owners: number[] = [];
  const planeOffsets = new Map<ArrayLike<number>, number>();
  const binParts: Uint32Array[] = [];
  let binLength = 0;
  let maskWords = 0;
  let layerIndex = 0;
  for (const job of jobs) {
    let planeOffset = planeOffsets.get(job.plane.values);
    if (planeOffset === undefined) {
      planeOffset = binLength;
      planeOffsets.set(job.plane.values, planeOffset);
      const part = binPlane(job.plane.values, request.binning);
      binParts.push(part);
      binLength += part.length;
    }
    const { columns, transposed } = job.plane;
    for (const layer of job.layers) {
      const c = polygonCrossings(job.lattice, { rings: layer.rings });
      const width = c.colEnd - c.colStart;
      const stride = width + 1;
      for (let r = 0; r < c.rowEnd - c.rowStart; r += 1) {
        const first = toggles.length;
        for (let col = 0; col < width; col += 1) if (c.toggles[r * stride + col] !== 0) toggles.push(col);
        rows.push(first, toggles.length, maskWords, width);
        const j = c.rowStart + r;
        // Voxel of sample (column i, row j): j * columns + i, or i * columns + j when transposed.
        const base = planeOffset + (transposed ? c.colStart * columns + j : j * columns + c.colStart);
        histogramRows.push(maskWords, width, base, transposed ? columns : 1);
        owners.push(layer.target >= 0 ? layer.target : NO_TARGET, layerIndex);
        maskWords += Math.ceil(width / 32);
      }
      layerIndex += 1;
    }
  }
  const bins = new Uint32Array(binLength);
  let offset = 0;
  for (const part of binParts) {
    bins.set(part, offset);
    offset += part.length;
  }
  return {
    rows: Uint32Array.from(rows),
    toggles: Uint32Array.from(toggles),
    histogramRows: Uint32Array.from(histogramRows),
    owners: Uint32Array.from(owners),
    maskWords,
    bins,
    layerCount: layerIndex,
    rowCount: rows.length / 4,
  };
}

async function runOnGpu(acquired: AcquiredDevice, request: HistogramRequest, jobs: readonly PlaneHistogramJob[]): Promise<{ counts: Uint32Array; counted: Uint32Array }> {
  const { device } = acquired;
  const plan = layout(jobs, request);
  const countsLength = request.targetCount * request.binning.binCount;
  if (countsLength * 4 > acquired.maxStorageBufferBindingSize || plan.bins.byteLength > acquired.maxStorageBufferBindingSize) {
    throw new DosekitError('E_TOO_LARGE', `a GPU batch needs more than the device's ${acquired.maxStorageBufferBindingSize} bytes per buffer.`);
  }
  if (plan.rowCount === 0) return { counts: new Uint32Array(countsLength), counted: new Uint32Array(plan.layerCount) };
  const errors = watchErrors(device);
  const pipelines = pipelinesFor(device, acquired.maxWorkgroupSize);
  const fold = foldDispatch(plan.rowCount, pipelines.workgroupSize, acquired.maxWorkgroupsPerDimension);
  const STORAGE = GPUBufferUsage.STORAGE;
  const created: GPUBuffer[] = [];
  const make = (data: ArrayBufferView, usage: number) => {
    const b = buffer(device, data, usage);
    created.push(b);
    return b;
  };
  try {
    const maskParams = make(Uint32Array.of(plan.rowCount, fold.itemsPerSlice, 0, 0), GPUBufferUsage.UNIFORM);
    const histogramParams = make(Uint32Array.of(plan.rowCount, fold.itemsPerSlice, request.binning.binCount, 0), GPUBufferUsage.UNIFORM);
    const rows = make(plan.rows, STORAGE);
    const toggles = make(plan.toggles.length ? plan.toggles : new Uint32Array(1), STORAGE);
    const mask = make(new Uint32Array(Math.max(1, plan.maskWords)), STORAGE);
    const histogramRows = make(plan.histogramRows, STORAGE);
    const owners = make(plan.owners, STORAGE);
    const bins = make(plan.bins.length ? plan.bins : new Uint32Array(1), STORAGE);
    const counts = make(new Uint32Array(Math.max(1, countsLength)), STORAGE | GPUBufferUsage.COPY_SRC);
    const counted = make(new Uint32Array(Math.max(1, plan.layerCount)), STORAGE | GPUBufferUsage.COPY_SRC);
    const readCounts = device.createBuffer({ size: counts.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const readCounted = device.createBuffer({ size: counted.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    created.push(readCounts, readCounted);

    const encoder = device.createCommandEncoder({ label: 'dosekit histogram' });
    const maskPass = encoder.beginComputePass();
    maskPass.setPipeline(pipelines.polygonMask);
    maskPass.setBindGroup(0, device.createBindGroup({
      layout: pipelines.polygonMask.getBindGroupLayout(0),
      entries: [maskParams, rows, toggles, mask].map((b, binding) => ({ binding, resource: { buffer: b } })),
    }));
    maskPass.dispatchWorkgroups(fold.x, fold.y);
    maskPass.end();
    const histogramPass = encoder.beginComputePass();
    histogramPass.setPipeline(pipelines.doseHistogram);
    histogramPass.setBindGroup(0, device.createBindGroup({
      layout: pipelines.doseHistogram.getBindGroupLayout(0),
      entries: [histogramParams, histogramRows, owners, mask, bins, counts, counted].map((b, binding) => ({ binding, resource: { buffer: b } })),
    }));
    histogramPass.dispatchWorkgroups(fold.x, fold.y);
    histogramPass.end();
    encoder.copyBufferToBuffer(counts, 0, readCounts, 0, counts.size);
    encoder.copyBufferToBuffer(counted, 0, readCounted, 0, counted.size);
    device.queue.submit([encoder.finish()]);
    await readCounts.mapAsync(GPUMapMode.READ);
    await readCounted.mapAsync(GPUMapMode.READ);
    // A validation or memory error anywhere in the batch: never use what it left in the buffers.
    if (errors.length > 0) throw new DosekitError('E_GPU_UNAVAILABLE', `the WebGPU kernels failed on ${acquired.adapter}: ${errors[0]}`);
    const result = {
      counts: new Uint32Array(readCounts.getMappedRange().slice(0, countsLength * 4)),
      counted: new Uint32Array(readCounted.getMappedRange().slice(0, plan.layerCount * 4)),
    };
    readCounts.unmap();
    readCounted.unmap();
    return result;
  } finally {
    for (const b of created) b.destroy();
  }
}

/**
 * A WebGPU compute backend on an acquired device. Jobs the GPU kernels do not cover yet
 * (supersampled lattices, the precise algorithm's cell spreading) run on the CPU kernels inside
 * the same call, so every request is answered, and the integer results are identical.
 */
export function createWebGpuBackend(acquired: AcquiredDevice): ComputeBackend {
  let lost: string | null = null;
  acquired.device.lost.then((info) => {
    lost = info.message || info.reason || 'device lost';
  });
  const info: BackendInfo = Object.freeze({ kind: 'webgpu' as const, adapter: acquired.adapter, software: acquired.software });
  return {
    info,
    async histogram(request: HistogramRequest, signal?: AbortSignal): Promise<HistogramResponse> {
      throwIfAborted(signal);
      if (lost) throw new DosekitError('E_GPU_LOST', `the WebGPU device was lost (${lost}); create a new backend.`);
      const targets: HistogramTarget[] = Array.from({ length: request.targetCount }, () => emptyTarget(request.binning.binCount));
      const counted: number[][] = request.jobs.map((job) => job.layers.map(() => 0));
      const gpuJobs = request.jobs.filter(gpuHandles);
      if (gpuJobs.length > 0) {
        const result = await runOnGpu(acquired, request, gpuJobs);
        const binCount = request.binning.binCount;
        targets.forEach((t, index) => {
          for (let b = 0; b < binCount; b += 1) t.counts[b] = result.counts[index * binCount + b];
        });
        let layer = 0;
        request.jobs.forEach((job, j) => {
          if (!gpuHandles(job)) return;
          job.layers.forEach((_, l) => {
            counted[j][l] = result.counted[layer];
            layer += 1;
          });
        });
      }
      request.jobs.forEach((job, j) => {
        if (gpuHandles(job)) return;
        throwIfAborted(signal);
        job.layers.forEach((layer, l) => {
          const mask = fillCrossings(polygonCrossings(job.lattice, { rings: layer.rings }));
          counted[j][l] = mask.count === 0 ? 0 : doseHistogram(job.plane, mask, request.binning, layer.target >= 0 ? targets[layer.target] : null);
        });
      });
      return { targets, counted };
    },
    dispose() {
      if (acquired.owned) acquired.device.destroy();
    },
  };
}
