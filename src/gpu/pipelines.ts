// SPDX-License-Identifier: BSD-3-Clause
import { SHADERS } from './shaders.generated.js';

/** The compute pipelines of one device (created once, cached per device). */
export interface Pipelines {
  readonly polygonMask: GPUComputePipeline;
  readonly doseHistogram: GPUComputePipeline;
  readonly workgroupSize: number;
}

const cache = new WeakMap<GPUDevice, Pipelines>();

function pipeline(device: GPUDevice, code: string, label: string, workgroupSize: number): GPUComputePipeline {
  const module = device.createShaderModule({ code, label });
  return device.createComputePipeline({ layout: 'auto', label, compute: { module, entryPoint: 'main', constants: { WORKGROUP_SIZE: workgroupSize } } });
}

/** The pipelines for `device`, compiled on first use. */
export function pipelinesFor(device: GPUDevice, workgroupSize: number): Pipelines {
  let entry = cache.get(device);
  if (!entry || entry.workgroupSize !== workgroupSize) {
    entry = {
      polygonMask: pipeline(device, SHADERS['polygon-mask'], 'dosekit polygon-mask', workgroupSize),
      doseHistogram: pipeline(device, SHADERS['dose-histogram'], 'dosekit dose-histogram', workgroupSize),
      workgroupSize,
    };
    cache.set(device, entry);
  }
  return entry;
}
