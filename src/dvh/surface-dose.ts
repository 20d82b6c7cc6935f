// SPDX-License-Identifier: BSD-3-Clause
// The extremes of the dose over a structure's surface: for a smooth dose the minimum and maximum
// of a structure lie on its boundary, which interior samples only approach.
import type { DoseGrid } from '../model/dose-grid.js';
import { storedDoseAt } from '../model/dose-sampling.js';

/** A slab of the right-prism model: rings extruded from zLowMm to zHighMm. */
export interface PrismSlab {
  readonly rings: readonly Float64Array[];
  readonly zLowMm: number;
  readonly zHighMm: number;
}

/**
 * Minimum and maximum stored dose over the lateral faces and the z faces' edges of the slabs:
 * every vertex and points at most `stepMm` apart along every edge, at each slab face and at
 * every dose frame inside the slab (the dose is piecewise linear in z between frames).
 * Null when no such point lies within the dose grid.
 */
export function surfaceStoredDoseRange(grid: DoseGrid, slabs: readonly PrismSlab[], stepMm: number): [number, number] | null {
  let min = Infinity;
  let max = -Infinity;
  const frames = grid.geometry.frameZMm;
  for (const slab of slabs) {
    const zs = [slab.zLowMm, slab.zHighMm];
    for (const z of frames) if (z > slab.zLowMm && z < slab.zHighMm) zs.push(z);
    for (const ring of slab.rings) {
      const n = ring.length >> 1;
      for (let k = 0; k < n; k += 1) {
        const x0 = ring[k * 2];
        const y0 = ring[k * 2 + 1];
        const x1 = ring[((k + 1) % n) * 2];
        const y1 = ring[((k + 1) % n) * 2 + 1];
        const pieces = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / stepMm));
        for (let p = 0; p < pieces; p += 1) {
          const x = x0 + ((x1 - x0) * p) / pieces;
          const y = y0 + ((y1 - y0) * p) / pieces;
          for (const z of zs) {
            const v = storedDoseAt(grid, x, y, z);
            if (v === null) continue;
            if (v < min) min = v;
            if (v > max) max = v;
          }
        }
      }
    }
  }
  return min <= max ? [min, max] : null;
}
