// SPDX-License-Identifier: BSD-3-Clause
// Finding a WebGPU device: the caller's, the platform's navigator.gpu (browsers, Deno), or in
// Node the optional `webgpu` package (Dawn), default backend first, then OpenGL ES in
// compatibility mode. Nothing here runs at import time.

/** A device dosekit can compute on, with what it knows of the adapter. */
export interface AcquiredDevice {
  readonly device: GPUDevice;
  /** "vendor architecture device description", as far as the adapter tells. */
  readonly adapter: string;
  /** True for software adapters (SwiftShader, llvmpipe, lavapipe, or one that says it is a fallback). */
  readonly software: boolean;
  /** True when dosekit created the device (and so may destroy it). */
  readonly owned: boolean;
  /** Workgroup size the kernels may use on this device. */
  readonly maxWorkgroupSize: number;
  readonly maxStorageBufferBindingSize: number;
  /** Workgroups per dispatch dimension before dispatches fold into a second dimension (65535). */
  readonly maxWorkgroupsPerDimension: number;
}

/** What was tried and why it failed, for E_GPU_UNAVAILABLE messages and `dosekit gpu`. */
export interface AcquireAttempt {
  readonly provider: string;
  readonly outcome: string;
}

function describeAdapter(adapter: GPUAdapter): { name: string; software: boolean } {
  const info = (adapter as unknown as { info?: GPUAdapterInfo }).info;
  const parts = [info?.vendor, info?.architecture, info?.device, info?.description].filter((p): p is string => typeof p === 'string' && p !== '');
  const name = [...new Set(parts)].join(' ') || 'unknown adapter';
  const fallback = Boolean((adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? (info as unknown as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter);
  return { name, software: fallback || /swiftshader|llvmpipe|lavapipe|softpipe|software/i.test(name) };
}

async function deviceFrom(adapter: GPUAdapter): Promise<AcquiredDevice> {
  const limits = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeInvocationsPerWorkgroup: Math.min(256, limits.maxComputeInvocationsPerWorkgroup),
      maxComputeWorkgroupSizeX: Math.min(256, limits.maxComputeWorkgroupSizeX),
      maxStorageBuffersPerShaderStage: Math.min(8, limits.maxStorageBuffersPerShaderStage),
    },
  });
  const { name, software } = describeAdapter(adapter);
  return {
    device,
    adapter: name,
    software,
    owned: true,
    maxWorkgroupSize: Math.min(64, device.limits.maxComputeInvocationsPerWorkgroup, device.limits.maxComputeWorkgroupSizeX),
    maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
    maxWorkgroupsPerDimension: device.limits.maxComputeWorkgroupsPerDimension,
  };
}

type NodeWebgpu = { create(options: string[]): GPU; globals: Record<string, unknown> };

// Dawn's Node binding frees its instance when the GPU object is garbage-collected, and takes
// every device of that instance with it (the process then crashes on the next GPU call). Keep
// every instance dosekit creates alive for the life of the process.
const liveInstances: GPU[] = [];
function keep(instance: GPU): GPU {
  liveInstances.push(instance);
  return instance;
}

async function nodeProvider(attempts: AcquireAttempt[]): Promise<NodeWebgpu | null> {
  const isNode = typeof process !== 'undefined' && Boolean(process.versions?.node) && typeof (globalThis as { Deno?: unknown }).Deno === 'undefined';
  if (!isNode) return null;
  try {
    const specifier = 'webgpu';
    const module = (await import(/* @vite-ignore */ specifier)) as NodeWebgpu & { default?: NodeWebgpu };
    const provider = typeof module.create === "function" ? module : (module.default as NodeWebgpu);
    // GPUBufferUsage, GPUMapMode and friends, which Dawn in Node does not put on globalThis.
    for (const [key, value] of Object.entries(provider.globals)) if (!(key in globalThis)) (globalThis as Record<string, unknown>)[key] = value;
    return provider;
  } catch (error) {
    attempts.push({ provider: 'node webgpu package', outcome: `not installed or not loadable (${(error as Error).message.split('\n')[0]})` });
    return null;
  }
}

/**
 * Finds a WebGPU adapter and creates a device. Returns null (with `attempts` saying why) when
 * there is none.
 */
/**
 * On Linux, whether a Vulkan driver is installed where the loader looks by default (or named by
 * VK_ICD_FILENAMES / VK_DRIVER_FILES). Probing Dawn without one prints driver warnings on stderr.
 */
async function vulkanDriverLikely(): Promise<boolean> {
  if (typeof process === 'undefined' || process.platform !== 'linux') return true;
  if (process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES) return true;
  const fs = await import('node:fs');
  return ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'].some((dir) => {
    try {
      return fs.readdirSync(dir).some((f) => f.endsWith('.json'));
    } catch {
      return false;
    }
  });
}

export async function acquireDevice(attempts: AcquireAttempt[] = [], options: { allowOpenGles?: boolean; quiet?: boolean } = {}): Promise<AcquiredDevice | null> {
  const platformGpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (platformGpu) {
    const adapter = await platformGpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null);
    if (adapter) return deviceFrom(adapter);
    attempts.push({ provider: 'navigator.gpu', outcome: 'no adapter' });
  } else attempts.push({ provider: 'navigator.gpu', outcome: 'not present' });

  if (options.quiet && typeof process !== 'undefined' && process.versions?.node && !(await vulkanDriverLikely())) {
    attempts.push({ provider: 'webgpu (Dawn) default backend', outcome: 'skipped: no Vulkan driver installed' });
    return null;
  }
  const node = await nodeProvider(attempts);
  if (!node) return null;
  try {
    const adapter = await keep(node.create([])).requestAdapter({ powerPreference: 'high-performance' });
    if (adapter) return await deviceFrom(adapter);
    attempts.push({ provider: 'webgpu (Dawn) default backend', outcome: 'no adapter (no GPU driver; for a software Vulkan set VK_ICD_FILENAMES, e.g. to Chromium\'s SwiftShader ICD)' });
  } catch (error) {
    attempts.push({ provider: 'webgpu (Dawn) default backend', outcome: (error as Error).message });
  }
  if (options.allowOpenGles === false) return null;
  try {
    // Dawn does not fall back to OpenGL ES by itself; EGL needs a platform without a display.
    if (typeof process !== 'undefined' && process.env && !process.env.EGL_PLATFORM) process.env.EGL_PLATFORM = 'surfaceless';
    const adapter = await keep(node.create(['backend=opengles'])).requestAdapter({ featureLevel: 'compatibility' } as GPURequestAdapterOptions);
    if (adapter) return await deviceFrom(adapter);
    attempts.push({ provider: 'webgpu (Dawn) OpenGL ES, compatibility mode', outcome: 'no adapter' });
  } catch (error) {
    attempts.push({ provider: 'webgpu (Dawn) OpenGL ES, compatibility mode', outcome: (error as Error).message });
  }
  return null;
}

/** Wraps a caller's device (never destroyed by dosekit). */
export function callerDevice(device: GPUDevice, adapter = 'caller-provided device'): AcquiredDevice {
  return {
    device,
    adapter,
    software: /swiftshader|llvmpipe|lavapipe/i.test(adapter),
    owned: false,
    maxWorkgroupSize: Math.min(64, device.limits.maxComputeInvocationsPerWorkgroup, device.limits.maxComputeWorkgroupSizeX),
    maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
    maxWorkgroupsPerDimension: device.limits.maxComputeWorkgroupsPerDimension,
  };
}
