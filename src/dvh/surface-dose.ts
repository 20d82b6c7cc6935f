// SPDX-License-Identifier: BSD-3-Clause
// The extremes of the dose over a structure's surface: for a smooth dose the minimum and maximum
// of a structure lie on its boundary, which interior samples only approach.
import type { DoseGrid } from '../model/dose-grid.js';
import { fractionalFrame, storedDoseAt } from '../model/dose-sampling.js';

/** A slab of the right-prism model: rings extruded from zLowMm to zHighMm. */
export interface PrismSlab {
  readonly rings: readonly Float64Array[];
  readonly zLowMm: number;
  readonly zHighMm: number;
}

/**
 * The most points sampled along one piece of an edge (a piece lies within the dose grid, so this
 * is far above what an edge needs: a 1 m grid at 1/63 mm steps). Beyond it the step coarsens.
 */
export const MAX_SURFACE_SAMPLES_PER_PIECE = 1 << 16;

/** Samples between checkpoints: a few hundred microseconds of work. */
const SAMPLES_PER_CHECKPOINT = 4096;

/**
 * Minimum and maximum stored dose over the lateral faces and the z faces' edges of the slabs:
 * every vertex and points at most `stepMm` apart along every edge, at each slab face and at
 * every dose frame inside the slab (the dose is piecewise linear in z between frames).
 * Null when no such point lies within the dose grid's frames.
 *
 * The dose beyond the grid in-plane is the grid's edge value (storedDoseAt clamps), so the part
 * of an edge outside the grid only ever sees the dose along its clamped image, which runs along
 * the grid's border: that image is walked instead of the edge itself, and the work per edge is
 * bounded by the grid's size, never by the edge's length (a vertex kilometres away costs no more
 * than one on the grid). Inside the grid the points are exactly those of a walk along the whole
 * edge. `checkpoint` (see createCheckpoint) is awaited every few thousand points, so the walk
 * yields to the event loop and stops on an abort.
 */
export async function surfaceStoredDoseRange(grid: DoseGrid, slabs: readonly PrismSlab[], stepMm: number, checkpoint: () => Promise<void> = async () => {}): Promise<[number, number] | null> {
  const g = grid.geometry;
  const frames = g.frameZMm;
  const [ox, oy] = g.originMm;
  const dc = g.pixelSpacingMm[1];
  const dr = g.pixelSpacingMm[0];
  const lastColumn = g.columns - 1;
  const lastRow = g.rows - 1;
  // Patient (x, y) <-> fractional (column, row), as storedDoseAt computes them.
  const columnOf = (x: number, y: number) => ((x - ox) * g.rowCosines[0] + (y - oy) * g.rowCosines[1]) / dc;
  const rowOf = (x: number, y: number) => ((x - ox) * g.columnCosines[0] + (y - oy) * g.columnCosines[1]) / dr;
  const xOf = (c: number, r: number) => ox + g.rowCosines[0] * dc * c + g.columnCosines[0] * dr * r;
  const yOf = (c: number, r: number) => oy + g.rowCosines[1] * dc * c + g.columnCosines[1] * dr * r;
  const clampColumn = (c: number) => Math.min(lastColumn, Math.max(0, c));
  const clampRow = (r: number) => Math.min(lastRow, Math.max(0, r));

  let min = Infinity;
  let max = -Infinity;
  let sinceCheckpoint = 0;
  let zs: number[] = [];
  /** Samples the dose at (x, y) on every face; true when a checkpoint is due. */
  const sample = (x: number, y: number): boolean => {
    for (const z of zs) {
      const v = storedDoseAt(grid, x, y, z);
      if (v === null) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    sinceCheckpoint += zs.length;
    return sinceCheckpoint >= SAMPLES_PER_CHECKPOINT;
  };
  const pause = async (): Promise<void> => {
    sinceCheckpoint = 0;
    await checkpoint();
  };
  const breaks: number[] = [];
  for (const slab of slabs) {
    const candidates = [slab.zLowMm, slab.zHighMm];
    for (const z of frames) if (z > slab.zLowMm && z < slab.zHighMm) candidates.push(z);
    // Faces beyond the first or last frame have no dose: a slab with none inside costs nothing.
    zs = candidates.filter((z) => fractionalFrame(frames, z) !== null);
    if (zs.length === 0) continue;
    for (const ring of slab.rings) {
      const n = ring.length >> 1;
      for (let k = 0; k < n; k += 1) {
        const x0 = ring[k * 2];
        const y0 = ring[k * 2 + 1];
        const x1 = ring[((k + 1) % n) * 2];
        const y1 = ring[((k + 1) % n) * 2 + 1];
        const pieces = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / stepMm));
        const c0 = columnOf(x0, y0);
        const r0 = rowOf(x0, y0);
        const dcdt = columnOf(x1, y1) - c0;
        const drdt = rowOf(x1, y1) - r0;
        // Where the edge crosses the grid's border: between these the clamping is one and the same.
        breaks.length = 0;
        breaks.push(0);
        for (const t of [-c0 / dcdt, (lastColumn - c0) / dcdt, -r0 / drdt, (lastRow - r0) / drdt]) if (t > 0 && t < 1) breaks.push(t);
        breaks.push(1);
        breaks.sort((a, b) => a - b);
        for (let b = 0; b + 1 < breaks.length; b += 1) {
          const ta = breaks[b];
          const tb = breaks[b + 1];
          if (!(tb > ta)) continue;
          const tm = (ta + tb) / 2;
          const cm = c0 + dcdt * tm;
          const rm = r0 + drdt * tm;
          if (cm >= 0 && cm <= lastColumn && rm >= 0 && rm <= lastRow) {
            // Inside the grid: the walk's own points p / pieces in [ta, tb).
            const first = Math.ceil(ta * pieces);
            const end = tb === 1 ? pieces : Math.ceil(tb * pieces);
            const stride = Math.max(1, Math.ceil((end - first) / MAX_SURFACE_SAMPLES_PER_PIECE));
            for (let p = first; p < end; p += stride) {
              if (sample(x0 + ((x1 - x0) * p) / pieces, y0 + ((y1 - y0) * p) / pieces)) await pause();
            }
            continue;
          }
          // Outside: the clamped image of [ta, tb] is a straight run along the border (or a corner).
          const ca = clampColumn(c0 + dcdt * ta);
          const ra = clampRow(r0 + drdt * ta);
          const cb = clampColumn(c0 + dcdt * tb);
          const rb = clampRow(r0 + drdt * tb);
          const lengthMm = Math.hypot((cb - ca) * dc, (rb - ra) * dr);
          const steps = Math.min(MAX_SURFACE_SAMPLES_PER_PIECE, Math.max(1, Math.ceil(lengthMm / stepMm)));
          const last = lengthMm > 0 ? steps : 0;
          for (let q = 0; q <= last; q += 1) {
            const c = ca + ((cb - ca) * q) / steps;
            const r = ra + ((rb - ra) * q) / steps;
            if (sample(xOf(c, r), yOf(c, r))) await pause();
          }
        }
      }
    }
  }
  await checkpoint();
  return min <= max ? [min, max] : null;
}
