// SPDX-License-Identifier: BSD-3-Clause
// Distance from the cells of a uniform grid to the boundary of a Boolean shape on one plane,
// measured to the boundary's exact crossings of the grid lines (sub-cell positions), with the
// separable lower-envelope transform of distance-transform.ts.
import { type BooleanTree, evaluateBits } from './boolean-tree.js';
import { squaredDistance1d } from './distance-transform.js';

/** A uniform grid axis: positions start + i * step (mm), i in 0..count-1. */
export interface UniformAxis {
  readonly start: number;
  readonly step: number;
  readonly count: number;
}

/**
 * For each line of `lines` (rows y = const, or columns x = const when `swap`), the positions
 * along it, in cells of `along`, where the shape's boundary crosses it: where the Boolean
 * combination of the leaves' even-odd regions changes value, each leaf's crossings found with
 * the half-open rule (an edge crosses the line t when exactly one endpoint is >= t).
 */
export function lineCrossings(leafRings: readonly (readonly Float64Array[] | null)[], tree: BooleanTree, lines: UniformAxis, along: UniformAxis, swap: boolean): Float64Array[] {
  const perLine: number[][] = Array.from({ length: lines.count }, () => []);
  leafRings.forEach((rings, leaf) => {
    for (const ring of rings ?? []) {
      const n = ring.length >> 1;
      for (let k = 0; k < n; k += 1) {
        const m = (k + 1) % n;
        const a0 = swap ? ring[2 * k] : ring[2 * k + 1];
        const b0 = swap ? ring[2 * k + 1] : ring[2 * k];
        const a1 = swap ? ring[2 * m] : ring[2 * m + 1];
        const b1 = swap ? ring[2 * m + 1] : ring[2 * m];
        if (a0 === a1) continue;
        const lo = Math.max(0, Math.ceil((Math.min(a0, a1) - lines.start) / lines.step) - 1);
        const hi = Math.min(lines.count - 1, Math.floor((Math.max(a0, a1) - lines.start) / lines.step) + 1);
        for (let j = lo; j <= hi; j += 1) {
          const t = lines.start + j * lines.step;
          if (a0 >= t === a1 >= t) continue;
          const b = b0 + ((t - a0) * (b1 - b0)) / (a1 - a0);
          perLine[j].push((b - along.start) / along.step, leaf);
        }
      }
    }
  });
  const bits = new Uint8Array(leafRings.length);
  return perLine.map((flat) => {
    const order = Array.from({ length: flat.length / 2 }, (_, k) => k).sort((p, q) => flat[2 * p] - flat[2 * q]);
    bits.fill(0);
    let value = false;
    const out: number[] = [];
    for (let k = 0; k < order.length; ) {
      const pos = flat[2 * order[k]];
      // Every leaf crossing at this position toggles before the combination is looked at.
      while (k < order.length && flat[2 * order[k]] === pos) {
        bits[flat[2 * order[k] + 1]] ^= 1;
        k += 1;
      }
      const now = evaluateBits(tree, (leaf) => bits[leaf] === 1);
      if (now !== value) out.push(pos);
      value = now;
    }
    return Float64Array.from(out);
  });
}

/** Squared distance (cells) from each of n points 0..n-1 to the nearest of the sorted `roots`. */
function nearestRootSquared(roots: Float64Array, n: number, out: Float64Array): void {
  if (roots.length === 0) {
    out.fill(Infinity, 0, n);
    return;
  }
  let p = 0;
  for (let i = 0; i < n; i += 1) {
    while (p < roots.length && roots[p] < i) p += 1;
    const above = p < roots.length ? roots[p] - i : Infinity;
    const below = p > 0 ? i - roots[p - 1] : Infinity;
    const d = Math.min(above, below);
    out[i] = d * d;
  }
}

/**
 * Squared distance, in cells, from every cell (i + j * nx) of an nx x ny grid to the nearest
 * boundary crossing on a row line (`rowCrossings[j]`, positions in columns) or on a column line
 * (`columnCrossings[i]`, positions in rows). An axis that is not `along` costs infinitely: no
 * distance is measured along it (a zero margin along that axis).
 */
export function squaredBoundaryDistance(rowCrossings: readonly Float64Array[], columnCrossings: readonly Float64Array[], nx: number, ny: number, alongX: boolean, alongY: boolean): Float64Array {
  const result = new Float64Array(nx * ny).fill(Infinity);
  const n = Math.max(nx, ny);
  const f = new Float64Array(n);
  const out = new Float64Array(n);
  const v = new Int32Array(n);
  const z = new Float64Array(n + 1);
  if (alongX) {
    // Crossings on row lines: nearest along the row, then the lower envelope down the columns.
    const grid = new Float64Array(nx * ny);
    for (let j = 0; j < ny; j += 1) {
      nearestRootSquared(rowCrossings[j], nx, out);
      grid.set(out.subarray(0, nx), j * nx);
    }
    for (let i = 0; i < nx; i += 1) {
      for (let j = 0; j < ny; j += 1) f[j] = grid[j * nx + i];
      if (alongY) squaredDistance1d(f, ny, out, v, z);
      else out.set(f.subarray(0, ny));
      for (let j = 0; j < ny; j += 1) if (out[j] < result[j * nx + i]) result[j * nx + i] = out[j];
    }
  }
  if (alongY) {
    // Crossings on column lines: nearest along the column, then the lower envelope along the rows.
    const grid = new Float64Array(nx * ny);
    for (let i = 0; i < nx; i += 1) {
      nearestRootSquared(columnCrossings[i], ny, out);
      for (let j = 0; j < ny; j += 1) grid[j * nx + i] = out[j];
    }
    for (let j = 0; j < ny; j += 1) {
      f.set(grid.subarray(j * nx, (j + 1) * nx));
      if (alongX) squaredDistance1d(f, nx, out, v, z);
      else out.set(f.subarray(0, nx));
      for (let i = 0; i < nx; i += 1) if (out[i] < result[j * nx + i]) result[j * nx + i] = out[i];
    }
  }
  return result;
}
