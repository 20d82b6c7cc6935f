// SPDX-License-Identifier: BSD-3-Clause
import type { LayerMask, MaskLayer, SampleLattice } from '../src/kernels/polygon-mask.js';

/** Index range [lo, hi) of a monotone lattice axis whose values lie within [min, max]. */
function axisWindow(axis: Float64Array, min: number, max: number): [number, number] {
  const n = axis.length;
  if (n === 0) return [0, 0];
  const increasing = axis[n - 1] >= axis[0];
  // first index with value inside the range, scanning in the axis direction
  const firstAtLeast = (bound: number, inclusive: boolean): number => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const v = axis[mid];
      const past = increasing ? (inclusive ? v >= bound : v > bound) : inclusive ? v <= bound : v < bound;
      if (past) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  return increasing ? [firstAtLeast(min, true), firstAtLeast(max, false)] : [firstAtLeast(max, true), firstAtLeast(min, false)];
}

/**
 * CPU polygon mask (see the contract in src/kernels/polygon-mask.ts). Works edge by edge and row
 * by row: along one lattice row the crossing test of one edge is monotone in the sample x
 * (only (x1 - tx) varies, times a constant, and float subtraction and multiplication are
 * monotone), so the samples an edge toggles are a prefix or a suffix of the row, found by a
 * binary search that evaluates the exact predicate. Cost: rows spanned x log(columns) per edge,
 * plus one pass over the window, instead of every sample against every edge.
 */
export function polygonMask(lattice: SampleLattice, layer: MaskLayer): LayerMask {
  return fillCrossings(polygonCrossings(lattice, layer));
}

/**
 * The parity toggles of a layer: for each window row, the columns where the inside/outside state
 * flips (the even-odd rule over every edge), found with the exact float64 crossing test.
 * `toggles[r * (width + 1) + c]` is 1 where the parity flips at window column c of window row r.
 */
export interface LayerCrossings {
  readonly rowStart: number;
  readonly rowEnd: number;
  readonly colStart: number;
  readonly colEnd: number;
  readonly toggles: Uint8Array;
}

/** Step one of the polygon mask: the exact toggles (see {@link polygonMask}). */
export function polygonCrossings(lattice: SampleLattice, layer: MaskLayer): LayerCrossings {
  const { xs, ys } = lattice;
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const ring of layer.rings) {
    for (let k = 0; k < ring.length; k += 2) {
      const x = ring[k];
      const y = ring[k + 1];
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  const [rowStart, rowEnd] = minY <= maxY ? axisWindow(ys, minY, maxY) : [0, 0];
  // Rows outside [minY, maxY] hold no sample inside (no edge straddles them), but a sample a
  // rounding error outside [minX, maxX] can be: tx = 0.3 left of a vertex x0 = 0.1 + 0.2 =
  // 0.30000000000000004 makes x1 - x0 and x1 - tx round alike, and the float64 test (matplotlib's
  // rule) puts the sample inside. That takes a sample within about 9 x 2^-53 of an edge's x-extent
  // of the range; farther out every edge straddling the row toggles it (left) or none does (right),
  // as in exact arithmetic, so the window reaches 2^-40 of the x-range beyond [minX, maxX].
  // (Coordinate differences small enough for their products to underflow, below about 1e-154 mm,
  // are out of scope.)
  const slack = (maxX - minX) * 2 ** -40;
  const [colStart, colEnd] = minX <= maxX ? axisWindow(xs, minX - slack, maxX + slack) : [0, 0];
  const width = Math.max(0, colEnd - colStart);
  const height = Math.max(0, rowEnd - rowStart);
  if (width === 0 || height === 0) return { rowStart, rowEnd: rowStart, colStart, colEnd: colStart, toggles: new Uint8Array(0) };

  // toggles[r * (width + 1) + c]: parity flips at window column c of window row r.
  const stride = width + 1;
  const toggles = new Uint8Array(height * stride);

  for (const ring of layer.rings) {
    const n = ring.length >> 1;
    if (n < 2) continue;
    let x0 = ring[(n - 1) * 2];
    let y0 = ring[(n - 1) * 2 + 1];
    // matplotlib walks v0 -> v1 -> ... -> v(n-1) -> v0; the edge order does not change parity.
    for (let k = 0; k < n; k += 1) {
      const x1 = ring[k * 2];
      const y1 = ring[k * 2 + 1];
      if (y0 !== y1) {
        const lowY = Math.min(y0, y1);
        const highY = Math.max(y0, y1);
        // Rows where exactly one endpoint is >= ty: lowY < ty <= highY.
        let [r0, r1] = axisWindow(ys, lowY, highY);
        r0 = Math.max(r0, rowStart);
        r1 = Math.min(r1, rowEnd);
        const dy = y0 - y1;
        const dx = x0 - x1;
        for (let r = r0; r < r1; r += 1) {
          const ty = ys[r];
          const flag0 = y0 >= ty;
          const flag1 = y1 >= ty;
          if (flag0 === flag1) continue;
          const left = (y1 - ty) * dx;
          // toggles(tx) = (left >= (x1 - tx) * dy) === flag1, monotone along the row.
          const toggled = (c: number): boolean => (left >= (x1 - xs[c]) * dy) === flag1;
          // Find the boundary in window columns; toggled() is monotone in column index.
          const firstState = toggled(colStart);
          const lastState = toggled(colEnd - 1);
          const row = (r - rowStart) * stride;
          if (firstState === lastState) {
            if (firstState) {
              toggles[row] ^= 1;
              toggles[row + width] ^= 1;
            }
            // Samples outside the window on this row are outside every ring of the layer,
            // so only window samples matter.
            continue;
          }
          let lo = colStart;
          let hi = colEnd - 1; // toggled(lo) = firstState, toggled(hi) = lastState
          while (hi - lo > 1) {
            const mid = (lo + hi) >>> 1;
            if (toggled(mid) === firstState) lo = mid;
            else hi = mid;
          }
          // Columns [colStart, hi) have firstState, [hi, colEnd) have lastState.
          if (firstState) {
            toggles[row] ^= 1;
            toggles[row + (hi - colStart)] ^= 1;
          } else {
            toggles[row + (hi - colStart)] ^= 1;
            toggles[row + width] ^= 1;
          }
        }
      }
      x0 = x1;
      y0 = y1;
    }
  }
  return { rowStart, rowEnd, colStart, colEnd, toggles };
}

/** Step two of the polygon mask: the parity of the toggles along each row. */
export function fillCrossings(crossings: LayerCrossings): LayerMask {
  const { rowStart, rowEnd, colStart, colEnd, toggles } = crossings;
  const width = colEnd - colStart;
  const height = rowEnd - rowStart;
  const stride = width + 1;
  const inside = new Uint8Array(width * height);
  let count = 0;
  for (let r = 0; r < height; r += 1) {
    let parity = 0;
    const row = r * stride;
    const out = r * width;
    for (let c = 0; c < width; c += 1) {
      parity ^= toggles[row + c];
      inside[out + c] = parity;
      count += parity;
    }
  }
  return { rowStart, rowEnd, colStart, colEnd, inside, count };
}
