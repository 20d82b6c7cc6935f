// SPDX-License-Identifier: BSD-3-Clause
const errorLogs = new WeakMap<GPUDevice, string[]>();

/**
 * The device's uncaptured errors since the last call. Error scopes are not dependable in Dawn's
 * Node binding (awaiting popErrorScope there can hang or abort the process), so each GPU job
 * clears this log before it starts and checks it when it ends.
 */
export function watchErrors(device: GPUDevice): string[] {
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
