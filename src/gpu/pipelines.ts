// SPDX-License-Identifier: BSD-3-Clause
import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import { SHADERS } from './shaders.generated.js';

/** The compute pipelines of one device (created once, cached per device). */
export interface Pipelines {
  readonly polygonMask: GPUComputePipeline;
  readonly doseHistogram: GPUComputePipeline;
  readonly doseHistogramSpread: GPUComputePipeline;
  readonly trilinearResample: GPUComputePipeline;
  readonly workgroupSize: number;
}

const cache = new WeakMap<GPUDevice, Pipelines>();

/**
 * Resolves `#if NAME` / `#elif NAME` / `#else` / `#endif` in a shader file with wgsl-preprocessor
 * (its tag expects each condition as a template value, so the names are turned into values).
 */
export function preprocessShader(source: string, flags: Readonly<Record<string, boolean>>): string {
  const strings: string[] = [];
  const values: boolean[] = [];
  let last = 0;
  for (const match of source.matchAll(/#(if|elif) ([A-Za-z_][A-Za-z0-9_]*)/g)) {
    strings.push(`${source.slice(last, match.index)}#${match[1]}`);
    values.push(Boolean(flags[match[2]]));
    last = (match.index ?? 0) + match[0].length;
  }
  strings.push(source.slice(last));
  return wgsl(Object.assign([...strings], { raw: [...strings] }) as unknown as TemplateStringsArray, ...values);
}

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
      doseHistogram: pipeline(device, preprocessShader(SHADERS['dose-histogram'], { SPREAD: false }), 'dosekit dose-histogram', workgroupSize),
      doseHistogramSpread: pipeline(device, preprocessShader(SHADERS['dose-histogram'], { SPREAD: true }), 'dosekit dose-histogram (spread)', workgroupSize),
      trilinearResample: pipeline(device, SHADERS['trilinear-resample'], 'dosekit trilinear-resample', workgroupSize),
      workgroupSize,
    };
    cache.set(device, entry);
  }
  return entry;
}
