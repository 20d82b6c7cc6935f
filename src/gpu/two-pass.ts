// SPDX-License-Identifier: BSD-3-Clause
// One batch on the GPU: the polygon-mask pass, then a histogram pass, one results buffer read back.
import { DosekitError } from '../errors.js';
import type { CrossingRows } from './crossing-rows.js';
import type { AcquiredDevice } from './device.js';
import { foldDispatch } from './dispatch.js';
import { watchErrors } from './error-log.js';
import { pipelinesFor } from './pipelines.js';

/** The histogram pass of a batch: which variant, its uniform parameters after the row count and slice, its inputs. */
export interface HistogramPass {
  readonly variant: 'point' | 'spread';
  /** Uniform words after (totalRows, rowsPerSlice). */
  readonly params: readonly number[];
  /** Storage inputs bound after the uniform: the per-row table, then the mask is inserted, then these. */
  readonly rowTable: Uint32Array;
  readonly inputs: readonly ArrayBufferView[];
  /** The results buffer's initial contents (atomics start from here). */
  readonly results: Uint32Array;
}

/** Checks a batch fits the device's buffers. @throws E_TOO_LARGE naming the limit. */
export function checkBatchSize(acquired: AcquiredDevice, ...views: ArrayBufferView[]): void {
  for (const view of views) {
    if (view.byteLength > acquired.maxStorageBufferBindingSize) {
      throw new DosekitError('E_TOO_LARGE', `a GPU batch needs a ${view.byteLength}-byte buffer, more than the device's ${acquired.maxStorageBufferBindingSize} bytes per binding; use the CPU backend for this case.`, {
        bytes: view.byteLength,
        limit: acquired.maxStorageBufferBindingSize,
      });
    }
  }
}

/**
 * Uploads a batch, dispatches the mask fill and the histogram (folded past the per-dimension
 * workgroup limit), and returns the results buffer. Any validation or memory error of the batch
 * fails it (E_GPU_UNAVAILABLE); its buffers are always released.
 */
export async function runTwoPass(acquired: AcquiredDevice, crossings: CrossingRows, pass: HistogramPass): Promise<Uint32Array> {
  const { device } = acquired;
  checkBatchSize(acquired, crossings.rows, crossings.toggles, pass.rowTable, pass.results, ...pass.inputs);
  const errors = watchErrors(device);
  const pipelines = pipelinesFor(device, acquired.maxWorkgroupSize);
  const fold = foldDispatch(crossings.rowCount, pipelines.workgroupSize, acquired.maxWorkgroupsPerDimension);
  const created: GPUBuffer[] = [];
  const make = (data: ArrayBufferView, usage: number): GPUBuffer => {
    const size = Math.max(16, Math.ceil(data.byteLength / 4) * 4);
    const b = device.createBuffer({ size, usage: usage | GPUBufferUsage.COPY_DST });
    if (size === data.byteLength) device.queue.writeBuffer(b, 0, data.buffer, data.byteOffset, data.byteLength);
    else {
      // Padded to whole words (and 16 bytes at least): a copy, small.
      const bytes = new Uint8Array(size);
      bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      device.queue.writeBuffer(b, 0, bytes);
    }
    created.push(b);
    return b;
  };
  const bind = (pipeline: GPUComputePipeline, buffers: GPUBuffer[]) =>
    device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: buffers.map((b, binding) => ({ binding, resource: { buffer: b } })) });
  try {
    const STORAGE = GPUBufferUsage.STORAGE;
    const mask = make(new Uint32Array(Math.max(1, crossings.maskWords)), STORAGE);
    const maskBindings = [
      make(Uint32Array.of(crossings.rowCount, fold.itemsPerSlice, 0, 0), GPUBufferUsage.UNIFORM),
      make(crossings.rows, STORAGE),
      make(crossings.toggles.length ? crossings.toggles : new Uint32Array(1), STORAGE),
      mask,
    ];
    const params = new Uint32Array(Math.ceil((2 + pass.params.length) / 4) * 4);
    params.set([crossings.rowCount, fold.itemsPerSlice, ...pass.params]);
    const results = make(pass.results, STORAGE | GPUBufferUsage.COPY_SRC);
    const histogramPipeline = pass.variant === 'spread' ? pipelines.doseHistogramSpread : pipelines.doseHistogram;
    const histogramBindings = [make(params, GPUBufferUsage.UNIFORM), make(pass.rowTable, STORAGE), mask, ...pass.inputs.map((input) => make(input, STORAGE)), results];
    const readBack = device.createBuffer({ size: results.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    created.push(readBack);

    const encoder = device.createCommandEncoder({ label: `dosekit ${pass.variant} histogram` });
    for (const [pipeline, bindings] of [[pipelines.polygonMask, maskBindings], [histogramPipeline, histogramBindings]] as const) {
      const computePass = encoder.beginComputePass();
      computePass.setPipeline(pipeline);
      computePass.setBindGroup(0, bind(pipeline, bindings));
      computePass.dispatchWorkgroups(fold.x, fold.y);
      computePass.end();
    }
    encoder.copyBufferToBuffer(results, 0, readBack, 0, results.size);
    device.queue.submit([encoder.finish()]);
    await readBack.mapAsync(GPUMapMode.READ);
    const out = new Uint32Array(readBack.getMappedRange().slice(0, pass.results.byteLength));
    readBack.unmap();
    // A validation or memory error anywhere in the batch: never use what it left in the buffers.
    if (errors.length > 0) throw new DosekitError('E_GPU_UNAVAILABLE', `the WebGPU kernels failed on ${acquired.adapter}: ${errors[0]}`);
    return out;
  } finally {
    for (const b of created) b.destroy();
  }
}
