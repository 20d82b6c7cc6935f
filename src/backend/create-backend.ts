// SPDX-License-Identifier: BSD-3-Clause
import { DosekitError } from '../errors.js';
import { type AcquireAttempt, type AcquiredDevice, acquireDevice, callerDevice } from '../gpu/device.js';
import { createWebGpuBackend } from '../gpu/webgpu-backend.js';
import type { ComputeBackend } from './compute-backend.js';
import { createCpuBackend } from './cpu-backend.js';
import { optional, requireOptions } from '../validate.js';
import { requireBackendChoice, requireGpuDevice } from './backend-arguments.js';

import type { BackendChoice } from './backend-arguments.js';

export type { BackendChoice };

/** Options of `createBackend`. */
export interface CreateBackendOptions {
  readonly backend?: BackendChoice;
  /** A GPUDevice of the caller's to compute on (used, never destroyed). */
  readonly device?: GPUDevice;
}

type Probe = Promise<{ acquired: AcquiredDevice | null; attempts: AcquireAttempt[] }>;
const shared: { any: Probe | null; hardware: Probe | null } = { any: null, hardware: null };

/**
 * One device per process, found on first use and kept (found again after a device loss).
 * 'hardware' (for 'auto') skips providers that can only be software and stays quiet when no
 * driver is installed; 'any' (for 'webgpu') tries everything.
 */
function sharedDevice(kind: 'any' | 'hardware'): Probe {
  let probe = shared[kind];
  if (!probe) {
    const attempts: AcquireAttempt[] = [];
    probe = acquireDevice(attempts, kind === 'hardware' ? { allowOpenGles: false, quiet: true } : {}).then((acquired) => {
      acquired?.device.lost.then(() => {
        shared[kind] = null;
      });
      return { acquired: acquired && { ...acquired, owned: false }, attempts };
    });
    shared[kind] = probe;
  }
  return probe;
}

/** What `createBackend` found: the device and every provider it tried (for `dosekit gpu`). */
export async function probeWebGpu(): Promise<{ adapter: string | null; software: boolean; attempts: readonly AcquireAttempt[] }> {
  const { acquired, attempts } = await sharedDevice('any');
  return { adapter: acquired?.adapter ?? null, software: acquired?.software ?? false, attempts };
}

/**
 * Resolves a compute backend. 'webgpu' uses any WebGPU adapter (software ones included) and
 * fails with E_GPU_UNAVAILABLE, saying what was tried, when there is none. 'auto' uses WebGPU
 * only on a hardware adapter: a software adapter (SwiftShader, llvmpipe) computes the same
 * numbers more slowly than the CPU fallback, which 'auto' then picks. A caller's `device` is
 * used as given.
 */
export async function createBackend(options: CreateBackendOptions = {}): Promise<ComputeBackend> {
  const checked = requireOptions(options, 'options', ['backend', 'device']);
  optional(checked.backend, 'options.backend', requireBackendChoice);
  optional(checked.device, 'options.device', requireGpuDevice);
  const choice = options.backend ?? 'auto';
  if (choice !== 'auto' && choice !== 'webgpu' && choice !== 'cpu') {
    throw new DosekitError('E_INVALID_ARGUMENT', `unknown backend ${JSON.stringify(choice)}; use 'auto', 'webgpu' or 'cpu'.`, { backend: choice });
  }
  if (choice === 'cpu') return createCpuBackend();
  if (options.device) return createWebGpuBackend(callerDevice(options.device));
  if (choice === 'auto') {
    const { acquired } = await sharedDevice('hardware');
    return acquired && !acquired.software ? createWebGpuBackend(acquired) : createCpuBackend();
  }
  const { acquired, attempts } = await sharedDevice('any');
  if (acquired) return createWebGpuBackend(acquired);
  const tried = attempts.map((a) => `${a.provider}: ${a.outcome}`).join('; ');
  throw new DosekitError('E_GPU_UNAVAILABLE', `no WebGPU adapter was found (${tried}). Use --backend cpu (backend: 'cpu'), which gives the same results.`, { attempts });
}
