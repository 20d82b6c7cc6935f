// SPDX-License-Identifier: BSD-3-Clause
// Closed contours of the region {field < 0} of a scalar field sampled on a rectilinear grid.

/**
 * Where the boundary crosses the grid edge from a (inside, fa < 0) to b (outside): linear
 * interpolation of the field, or half-way when either value is infinite (a binary jump).
 */
function crossing(fa: number, fb: number): number {
  if (!Number.isFinite(fa) || !Number.isFinite(fb)) return 0.5;
  const t = fa / (fa - fb);
  // Never exactly on a grid point, so that no two boundary points coincide.
  return Math.min(1 - 1e-6, Math.max(1e-6, t));
}

/**
 * The boundary of {field < 0} as closed rings of x, y pairs (mm), from marching squares with
 * linear interpolation along cell edges; saddles are resolved by the mean of the four corners.
 * `field[i + j * nx]` is the value at (xs[i], ys[j]); grid points outside the arrays count as
 * outside. Rings never cross; their even-odd region is the region (holes included).
 */
export function marchingSquares(field: ArrayLike<number>, xs: Float64Array, ys: Float64Array): Float64Array[] {
  const nx = xs.length;
  const ny = ys.length;
  // The field with a border of outside points: point (i, j), i in -1..nx, j in -1..ny.
  const px = nx + 2;
  const padded = new Float64Array(px * (ny + 2)).fill(Infinity);
  for (let j = 0; j < ny; j += 1) for (let i = 0; i < nx; i += 1) padded[(j + 1) * px + i + 1] = field[i + j * nx];
  const value = (i: number, j: number): number => padded[(j + 1) * px + i + 1];
  const pointId = (i: number, j: number) => (j + 1) * px + (i + 1);
  // Edge id: 2 * point id (+1 for the vertical edge going up from the point).
  const edgeX = new Map<number, number>();
  const edgeY = new Map<number, number>();
  const next = new Map<number, number>();
  const edgePoint = (id: number): void => {
    if (edgeX.has(id)) return;
    const p = id >> 1;
    const i = (p % px) - 1;
    const j = Math.floor(p / px) - 1;
    const vertical = (id & 1) === 1;
    const i2 = vertical ? i : i + 1;
    const j2 = vertical ? j + 1 : j;
    const fa = value(i, j);
    const fb = value(i2, j2);
    // t measured from the inside end.
    const fromA = fa < 0;
    const t = fromA ? crossing(fa, fb) : 1 - crossing(fb, fa);
    const coord = (axis: Float64Array, a: number, b: number): number => {
      const pos = (k: number) => (k < 0 ? axis[0] - (axis.length > 1 ? axis[1] - axis[0] : 1) : k >= axis.length ? axis[axis.length - 1] + (axis.length > 1 ? axis[axis.length - 1] - axis[axis.length - 2] : 1) : axis[k]);
      return pos(a) + (pos(b) - pos(a)) * t;
    };
    edgeX.set(id, coord(xs, i, i2));
    edgeY.set(id, coord(ys, j, j2));
  };
  for (let j = -1; j < ny; j += 1) {
    for (let i = -1; i < nx; i += 1) {
      // Corners counter-clockwise: (i,j) (i+1,j) (i+1,j+1) (i,j+1); edges in the same order.
      const at = (j + 1) * px + i + 1;
      const v0 = padded[at];
      const v1 = padded[at + 1];
      const v2 = padded[at + px + 1];
      const v3 = padded[at + px];
      const b0 = v0 < 0;
      if (b0 === v1 < 0 && b0 === v2 < 0 && b0 === v3 < 0) continue;
      const v = [v0, v1, v2, v3];
      const inside = v.map((x) => x < 0);
      const edges = [2 * pointId(i, j), 2 * pointId(i + 1, j) + 1, 2 * pointId(i, j + 1), 2 * pointId(i, j) + 1];
      // Crossings in counter-clockwise order; an exit leaves the inside going counter-clockwise.
      const crossings: { edge: number; exit: boolean }[] = [];
      for (let e = 0; e < 4; e += 1) {
        const a = inside[e];
        const b = inside[(e + 1) % 4];
        if (a !== b) crossings.push({ edge: edges[e], exit: a });
      }
      let pairs: [number, number][];
      if (crossings.length === 2) {
        const exit = crossings[0].exit ? crossings[0] : crossings[1];
        const enter = crossings[0].exit ? crossings[1] : crossings[0];
        pairs = [[exit.edge, enter.edge]];
      } else {
        // A saddle: joined through the centre when the centre is inside.
        const finite = v.filter(Number.isFinite);
        const centreInside = finite.length === 4 ? (v[0] + v[1] + v[2] + v[3]) / 4 < 0 : false;
        const first = crossings.findIndex((c) => c.exit);
        pairs = [];
        for (let k = 0; k < 4; k += 2) {
          const exitIndex = (first + k) % 4;
          const partner = centreInside ? (exitIndex + 1) % 4 : (exitIndex + 3) % 4;
          pairs.push([crossings[exitIndex].edge, crossings[partner].edge]);
        }
      }
      for (const [from, to] of pairs) {
        edgePoint(from);
        edgePoint(to);
        next.set(from, to);
      }
    }
  }
  const rings: Float64Array[] = [];
  const visited = new Set<number>();
  for (const start of next.keys()) {
    if (visited.has(start)) continue;
    const points: number[] = [];
    let edge = start;
    while (!visited.has(edge)) {
      visited.add(edge);
      points.push(edgeX.get(edge)!, edgeY.get(edge)!);
      edge = next.get(edge)!;
    }
    if (points.length >= 6) rings.push(Float64Array.from(points));
  }
  return rings;
}
