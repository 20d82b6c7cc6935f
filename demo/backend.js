// SPDX-License-Identifier: BSD-3-Clause
// Which compute backend the page asks the library for. 'auto' here means WebGPU whenever the
// browser offers an adapter (software ones included, so the page shows WebGPU at work), else
// the CPU fallback; the library's own 'auto' would pick the CPU over a software adapter.

let probed = null;

/** Whether the browser has a WebGPU adapter: {available, reason}. Asked once; never throws. */
export function probeWebGpu() {
  probed ??= (async () => {
    if (!('gpu' in navigator) || !navigator.gpu) return { available: false, reason: window.isSecureContext ? 'this browser has no WebGPU' : 'WebGPU needs a secure context (https or localhost)' };
    try {
      const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
      return adapter ? { available: true, reason: '' } : { available: false, reason: 'the browser offers no WebGPU adapter' };
    } catch (error) {
      return { available: false, reason: `requesting a WebGPU adapter failed (${error && error.message})` };
    }
  })();
  return probed;
}

/** The library's backend choice ('webgpu' or 'cpu') for the selector's value ('auto', 'webgpu', 'cpu'). */
export async function resolveBackend(choice) {
  if (choice === 'cpu' || choice === 'webgpu') return choice;
  return (await probeWebGpu()).available ? 'webgpu' : 'cpu';
}

/** "WebGPU · SwiftShader Device (software adapter)" or "CPU fallback", from a result's BackendInfo. */
export function describeBackend(info) {
  if (!info) return '';
  if (info.kind !== 'webgpu') return 'CPU fallback';
  const adapter = info.adapter ? ` · ${info.adapter}` : '';
  return `WebGPU${adapter}${info.software ? ' (software adapter)' : ''}`;
}
