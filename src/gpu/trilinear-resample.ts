// SPDX-License-Identifier: BSD-3-Clause
// trilinear-resample on the GPU: the target frames in z-slabs, each slab reading only the
// contiguous source sub-block its tables reach (as float32); the kernel blends the stored values,
// the host applies the gain in float64 and the outside value where the tables say outside.
import { throwIfAborted } from '../backend/abort.js';
import { DosekitError } from '../errors.js';
import type { ResampleAxisTable, ResampleRequest, ResampleSource } from '../kernels/trilinear-resample.js';
import type { AcquiredDevice } from './device.js';
import { foldDispatch } from './dispatch.js';
import { pipelinesFor } from './pipelines.js';
import { watchErrors } from './error-log.js';

/** Slabs grow up to this many bytes of output or source (a single frame may take more, up to the device's limit). */
export const DEFAULT_SLAB_BYTES = 64 * 1024 * 1024;

/** Bytes of one table entry (the WGSL AxisEntry: i32 offset, i32 step, f32 weight). */
const ENTRY_BYTES = 12;
/** Bytes of the uniform parameters (the WGSL Params struct). */
const PARAMS_BYTES = 32;

/** Tuning of {@link runTrilinearResample}. */
export interface TrilinearResampleOptions {
  /**
   * Slabs grow while their output and their source sub-block each stay within this many bytes
   * (default {@link DEFAULT_SLAB_BYTES}); a slab always takes at least one frame. Tests lower it
   * to force many slabs.
   */
  readonly maxSlabBytes?: number;
}

/** A run of target frames done in one dispatch, and the source elements it reads. */
export interface ResampleSlab {
  readonly firstFrame: number;
  readonly frames: number;
  /** Lowest and one past the highest source element read; equal when the slab reads nothing (all outside). */
  readonly sourceStart: number;
  readonly sourceEnd: number;
}

/** Lowest lower offset and highest upper offset among a table's inside entries; null when all are outside. */
function reach(table: ResampleAxisTable): { low: number; high: number } | null {
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < table.lowerOffset.length; i += 1) {
    const offset = table.lowerOffset[i];
    if (offset < 0) continue;
    low = Math.min(low, offset);
    high = Math.max(high, offset + table.upperStep[i]);
  }
  return low === Infinity ? null : { low, high };
}

/**
 * Splits the target frames into slabs whose output (4 bytes a voxel) and source sub-block
 * (4 bytes an element) each stay within `slabBytes`, one frame at least per slab.
 * @throws DosekitError E_TOO_LARGE when one frame alone needs more than `limit` bytes.
 */
export function planResampleSlabs(request: ResampleRequest, slabBytes: number, limit: number): ResampleSlab[] {
  const planeBytes = request.columns * request.rows * 4;
  const column = reach(request.column);
  const row = reach(request.row);
  const { lowerOffset, upperStep } = request.frame;
  const span = (f: number): { low: number; high: number } | null =>
    !column || !row || lowerOffset[f] < 0 ? null : { low: lowerOffset[f] + row.low + column.low, high: lowerOffset[f] + upperStep[f] + row.high + column.high };
  const slabs: ResampleSlab[] = [];
  let f = 0;
  while (f < request.frames) {
    const first = f;
    let low = Infinity;
    let high = -Infinity;
    for (; f < request.frames; f += 1) {
      const s = span(f);
      const nextLow = s ? Math.min(low, s.low) : low;
      const nextHigh = s ? Math.max(high, s.high) : high;
      const outputBytes = (f - first + 1) * planeBytes;
      const sourceBytes = nextLow === Infinity ? 0 : (nextHigh - nextLow + 1) * 4;
      if (f === first && Math.max(outputBytes, sourceBytes) > limit) {
        const bytes = Math.max(outputBytes, sourceBytes);
        throw new DosekitError(
          'E_TOO_LARGE',
          `trilinear-resample: one target frame needs a ${bytes}-byte GPU buffer (${outputBytes} bytes of output, ${sourceBytes} bytes of source), ` +
            `more than the device's ${limit} bytes per storage binding; resample on the CPU (backend 'cpu').`,
          { bytes, limit },
        );
      }
      if (f > first && Math.max(outputBytes, sourceBytes) > slabBytes) break;
      low = nextLow;
      high = nextHigh;
    }
    const sourceStart = low === Infinity ? 0 : low;
    slabs.push({ firstFrame: first, frames: f - first, sourceStart, sourceEnd: low === Infinity ? 0 : high + 1 });
  }
  return slabs;
}

/** The three tables as the kernel's AxisEntry array: columns, then rows, then frames. */
function packTables(request: ResampleRequest): ArrayBuffer {
  const tables = [request.column, request.row, request.frame];
  const count = request.columns + request.rows + request.frames;
  const bytes = new ArrayBuffer(Math.max(16, Math.ceil((count * ENTRY_BYTES) / 16) * 16));
  const ints = new Int32Array(bytes);
  const floats = new Float32Array(bytes);
  let at = 0;
  for (const table of tables) {
    for (let i = 0; i < table.lowerOffset.length; i += 1, at += 3) {
      ints[at] = table.lowerOffset[i];
      ints[at + 1] = table.upperStep[i];
      floats[at + 2] = table.upperWeight[i];
    }
  }
  return bytes;
}

/** Source elements [start, end) as float32. */
function sourceBlock(source: ResampleSource, start: number, end: number): Float32Array<ArrayBuffer> {
  if (ArrayBuffer.isView(source) && !(source instanceof DataView)) {
    return new Float32Array((source as unknown as Float64Array).subarray(start, end));
  }
  const out = new Float32Array(end - start);
  for (let i = start; i < end; i += 1) out[i - start] = source[i];
  return out;
}

/** Why each device was lost, once it has been (one listener per device, not one per call). */
const lostReasons = new WeakMap<GPUDevice, { reason: string | null }>();

function lostState(device: GPUDevice): { reason: string | null } {
  let state = lostReasons.get(device);
  if (!state) {
    const created: { reason: string | null } = { reason: null };
    state = created;
    lostReasons.set(device, created);
    device.lost.then((info) => {
      created.reason = info.message || info.reason || 'device lost';
    });
  }
  return state;
}

/**
 * Adds `gain x` the trilinear blend of the source (float32 on the GPU) into `into` for every
 * target voxel inside the source, and `outsideValue` for the others, as the CPU reference does.
 * `into` is only written once every slab has come back, so an abort or a GPU failure leaves it
 * as it was. The request must already be valid (validateResampleRequest).
 * @throws DosekitError E_TOO_LARGE when one target frame does not fit the device's buffers;
 *   E_GPU_LOST when the device is lost; E_GPU_UNAVAILABLE when a dispatch fails; an AbortError
 *   when `signal` aborts.
 */
export async function runTrilinearResample(acquired: AcquiredDevice, request: ResampleRequest, into: Float64Array, signal?: AbortSignal, options: TrilinearResampleOptions = {}): Promise<void> {
  throwIfAborted(signal);
  const { columns, rows, frames } = request;
  const planeVoxels = columns * rows;
  const voxels = planeVoxels * frames;
  if (voxels === 0) return;
  const { device } = acquired;
  const limit = Math.min(acquired.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  const slabBytes = Math.min(limit, options.maxSlabBytes ?? DEFAULT_SLAB_BYTES);
  const slabs = planResampleSlabs(request, slabBytes, limit).filter((s) => s.sourceEnd > s.sourceStart);
  const blended = new Float32Array(voxels);

  if (slabs.length > 0) {
    const lost = lostState(device);
    const lostError = () => new DosekitError('E_GPU_LOST', `the WebGPU device was lost during the resampling (${lost.reason}).`);
    const errors = watchErrors(device);
    const pipelines = pipelinesFor(device, acquired.maxWorkgroupSize);
    const size = (bytes: number) => Math.max(16, Math.ceil(bytes / 4) * 4);
    const outputSize = size(slabs.reduce((m, s) => Math.max(m, s.frames), 0) * planeVoxels * 4);
    const created: GPUBuffer[] = [];
    const buffer = (bytes: number, usage: number): GPUBuffer => {
      const b = device.createBuffer({ size: bytes, usage });
      created.push(b);
      return b;
    };
    try {
      const { STORAGE, UNIFORM, COPY_DST, COPY_SRC, MAP_READ } = GPUBufferUsage;
      const tableBytes = packTables(request);
      const params = buffer(PARAMS_BYTES, UNIFORM | COPY_DST);
      const tables = buffer(tableBytes.byteLength, STORAGE | COPY_DST);
      const source = buffer(size(slabs.reduce((m, s) => Math.max(m, s.sourceEnd - s.sourceStart), 0) * 4), STORAGE | COPY_DST);
      const output = buffer(outputSize, STORAGE | COPY_SRC);
      const readBack = buffer(outputSize, MAP_READ | COPY_DST);
      device.queue.writeBuffer(tables, 0, tableBytes);
      const bindGroup = device.createBindGroup({
        layout: pipelines.trilinearResample.getBindGroupLayout(0),
        entries: [params, tables, source, output].map((b, binding) => ({ binding, resource: { buffer: b } })),
      });
      for (const slab of slabs) {
        throwIfAborted(signal);
        if (lost.reason) throw lostError();
        const items = slab.frames * planeVoxels;
        const fold = foldDispatch(items, pipelines.workgroupSize, acquired.maxWorkgroupsPerDimension);
        const words = new Int32Array(PARAMS_BYTES / 4);
        words.set([columns, rows, slab.frames, slab.firstFrame, fold.itemsPerSlice, columns, columns + rows, slab.sourceStart]);
        device.queue.writeBuffer(params, 0, words);
        device.queue.writeBuffer(source, 0, sourceBlock(request.source, slab.sourceStart, slab.sourceEnd));
        const encoder = device.createCommandEncoder({ label: 'dosekit trilinear-resample' });
        const pass = encoder.beginComputePass();
        pass.setPipeline(pipelines.trilinearResample);
        pass.setBindGroup(0, bindGroup);
        pass.dispatchWorkgroups(fold.x, fold.y);
        pass.end();
        encoder.copyBufferToBuffer(output, 0, readBack, 0, items * 4);
        device.queue.submit([encoder.finish()]);
        try {
          await readBack.mapAsync(GPUMapMode.READ, 0, items * 4);
        } catch (error) {
          // A lost device rejects the mapping; give device.lost its turn before deciding which.
          await Promise.race([device.lost, new Promise((resolve) => setTimeout(resolve, 0))]);
          if (lost.reason) throw lostError();
          throw new DosekitError('E_GPU_UNAVAILABLE', `the WebGPU trilinear-resample kernel failed on ${acquired.adapter}: ${(error as Error).message}`);
        }
        blended.set(new Float32Array(readBack.getMappedRange(0, items * 4)), slab.firstFrame * planeVoxels);
        readBack.unmap();
        // A validation or memory error: never use what the dispatch left in the buffers.
        if (errors.length > 0) throw new DosekitError('E_GPU_UNAVAILABLE', `the WebGPU trilinear-resample kernel failed on ${acquired.adapter}: ${errors[0]}`);
      }
      throwIfAborted(signal);
      if (lost.reason) throw lostError();
    } finally {
      for (const b of created) b.destroy();
    }
  }
  accumulate(request, blended, into);
}

/** into[i] += gain x blended[i] inside the source, += outsideValue outside (the CPU's traversal). */
function accumulate(request: ResampleRequest, blended: Float32Array, into: Float64Array): void {
  const { columns, rows, frames, gain, outsideValue } = request;
  const cOff = request.column.lowerOffset;
  const rOff = request.row.lowerOffset;
  const fOff = request.frame.lowerOffset;
  let index = 0;
  for (let f = 0; f < frames; f += 1) {
    if (fOff[f] < 0) {
      for (let end = index + rows * columns; index < end; index += 1) into[index] += outsideValue;
      continue;
    }
    for (let r = 0; r < rows; r += 1) {
      if (rOff[r] < 0) {
        for (let end = index + columns; index < end; index += 1) into[index] += outsideValue;
        continue;
      }
      for (let c = 0; c < columns; c += 1, index += 1) {
        into[index] += cOff[c] < 0 ? outsideValue : gain * blended[index];
      }
    }
  }
}
