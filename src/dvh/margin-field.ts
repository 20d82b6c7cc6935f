// SPDX-License-Identifier: BSD-3-Clause
// The fine in-plane grid a margin is computed on, and the distance fields of the regions on it.
import { DosekitError } from '../errors.js';
import type { BooleanTree } from './boolean-tree.js';
import { lineCrossings, squaredBoundaryDistance } from './boundary-distance.js';
import type { ShapePlane } from './derived-shape.js';
import { combineMasks } from './lattice-algebra.js';

/** The fine-grid cell aimed at, mm (finer only to have MARGIN_MIN_CELLS per margin). */
export const MARGIN_CELL_MM = 0.5;
/** The largest fine-grid cell, mm: the cell grows from MARGIN_CELL_MM towards it on large planes. */
export const MARGIN_MAX_CELL_MM = 1;
/** Fine cells per plane beyond which the cell grows (up to MARGIN_MAX_CELL_MM), to bound the work. */
export const MARGIN_TARGET_PLANE_CELLS = 250_000;
/** The fewest fine-grid cells per margin along an axis with a margin. */
export const MARGIN_MIN_CELLS = 3;
/** The largest fine grid per plane, cells (beyond it: E_TOO_LARGE). */
export const MARGIN_MAX_PLANE_CELLS = 16_000_000;

/** The fine grid: cell centres (mm) along patient x and y. */
export interface FineGrid {
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  /** Cells per unit of scaled distance along the axes with a margin. */
  readonly cellsPerMargin: number;
  readonly alongX: boolean;
  readonly alongY: boolean;
}

/**
 * The fine grid for a margin of `marginMm` around the planes' contours: cell = margin / N along
 * an axis with a margin (N >= MARGIN_MIN_CELLS; cell MARGIN_CELL_MM, growing up to MARGIN_MAX_CELL_MM
 * when a plane would exceed MARGIN_TARGET_PLANE_CELLS), so that cells are
 * isotropic in the scaled metric; padded by the margin (expand) and three cells. Null without contours.
 * @throws DosekitError E_TOO_LARGE.
 */
export function fineGrid(planes: readonly ShapePlane[], request: { readonly kind: 'expand' | 'shrink'; readonly marginMm: readonly [number, number, number]; readonly name: string }): FineGrid | null {
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const plane of planes) {
    for (const rings of plane.leafRings) {
      for (const ring of rings ?? []) {
        for (let k = 0; k < ring.length; k += 2) {
          minX = Math.min(minX, ring[k]);
          maxX = Math.max(maxX, ring[k]);
          minY = Math.min(minY, ring[k + 1]);
          maxY = Math.max(maxY, ring[k + 1]);
        }
      }
    }
  }
  if (!(minX <= maxX && minY <= maxY)) return null;
  const [mx, my] = request.marginMm;
  const positive = [mx, my].filter((m) => m > 0);
  const mMax = Math.max(0, ...positive);
  // Cells per margin: MARGIN_CELL_MM cells, fewer (down to MARGIN_MAX_CELL_MM) on large planes.
  const fine = Math.max(MARGIN_MIN_CELLS, Math.ceil(mMax / MARGIN_CELL_MM - 1e-9));
  const coarse = Math.max(MARGIN_MIN_CELLS, Math.ceil(mMax / MARGIN_MAX_CELL_MM - 1e-9));
  const cellsAt = (n: number) => {
    const zeroAxisCell = positive.length > 0 ? Math.min(...positive) / n : (MARGIN_CELL_MM * fine) / n;
    const axis = (lo: number, hi: number, m: number): Float64Array => {
      const cell = m > 0 ? m / n : zeroAxisCell;
      const pad = (request.kind === 'expand' ? m : 0) + 3 * cell;
      const count = Math.ceil((hi - lo + 2 * pad) / cell) + 1;
      return Float64Array.from({ length: count }, (_, i) => lo - pad + i * cell);
    };
    return { xs: axis(minX, maxX, mx), ys: axis(minY, maxY, my) };
  };
  let n = fine;
  let { xs, ys } = cellsAt(n);
  if (xs.length * ys.length > MARGIN_TARGET_PLANE_CELLS && coarse < fine) {
    n = Math.max(coarse, Math.floor(fine * Math.sqrt(MARGIN_TARGET_PLANE_CELLS / (xs.length * ys.length))));
    ({ xs, ys } = cellsAt(n));
  }
  if (xs.length * ys.length > MARGIN_MAX_PLANE_CELLS) {
    throw new DosekitError('E_TOO_LARGE', `${request.kind}(…, ${request.marginMm.join(', ')} mm) of "${request.name}" needs a ${xs.length} x ${ys.length} fine grid per plane, more than ${MARGIN_MAX_PLANE_CELLS} cells; use a larger margin or a smaller structure.`, {
      cells: xs.length * ys.length,
      limit: MARGIN_MAX_PLANE_CELLS,
    });
  }
  return { xs, ys, cellsPerMargin: n, alongX: mx > 0, alongY: my > 0 };
}

/** A region on the fine grid: inside cells, and squared distance (cells) from each cell to its boundary. */
export interface PlaneField {
  readonly inside: Uint8Array;
  readonly boundary2: Float64Array;
}

/**
 * A plane's region (its leaves combined by `tree`), its boundary where it exactly crosses the
 * grid lines. `isotropic` measures along both axes even where a margin is 0. Null when empty.
 */
export function planeField(grid: FineGrid, plane: ShapePlane, tree: BooleanTree, isotropic: boolean): PlaneField | null {
  const nx = grid.xs.length;
  const ny = grid.ys.length;
  const combined = combineMasks({ xs: grid.xs, ys: grid.ys }, plane.leafRings, tree);
  if (combined.count === 0) return null;
  const inside = new Uint8Array(nx * ny);
  for (let r = 0; r < combined.height; r += 1) {
    inside.set(combined.inside.subarray(r * combined.width, (r + 1) * combined.width), (combined.rowStart + r) * nx + combined.colStart);
  }
  const xAxis = { start: grid.xs[0], step: grid.xs[1] - grid.xs[0], count: nx };
  const yAxis = { start: grid.ys[0], step: grid.ys[1] - grid.ys[0], count: ny };
  const rows = lineCrossings(plane.leafRings, tree, yAxis, xAxis, false);
  const columns = lineCrossings(plane.leafRings, tree, xAxis, yAxis, true);
  const boundary2 = squaredBoundaryDistance(rows, columns, nx, ny, isotropic || grid.alongX, isotropic || grid.alongY);
  return { inside, boundary2 };
}

function signedDistance(field: PlaneField, c: number): number {
  const d = Math.sqrt(field.boundary2[c]);
  return field.inside[c] ? -d : d;
}

/**
 * Shape-based interpolation between two planes' regions: the region where (1 - t) sd_a + t sd_b
 * < 0 (sd the signed distance in cells), its boundary where that changes sign along the grid
 * lines (linear interpolation), and the distance to it. The grid must be isotropic.
 */
export function interpolatedField(grid: FineGrid, a: PlaneField, b: PlaneField, t: number): PlaneField {
  const nx = grid.xs.length;
  const ny = grid.ys.length;
  const sd = new Float64Array(nx * ny);
  const inside = new Uint8Array(nx * ny);
  for (let c = 0; c < sd.length; c += 1) {
    sd[c] = (1 - t) * signedDistance(a, c) + t * signedDistance(b, c);
    inside[c] = sd[c] < 0 ? 1 : 0;
  }
  const crossing = (p: number, q: number) => sd[p] / (sd[p] - sd[q]);
  const rows: Float64Array[] = [];
  for (let j = 0; j < ny; j += 1) {
    const out: number[] = [];
    for (let i = 0; i + 1 < nx; i += 1) if (inside[j * nx + i] !== inside[j * nx + i + 1]) out.push(i + crossing(j * nx + i, j * nx + i + 1));
    rows.push(Float64Array.from(out));
  }
  const columns: Float64Array[] = [];
  for (let i = 0; i < nx; i += 1) {
    const out: number[] = [];
    for (let j = 0; j + 1 < ny; j += 1) if (inside[j * nx + i] !== inside[(j + 1) * nx + i]) out.push(j + crossing(j * nx + i, (j + 1) * nx + i));
    columns.push(Float64Array.from(out));
  }
  return { inside, boundary2: squaredBoundaryDistance(rows, columns, nx, ny, true, true) };
}
