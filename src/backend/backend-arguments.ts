// SPDX-License-Identifier: BSD-3-Clause
/**
 * Checks of the options every computing function shares: `backend`, `device`, `signal`,
 * `onProgress` and `memoryLimitBytes`. A wrong value fails at the call with E_INVALID_ARGUMENT
 * naming the option, instead of as a TypeError half-way through the work.
 */
import { DosekitError } from '../errors.js';
import { describeValue, optional, requireFiniteNumber, requireFunction } from '../validate.js';
import type { ComputeBackend } from './compute-backend.js';

/** The backend names a caller may give. */
/** Which backend to use: 'auto' picks a hardware WebGPU adapter when there is one, else the CPU. */
export type BackendChoice = 'auto' | 'webgpu' | 'cpu';

export const BACKEND_CHOICES: readonly BackendChoice[] = Object.freeze(['auto', 'webgpu', 'cpu']);

function fail(name: string, accepts: string, value: unknown): never {
  throw new DosekitError('E_INVALID_ARGUMENT', `${name} must be ${accepts} (got ${describeValue(value)}).`, { argument: name });
}

/** 'auto', 'webgpu' or 'cpu'. */
export function requireBackendChoice(value: unknown, name: string): BackendChoice {
  if (!BACKEND_CHOICES.includes(value as BackendChoice)) fail(name, "'auto', 'webgpu' or 'cpu'", value);
  return value as BackendChoice;
}

/** A backend name, or a backend from `createBackend` (an object with histogram, resample and dispose). */
export function requireBackendOrChoice(value: unknown, name: string): BackendChoice | ComputeBackend {
  if (typeof value === 'object' && value !== null) {
    const backend = value as Partial<Record<keyof ComputeBackend, unknown>>;
    if (typeof backend.histogram === 'function' && typeof backend.resample === 'function' && typeof backend.dispose === 'function' && typeof backend.info === 'object' && backend.info !== null) {
      return value as ComputeBackend;
    }
    fail(name, "'auto', 'webgpu', 'cpu' or a backend from createBackend()", value);
  }
  if (!BACKEND_CHOICES.includes(value as BackendChoice)) fail(name, "'auto', 'webgpu', 'cpu' or a backend from createBackend()", value);
  return value as BackendChoice;
}

/** A GPUDevice (an object with createBuffer and a queue). */
export function requireGpuDevice(value: unknown, name: string): GPUDevice {
  const device = value as { createBuffer?: unknown; queue?: unknown } | null;
  if (typeof device !== 'object' || device === null || typeof device.createBuffer !== 'function' || typeof device.queue !== 'object') fail(name, 'a GPUDevice', value);
  return value as GPUDevice;
}

/** An AbortSignal (or an object that behaves as one: a boolean `aborted` and addEventListener). */
export function requireAbortSignal(value: unknown, name: string): AbortSignal {
  const signal = value as { aborted?: unknown; addEventListener?: unknown } | null;
  if (typeof signal !== 'object' || signal === null || typeof signal.aborted !== 'boolean' || typeof signal.addEventListener !== 'function') fail(name, 'an AbortSignal', value);
  return value as AbortSignal;
}

/** The shared computing options, each when present: backend, device, signal, onProgress, memoryLimitBytes. */
export function checkComputeOptions(options: Record<string, unknown>, prefix = 'options'): void {
  optional(options.backend, `${prefix}.backend`, requireBackendOrChoice);
  optional(options.device, `${prefix}.device`, requireGpuDevice);
  optional(options.signal, `${prefix}.signal`, requireAbortSignal);
  optional(options.onProgress, `${prefix}.onProgress`, requireFunction);
  optional(options.memoryLimitBytes, `${prefix}.memoryLimitBytes`, (v, n) => requireFiniteNumber(v, n, { min: 0, minExclusive: true }));
}
