// SPDX-License-Identifier: BSD-3-Clause
import { DosekitError } from '../errors.js';
import type { ComputeBackend } from './compute-backend.js';
import { createCpuBackend } from './cpu-backend.js';

/** Which backend to use: 'auto' picks WebGPU when an adapter is found, else the CPU. */
export type BackendChoice = 'auto' | 'webgpu' | 'cpu';

/** Options of `createBackend`. */
export interface CreateBackendOptions {
  readonly backend?: BackendChoice;
}

/**
 * Resolves a compute backend. Only the CPU fallback exists in this release: 'auto' gives the
 * CPU, and 'webgpu' asked for explicitly fails with E_GPU_UNAVAILABLE.
 */
export async function createBackend(options: CreateBackendOptions = {}): Promise<ComputeBackend> {
  const choice = options.backend ?? 'auto';
  if (choice === 'cpu' || choice === 'auto') return createCpuBackend();
  if (choice === 'webgpu') {
    throw new DosekitError('E_GPU_UNAVAILABLE', "the WebGPU backend is not available in this build of dosekit; use backend 'cpu' or 'auto'.", { backend: choice });
  }
  throw new DosekitError('E_INVALID_ARGUMENT', `unknown backend ${JSON.stringify(choice)}; use 'auto', 'webgpu' or 'cpu'.`, { backend: choice });
}
