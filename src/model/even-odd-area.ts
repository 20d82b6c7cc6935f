// SPDX-License-Identifier: BSD-3-Clause
// The exact area of the even-odd region of a set of rings: the region the rasteriser fills (a point
// is inside when a ray from it crosses the rings' edges an odd number of times). Unlike a signed
// shoelace sum it stays right when a ring crosses itself (a figure-8 or bow-tie contour, whose two
// lobes have opposite winding) or crosses another ring of its plane (then the overlap is XORed out,
// as the masks are).
//
// Method: cut the plane into horizontal strips at every vertex y and every y where two edges cross.
// Inside a strip no edge starts, ends or crosses another, so the inside length along a horizontal
// line is linear in y, and the midpoint rule integrates it exactly.

interface Edge {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

function xAt(edge: Edge, y: number): number {
  return edge.x0 + ((y - edge.y0) * (edge.x1 - edge.x0)) / (edge.y1 - edge.y0);
}

/** The non-horizontal edges of implicitly closed rings, each running upwards (y0 < y1). */
function edgesOf(rings: readonly Float64Array[], stride: number): Edge[] {
  const edges: Edge[] = [];
  for (const ring of rings) {
    const n = Math.floor(ring.length / stride);
    for (let i = 0, j = n - 1; i < n; j = i, i += 1) {
      const xa = ring[j * stride];
      const ya = ring[j * stride + 1];
      const xb = ring[i * stride];
      const yb = ring[i * stride + 1];
      if (ya < yb) edges.push({ x0: xa, y0: ya, x1: xb, y1: yb });
      else if (yb < ya) edges.push({ x0: xb, y0: yb, x1: xa, y1: ya });
    }
  }
  return edges.sort((a, b) => a.y0 - b.y0);
}

/**
 * Pair tests and strip evaluations an exact area may cost before the banded estimate is used
 * instead: drawn contours need a few per vertex; only contours that cross themselves thousands
 * of times (a damaged or adversarial file) come near it.
 */
const EXACT_WORK_LIMIT = 2_000_000;
/** Horizontal bands of the estimate used past EXACT_WORK_LIMIT. */
const ESTIMATE_BANDS = 4096;

/**
 * Every y where two edges cross strictly inside both (found by sweeping edges in y order), and
 * the most edges one horizontal line meets; null when that takes more than `limit` pair tests.
 */
function crossingYs(edges: readonly Edge[], limit: number): { ys: number[]; mostActive: number } | null {
  const out: number[] = [];
  const active: Edge[] = [];
  let tests = 0;
  let mostActive = 0;
  for (const edge of edges) {
    let kept = 0;
    for (const a of active) if (a.y1 > edge.y0) active[kept++] = a;
    active.length = kept;
    tests += active.length;
    if (tests > limit) return null;
    mostActive = Math.max(mostActive, active.length + 1);
    for (const other of active) {
      const low = Math.max(edge.y0, other.y0);
      const high = Math.min(edge.y1, other.y1);
      if (!(high > low)) continue;
      const dLow = xAt(edge, low) - xAt(other, low);
      const dHigh = xAt(edge, high) - xAt(other, high);
      if ((dLow < 0 && dHigh > 0) || (dLow > 0 && dHigh < 0)) out.push(low + ((high - low) * dLow) / (dLow - dHigh));
    }
    active.push(edge);
  }
  return { ys: out, mostActive };
}

/** The inside length along the line at `y`, times `height`, summed over the given line positions. */
function stripsArea(edges: readonly Edge[], ys: Float64Array): number {
  let area = 0;
  let next = 0;
  const active: Edge[] = [];
  let xs = new Float64Array(16);
  for (let k = 1; k < ys.length; k += 1) {
    const low = ys[k - 1];
    const high = ys[k];
    if (!(high > low)) continue;
    const mid = (low + high) / 2;
    while (next < edges.length && edges[next].y0 < mid) active.push(edges[next++]);
    let n = 0;
    for (const e of active) if (e.y1 > mid) active[n++] = e;
    active.length = n;
    if (xs.length < n) xs = new Float64Array(2 * n);
    if (n <= 32) {
      // Insertion sort: a drawn contour meets a line at a handful of edges.
      for (let i = 0; i < n; i += 1) {
        const x = xAt(active[i], mid);
        let j = i;
        while (j > 0 && xs[j - 1] > x) {
          xs[j] = xs[j - 1];
          j -= 1;
        }
        xs[j] = x;
      }
    } else {
      for (let i = 0; i < n; i += 1) xs[i] = xAt(active[i], mid);
      xs.subarray(0, n).sort();
    }
    let width = 0;
    for (let i = 1; i < n; i += 2) width += xs[i] - xs[i - 1];
    area += width * (high - low);
  }
  return area;
}

/**
 * Area (mm^2) of the even-odd region of `rings`, each an implicitly closed ring of points with
 * `stride` values per point (x first, then y; 3 for DICOM x, y, z triples, 2 for x, y pairs).
 * Exact up to rounding for any rings: simple, nested, self-intersecting or crossing each other.
 * Rings that cross themselves so often that the exact sum would take more than about 2e6 steps
 * (thousands of self-crossings; no drawn contour comes near) get a midpoint estimate over up to
 * 4096 equal horizontal bands instead, so that the time stays bounded.
 */
export function evenOddAreaMm2(rings: readonly Float64Array[], stride = 3): number {
  const edges = edgesOf(rings, stride);
  if (edges.length < 2) return 0;
  const crossings = crossingYs(edges, EXACT_WORK_LIMIT);
  if (crossings && (2 * edges.length + crossings.ys.length) * crossings.mostActive <= EXACT_WORK_LIMIT) {
    const ys = new Float64Array(2 * edges.length + crossings.ys.length);
    edges.forEach((e, k) => {
      ys[2 * k] = e.y0;
      ys[2 * k + 1] = e.y1;
    });
    ys.set(crossings.ys, 2 * edges.length);
    return stripsArea(edges, ys.sort());
  }
  // Fewer bands when a line meets very many edges, so that the estimate's cost stays bounded too.
  const bands = Math.max(16, Math.min(ESTIMATE_BANDS, Math.floor(EXACT_WORK_LIMIT / mostEdgesOnALine(edges))));
  let low = Infinity;
  let high = -Infinity;
  for (const e of edges) {
    low = Math.min(low, e.y0);
    high = Math.max(high, e.y1);
  }
  return stripsArea(edges, Float64Array.from({ length: bands + 1 }, (_, k) => low + ((high - low) * k) / bands));
}

/** The most edges a horizontal line meets (edges sorted by y0). */
function mostEdgesOnALine(edges: readonly Edge[]): number {
  const ends = edges.map((e) => e.y1).sort((a, b) => a - b);
  let most = 0;
  let ended = 0;
  edges.forEach((edge, started) => {
    while (ended < ends.length && ends[ended] <= edge.y0) ended += 1;
    most = Math.max(most, started + 1 - ended);
  });
  return most;
}
