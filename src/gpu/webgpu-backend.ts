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

/** True when the point kernel handles this job (voxel-centre samples, precomputed bins). */
export function pointJob(job: PlaneHistogramJob): boolean {
  return job.plane.factorX === 1 && job.plane.factorY === 1 && !job.plane.spread;
}

/** True when the spread kernel handles this job (the precise algorithm's cell spreading). */
export function spreadJob(job: PlaneHistogramJob): boolean {
  return job.plane.spread !== undefined;
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
  /** Two vec4 per row: (mask word, width, voxel base, voxel stride), (target, layer, 0, 0). */
  histogramRows: Uint32Array;
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
        histogramRows.push(maskWords, width, base, transposed ? columns : 1, layer.target >= 0 ? layer.target : NO_TARGET, layerIndex, 0, 0);
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
    const histogramParams = make(Uint32Array.of(plan.rowCount, fold.itemsPerSlice, request.binning.binCount, countsLength), GPUBufferUsage.UNIFORM);
    const rows = make(plan.rows, STORAGE);
    const toggles = make(plan.toggles.length ? plan.toggles : new Uint32Array(1), STORAGE);
    const mask = make(new Uint32Array(Math.max(1, plan.maskWords)), STORAGE);
    const histogramRows = make(plan.histogramRows, STORAGE);
    const bins = make(plan.bins.length ? plan.bins : new Uint32Array(1), STORAGE);
    // counts, then the samples counted per layer: one results buffer.
    const results = make(new Uint32Array(countsLength + plan.layerCount), STORAGE | GPUBufferUsage.COPY_SRC);
    const readResults = device.createBuffer({ size: results.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    created.push(readResults);

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
      entries: [histogramParams, histogramRows, mask, bins, results].map((b, binding) => ({ binding, resource: { buffer: b } })),
    }));
    histogramPass.dispatchWorkgroups(fold.x, fold.y);
    histogramPass.end();
    encoder.copyBufferToBuffer(results, 0, readResults, 0, results.size);
    device.queue.submit([encoder.finish()]);
    await readResults.mapAsync(GPUMapMode.READ);
    // A validation or memory error anywhere in the batch: never use what it left in the buffers.
    if (errors.length > 0) throw new DosekitError('E_GPU_UNAVAILABLE', `the WebGPU kernels failed on ${acquired.adapter}: ${errors[0]}`);
    const all = new Uint32Array(readResults.getMappedRange().slice(0));
    readResults.unmap();
    return { counts: all.slice(0, countsLength), counted: all.slice(countsLength, countsLength + plan.layerCount) };
  } finally {
    for (const b of created) b.destroy();
  }
}

const FIXED_ONE = 16777216;

interface SpreadResult {
  counts: Uint32Array;
  ramps: Uint32Array;
  extremes: Uint32Array;
  counted: Uint32Array;
}

/** Adds one target's GPU spread accumulators (64-bit fixed point) to a CPU target. */
function addSpread(target: HistogramTarget, result: SpreadResult, index: number, binCount: number, binWidthCGy: number): void {
  const edges = binCount + 1;
  for (let b = 0; b < binCount; b += 1) target.counts[b] += result.counts[index * binCount + b];
  const word = (k: number, accumulator: number) => {
    const at = ((index * edges + k) * 4 + accumulator) * 2;
    return result.ramps[at] + result.ramps[at + 1] * 4294967296;
  };
  for (let k = 0; k < edges; k += 1) {
    target.rampConstant[k] += (word(k, 0) - word(k, 1)) / FIXED_ONE;
    target.rampSlope[k] += (word(k, 2) - word(k, 3)) / FIXED_ONE;
  }
  const f32 = new Float32Array(result.extremes.buffer);
  if (result.extremes[index * 2] !== 0xffffffff) {
    target.minCGy = Math.min(target.minCGy, f32[index * 2] * binWidthCGy);
    target.maxCGy = Math.max(target.maxCGy, f32[index * 2 + 1] * binWidthCGy);
  }
}

/** Runs the precise algorithm's spread jobs: crossings on the CPU, fill and spread histogram on the GPU. */
async function runSpreadOnGpu(acquired: AcquiredDevice, request: HistogramRequest, jobs: readonly PlaneHistogramJob[]): Promise<SpreadResult> {
  const { device } = acquired;
  const { binning, targetCount } = request;
  const toBins = (binning.doseGridScaling * binning.unitsToCGy) / binning.binWidthCGy;
  const maskRows: number[] = [];
  const toggles: number[] = [];
  const spreadRows: number[] = [];
  const frames = new Map<ArrayBufferLike, Map<number, number>>();
  const doseParts: Float32Array[] = [];
  let doseLength = 0;
  const frameOffset = (values: ArrayLike<number>): number => {
    const view = values as unknown as { buffer: ArrayBufferLike; byteOffset: number };
    let byBuffer = frames.get(view.buffer);
    if (!byBuffer) {
      byBuffer = new Map();
      frames.set(view.buffer, byBuffer);
    }
    let offset = byBuffer.get(view.byteOffset);
    if (offset === undefined) {
      offset = doseLength;
      byBuffer.set(view.byteOffset, offset);
      const part = new Float32Array(values.length);
      for (let i = 0; i < part.length; i += 1) part[i] = values[i] * toBins;
      doseParts.push(part);
      doseLength += part.length;
    }
    return offset;
  };
  const jobWords = new ArrayBuffer(jobs.length * 64);
  const jobU32 = new Uint32Array(jobWords);
  const jobF32 = new Float32Array(jobWords);
  let maskWords = 0;
  let layerIndex = 0;
  jobs.forEach((job, jobIndex) => {
    const plane = job.plane;
    const spread = plane.spread!;
    const base = jobIndex * 16;
    jobU32[base] = frameOffset(plane.values);
    jobU32[base + 1] = frameOffset(spread.second);
    jobU32[base + 2] = plane.columns;
    jobU32[base + 3] = plane.transposed ? 1 : 0;
    jobU32[base + 4] = plane.transposed ? plane.rows : plane.columns;
    jobU32[base + 5] = plane.transposed ? plane.columns : plane.rows;
    jobF32[base + 6] = plane.factorX;
    jobF32[base + 7] = plane.factorY;
    jobF32[base + 8] = spread.fraction;
    jobF32[base + 9] = spread.frameGapMm > 0 ? 1 / spread.frameGapMm : 0;
    jobF32[base + 10] = spread.voxelMm[0];
    jobF32[base + 11] = spread.voxelMm[1];
    jobF32[base + 12] = spread.cellMm[0];
    jobF32[base + 13] = spread.cellMm[1];
    jobF32[base + 14] = spread.cellMm[2];
    for (const layer of job.layers) {
      const c = polygonCrossings(job.lattice, { rings: layer.rings });
      const width = c.colEnd - c.colStart;
      const stride = width + 1;
      for (let r = 0; r < c.rowEnd - c.rowStart; r += 1) {
        const first = toggles.length;
        for (let col = 0; col < width; col += 1) if (c.toggles[r * stride + col] !== 0) toggles.push(col);
        maskRows.push(first, toggles.length, maskWords, width);
        spreadRows.push(maskWords, width, jobIndex, c.rowStart + r, c.colStart, layer.target >= 0 ? layer.target : NO_TARGET, layerIndex, 0);
        maskWords += Math.ceil(width / 32);
      }
      layerIndex += 1;
    }
  });
  const dose = new Float32Array(doseLength);
  let at = 0;
  for (const part of doseParts) {
    dose.set(part, at);
    at += part.length;
  }
  const rowCount = maskRows.length / 4;
  const edges = binning.binCount + 1;
  const countsLength = targetCount * binning.binCount;
  const rampsLength = targetCount * edges * 8;
  const rampsOffset = countsLength;
  const countedOffset = rampsOffset + rampsLength;
  const extremesOffset = countedOffset + layerIndex;
  const resultsLength = extremesOffset + targetCount * 2;
  const empty = (): SpreadResult => ({ counts: new Uint32Array(targetCount * binning.binCount), ramps: new Uint32Array(targetCount * edges * 8), extremes: new Uint32Array(targetCount * 2).fill(0xffffffff), counted: new Uint32Array(layerIndex) });
  if (rowCount === 0) return empty();
  if (resultsLength * 4 > acquired.maxStorageBufferBindingSize || dose.byteLength > acquired.maxStorageBufferBindingSize) {
    throw new DosekitError('E_TOO_LARGE', `a GPU batch needs more than the device's ${acquired.maxStorageBufferBindingSize} bytes per buffer.`);
  }
  const errors = watchErrors(device);
  const pipelines = pipelinesFor(device, acquired.maxWorkgroupSize);
  const fold = foldDispatch(rowCount, pipelines.workgroupSize, acquired.maxWorkgroupsPerDimension);
  const STORAGE = GPUBufferUsage.STORAGE;
  const created: GPUBuffer[] = [];
  const make = (data: ArrayBufferView, usage: number) => {
    const b = buffer(device, data, usage);
    created.push(b);
    return b;
  };
  try {
    const maskParams = make(Uint32Array.of(rowCount, fold.itemsPerSlice, 0, 0), GPUBufferUsage.UNIFORM);
    const spreadParams = make(Uint32Array.of(rowCount, fold.itemsPerSlice, binning.binCount, rampsOffset, countedOffset, extremesOffset, 0, 0), GPUBufferUsage.UNIFORM);
    const maskRowsBuffer = make(Uint32Array.from(maskRows), STORAGE);
    const togglesBuffer = make(toggles.length ? Uint32Array.from(toggles) : new Uint32Array(1), STORAGE);
    const mask = make(new Uint32Array(Math.max(1, maskWords)), STORAGE);
    const spreadRowsBuffer = make(Uint32Array.from(spreadRows), STORAGE);
    const doseBuffer = make(dose.length ? dose : new Float32Array(1), STORAGE);
    const jobsBuffer = make(new Uint32Array(jobWords), STORAGE);
    const initial = new Uint32Array(resultsLength);
    for (let t = 0; t < targetCount; t += 1) initial[extremesOffset + t * 2] = 0xffffffff;
    const results = make(initial, STORAGE | GPUBufferUsage.COPY_SRC);
    const readResults = device.createBuffer({ size: results.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    created.push(readResults);
    const encoder = device.createCommandEncoder({ label: 'dosekit spread histogram' });
    const maskPass = encoder.beginComputePass();
    maskPass.setPipeline(pipelines.polygonMask);
    maskPass.setBindGroup(0, device.createBindGroup({
      layout: pipelines.polygonMask.getBindGroupLayout(0),
      entries: [maskParams, maskRowsBuffer, togglesBuffer, mask].map((b, binding) => ({ binding, resource: { buffer: b } })),
    }));
    maskPass.dispatchWorkgroups(fold.x, fold.y);
    maskPass.end();
    const spreadPass = encoder.beginComputePass();
    spreadPass.setPipeline(pipelines.doseHistogramSpread);
    spreadPass.setBindGroup(0, device.createBindGroup({
      layout: pipelines.doseHistogramSpread.getBindGroupLayout(0),
      entries: [spreadParams, spreadRowsBuffer, mask, doseBuffer, jobsBuffer, results].map((b, binding) => ({ binding, resource: { buffer: b } })),
    }));
    spreadPass.dispatchWorkgroups(fold.x, fold.y);
    spreadPass.end();
    encoder.copyBufferToBuffer(results, 0, readResults, 0, results.size);
    device.queue.submit([encoder.finish()]);
    await readResults.mapAsync(GPUMapMode.READ);
    const all = new Uint32Array(readResults.getMappedRange().slice(0));
    readResults.unmap();
    if (errors.length > 0) throw new DosekitError('E_GPU_UNAVAILABLE', `the WebGPU kernels failed on ${acquired.adapter}: ${errors[0]}`);
    return {
      counts: all.slice(0, countsLength),
      ramps: all.slice(rampsOffset, rampsOffset + rampsLength),
      counted: all.slice(countedOffset, countedOffset + layerIndex),
      extremes: all.slice(extremesOffset, extremesOffset + targetCount * 2),
    };
  } finally {
    for (const b of created) b.destroy();
  }
}

/**
 * A WebGPU compute backend on an acquired device: voxel-centre jobs (the dicompyler algorithm)
 * on the point kernel, identical to the CPU; cell-spreading jobs (the precise algorithm) on the
 * spread kernel, within about 1e-7 of the volume of the CPU's float64 result. Other jobs
 * (the dicompyler algorithm's in-plane interpolation option) run on the CPU kernels in the same call.
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
      const gpuJobs = request.jobs.filter(pointJob);
      if (gpuJobs.length > 0) {
        const result = await runOnGpu(acquired, request, gpuJobs);
        const binCount = request.binning.binCount;
        targets.forEach((t, index) => {
          for (let b = 0; b < binCount; b += 1) t.counts[b] = result.counts[index * binCount + b];
        });
        let layer = 0;
        request.jobs.forEach((job, j) => {
          if (!pointJob(job)) return;
          job.layers.forEach((_, l) => {
            counted[j][l] = result.counted[layer];
            layer += 1;
          });
        });
      }
      const spreadJobs = request.jobs.filter(spreadJob);
      if (spreadJobs.length > 0) {
        const result = await runSpreadOnGpu(acquired, request, spreadJobs);
        targets.forEach((t, index) => addSpread(t, result, index, request.binning.binCount, request.binning.binWidthCGy));
        let layer = 0;
        request.jobs.forEach((job, j) => {
          if (!spreadJob(job)) return;
          job.layers.forEach((_, l) => {
            counted[j][l] = result.counted[layer];
            layer += 1;
          });
        });
      }
      request.jobs.forEach((job, j) => {
        if (pointJob(job) || spreadJob(job)) return;
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
