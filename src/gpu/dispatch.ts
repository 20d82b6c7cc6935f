// SPDX-License-Identifier: BSD-3-Clause
// Workgroup arithmetic: one invocation per item, folded into two dimensions past 65535 groups.

/** Maximum workgroups per dispatch dimension (WebGPU's default limit). */
export const MAX_WORKGROUPS_PER_DIMENSION = 65535;

/** Dispatch size for `items` invocations: [x, y] workgroups and the items per y slice. */
export function foldDispatch(items: number, workgroupSize: number, maxPerDimension = MAX_WORKGROUPS_PER_DIMENSION): { x: number; y: number; itemsPerSlice: number } {
  const groups = Math.max(1, Math.ceil(items / workgroupSize));
  const x = Math.min(groups, maxPerDimension);
  const y = Math.ceil(groups / x);
  return { x, y, itemsPerSlice: x * workgroupSize };
}
