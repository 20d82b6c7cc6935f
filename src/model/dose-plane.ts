// SPDX-License-Identifier: BSD-3-Clause
import type { DoseGrid } from './dose-grid.js';

/** Which stored frames make up the dose at a plane z, as dicompyler-core chooses them. */
export type DosePlaneSource =
  | { readonly kind: 'frame'; readonly frame: number }
  | { readonly kind: 'interpolated'; readonly upper: number; readonly lower: number; readonly fraction: number };

/**
 * dicompyler-core's dose-plane rule for a structure plane at `zMm`: the nearest frame when it is
 * closer than `thresholdMm`; null when z lies outside the frames; otherwise linear interpolation
 * `fraction x upper + (1 - fraction) x lower` between the nearest frame ("upper") and the
 * second-nearest ("lower"), fraction = (z - z_lower) / (z_upper - z_lower).
 */
export function locateDosePlane(grid: DoseGrid, zMm: number, thresholdMm = 0.5): DosePlaneSource | null {
  const planes = grid.geometry.frameZMm;
  let nearest = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let k = 0; k < planes.length; k += 1) {
    if (Math.abs(planes[k] - zMm) < Math.abs(planes[nearest] - zMm)) nearest = k;
    if (planes[k] < min) min = planes[k];
    if (planes[k] > max) max = planes[k];
  }
  if (Math.abs(planes[nearest] - zMm) < thresholdMm) return { kind: 'frame', frame: nearest };
  if (zMm < min || zMm > max) return null;
  // Second nearest: the nearest's distance is replaced by the largest distance, then argmin again.
  let largest = 0;
  for (let k = 0; k < planes.length; k += 1) largest = Math.max(largest, Math.abs(planes[k] - zMm));
  let lower = -1;
  let best = Infinity;
  for (let k = 0; k < planes.length; k += 1) {
    const d = k === nearest ? largest : Math.abs(planes[k] - zMm);
    if (d < best) {
      best = d;
      lower = k;
    }
  }
  return { kind: 'interpolated', upper: nearest, lower, fraction: (zMm - planes[lower]) / (planes[nearest] - planes[lower]) };
}

/** The stored values of a plane (rows x columns, row-major) for a located source, as float64. */
export function dosePlaneValues(grid: DoseGrid, source: DosePlaneSource): Float64Array {
  const size = grid.geometry.rows * grid.geometry.columns;
  if (source.kind === 'frame') return Float64Array.from(grid.pixels.subarray(source.frame * size, (source.frame + 1) * size));
  const upper = grid.pixels.subarray(source.upper * size, (source.upper + 1) * size);
  const lower = grid.pixels.subarray(source.lower * size, (source.lower + 1) * size);
  const f = source.fraction;
  const out = new Float64Array(size);
  for (let i = 0; i < size; i += 1) out[i] = f * upper[i] + (1.0 - f) * lower[i];
  return out;
}

/**
 * Linear interpolation between the two frames that bracket `zMm` (exact at a frame); null
 * outside the frames. Used where dosekit samples between frames on purpose (sub-slab sampling).
 */
export function bracketDosePlane(grid: DoseGrid, zMm: number): DosePlaneSource | null {
  const planes = grid.geometry.frameZMm;
  for (let k = 0; k < planes.length; k += 1) if (planes[k] === zMm) return { kind: 'frame', frame: k };
  let below = -1;
  let above = -1;
  for (let k = 0; k < planes.length; k += 1) {
    if (planes[k] < zMm && (below < 0 || planes[k] > planes[below])) below = k;
    if (planes[k] > zMm && (above < 0 || planes[k] < planes[above])) above = k;
  }
  if (below < 0 || above < 0) return null;
  return { kind: 'interpolated', upper: above, lower: below, fraction: (zMm - planes[below]) / (planes[above] - planes[below]) };
}

/** A stable key for caching planes by source. */
export function dosePlaneKey(source: DosePlaneSource): string {
  return source.kind === 'frame' ? `f${source.frame}` : `i${source.upper}:${source.lower}:${source.fraction}`;
}
