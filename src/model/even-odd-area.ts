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

/** Every y where two edges cross strictly inside both (found by sweeping edges in y order). */
function crossingYs(edges: readonly Edge[]): number[] {
  const out: number[] = [];
  let active: Edge[] = [];
  for (const edge of edges) {
    active = active.filter((a) => a.y1 > edge.y0);
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
  return out;
}

/**
 * Area (mm^2) of the even-odd region of `rings`, each an implicitly closed ring of points with
 * `stride` values per point (x first, then y; 3 for DICOM x, y, z triples, 2 for x, y pairs).
 * Exact up to rounding for any rings: simple, nested, self-intersecting or crossing each other.
 */
export function evenOddAreaMm2(rings: readonly Float64Array[], stride = 3): number {
  const edges = edgesOf(rings, stride);
  if (edges.length < 2) return 0;
  const ys = [...edges.map((e) => e.y0), ...edges.map((e) => e.y1), ...crossingYs(edges)].sort((a, b) => a - b);
  let area = 0;
  let next = 0;
  let active: Edge[] = [];
  const xs: number[] = [];
  for (let k = 1; k < ys.length; k += 1) {
    const low = ys[k - 1];
    const high = ys[k];
    if (!(high > low)) continue;
    const mid = (low + high) / 2;
    while (next < edges.length && edges[next].y0 < mid) active.push(edges[next++]);
    active = active.filter((e) => e.y1 > mid);
    xs.length = 0;
    for (const e of active) xs.push(xAt(e, mid));
    xs.sort((a, b) => a - b);
    let width = 0;
    for (let i = 1; i < xs.length; i += 2) width += xs[i] - xs[i - 1];
    area += width * (high - low);
  }
  return area;
}
