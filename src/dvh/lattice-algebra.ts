// SPDX-License-Identifier: BSD-3-Clause
// Boolean operations on a calculation's own samples: each operand's inside-set on a lattice
// (the exact float64 crossings of fallback/polygon-mask.ts), combined sample by sample, and the
// result written back as rings that select exactly those samples, so that every backend's
// polygon-mask pass (CPU fill, GPU fill) consumes a derived layer unchanged.
import { fillCrossings, polygonCrossings } from '../../fallback/polygon-mask.js';
import type { LayerMask, SampleLattice } from '../kernels/polygon-mask.js';
import { type BooleanTree, evaluateMasks } from './boolean-tree.js';

/** A derived ROI's layer on one lattice. */
export interface CombinedLayer {
  /**
   * Axis-aligned rectangles whose edges lie half-way between lattice samples: their even-odd
   * region holds exactly the samples of the combination (they never overlap).
   */
  readonly rings: Float64Array[];
  /** Samples inside the combination. */
  readonly count: number;
  /** Samples inside at least one operand (0: no operand reaches this lattice here). */
  readonly operandSamples: number;
}

/** Position of the boundary before lattice index k (0..n): half-way between samples k-1 and k. */
function cellEdge(axis: Float64Array, k: number): number {
  const n = axis.length;
  const step = n >= 2 ? axis[1] - axis[0] : 1;
  if (k <= 0) return axis[0] - step / 2;
  if (k >= n) return axis[n - 1] + (n >= 2 ? axis[n - 1] - axis[n - 2] : 1) / 2;
  return (axis[k - 1] + axis[k]) / 2;
}

function rectangle(lattice: SampleLattice, col0: number, col1: number, row0: number, row1: number): Float64Array {
  // Columns [col0, col1), rows [row0, row1), in lattice indices.
  const x0 = cellEdge(lattice.xs, col0);
  const x1 = cellEdge(lattice.xs, col1);
  const y0 = cellEdge(lattice.ys, row0);
  const y1 = cellEdge(lattice.ys, row1);
  return Float64Array.of(x0, y0, x1, y0, x1, y1, x0, y1);
}

/**
 * Rings selecting exactly the samples of `inside` (a 0/1 mask over the window rows x columns):
 * each maximal run of a row is a rectangle, and a run repeated on the next rows extends it.
 */
export function maskRings(lattice: SampleLattice, window: { rowStart: number; colStart: number; width: number; height: number }, inside: Uint8Array): Float64Array[] {
  const { rowStart, colStart, width, height } = window;
  const rings: Float64Array[] = [];
  let open = new Map<number, number>(); // run key (start * (width + 1) + end) -> first row
  const close = (key: number, firstRow: number, endRow: number) => {
    const start = Math.floor(key / (width + 1));
    const end = key % (width + 1);
    rings.push(rectangle(lattice, colStart + start, colStart + end, rowStart + firstRow, rowStart + endRow));
  };
  for (let r = 0; r < height; r += 1) {
    const next = new Map<number, number>();
    const row = r * width;
    let c = 0;
    while (c < width) {
      if (inside[row + c] === 0) {
        c += 1;
        continue;
      }
      const start = c;
      while (c < width && inside[row + c] !== 0) c += 1;
      const key = start * (width + 1) + c;
      next.set(key, open.get(key) ?? r);
      open.delete(key);
    }
    for (const [key, firstRow] of open) close(key, firstRow, r);
    open = next;
  }
  for (const [key, firstRow] of open) close(key, firstRow, height);
  return rings;
}

/** A Boolean combination's 0/1 mask over the window of lattice rows and columns its operands reach. */
export interface CombinedMask {
  readonly rowStart: number;
  readonly colStart: number;
  readonly width: number;
  readonly height: number;
  readonly inside: Uint8Array;
  readonly count: number;
  /** Samples inside at least one operand (summed over operands). */
  readonly operandSamples: number;
}

/**
 * Combines operand layers on one lattice: `leafRings[k]` is leaf k's rings on this plane (null
 * where the leaf is absent), `tree` the combination. Exact: a sample is in the result iff the
 * Boolean combination of the operands' exact inside tests (matplotlib's rule) holds at it.
 */
export function combineMasks(lattice: SampleLattice, leafRings: readonly (readonly Float64Array[] | null)[], tree: BooleanTree): CombinedMask {
  const masks: (LayerMask | null)[] = leafRings.map((rings) => {
    if (!rings || rings.length === 0) return null;
    const mask = fillCrossings(polygonCrossings(lattice, { rings }));
    return mask.count > 0 ? mask : null;
  });
  let rowStart = Infinity;
  let rowEnd = -Infinity;
  let colStart = Infinity;
  let colEnd = -Infinity;
  let operandSamples = 0;
  for (const m of masks) {
    if (!m) continue;
    rowStart = Math.min(rowStart, m.rowStart);
    rowEnd = Math.max(rowEnd, m.rowEnd);
    colStart = Math.min(colStart, m.colStart);
    colEnd = Math.max(colEnd, m.colEnd);
    operandSamples += m.count;
  }
  if (operandSamples === 0) return { rowStart: 0, colStart: 0, width: 0, height: 0, inside: new Uint8Array(0), count: 0, operandSamples: 0 };
  const width = colEnd - colStart;
  const height = rowEnd - rowStart;
  const size = width * height;
  const inWindow = (m: LayerMask): Uint8Array => {
    const w = m.colEnd - m.colStart;
    if (m.rowStart === rowStart && m.colStart === colStart && w === width && m.rowEnd === rowEnd) return m.inside;
    const out = new Uint8Array(size);
    for (let r = m.rowStart; r < m.rowEnd; r += 1) out.set(m.inside.subarray((r - m.rowStart) * w, (r - m.rowStart + 1) * w), (r - rowStart) * width + (m.colStart - colStart));
    return out;
  };
  const inside = evaluateMasks(tree, size, (leaf) => (masks[leaf] ? inWindow(masks[leaf]!) : null));
  let count = 0;
  for (let k = 0; k < size; k += 1) count += inside[k];
  return { rowStart, colStart, width, height, inside, count, operandSamples };
}

/** {@link combineMasks}, written as rings for the sample-layer pipeline. */
export function combineOnLattice(lattice: SampleLattice, leafRings: readonly (readonly Float64Array[] | null)[], tree: BooleanTree): CombinedLayer {
  const mask = combineMasks(lattice, leafRings, tree);
  if (mask.count === 0) return { rings: [], count: 0, operandSamples: mask.operandSamples };
  return { rings: maskRings(lattice, mask, mask.inside), count: mask.count, operandSamples: mask.operandSamples };
}
