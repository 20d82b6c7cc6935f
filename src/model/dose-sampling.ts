// SPDX-License-Identifier: BSD-3-Clause
import type { DoseGrid } from './dose-grid.js';

/** Fractional frame index of patient z (frames may run either way), or null beyond the frames. */
export function fractionalFrame(frameZMm: Float64Array, zMm: number, toleranceMm = 1e-6): number | null {
  const n = frameZMm.length;
  if (n === 1) return Math.abs(zMm - frameZMm[0]) <= toleranceMm ? 0 : null;
  const increasing = frameZMm[n - 1] > frameZMm[0];
  const lo = increasing ? frameZMm[0] : frameZMm[n - 1];
  const hi = increasing ? frameZMm[n - 1] : frameZMm[0];
  if (zMm < lo - toleranceMm || zMm > hi + toleranceMm) return null;
  const z = Math.min(hi, Math.max(lo, zMm));
  // Binary search for the bracketing frames (the offsets may be non-uniform).
  let a = 0;
  let b = n - 1;
  while (b - a > 1) {
    const mid = (a + b) >> 1;
    if ((frameZMm[mid] <= z) === increasing) a = mid;
    else b = mid;
  }
  const za = frameZMm[a];
  const zb = frameZMm[b];
  return zb === za ? a : a + (z - za) / (zb - za);
}

/**
 * Trilinear interpolation of the stored dose at a patient point (mm), clamped in-plane to the
 * grid; null when z lies beyond the first or last frame. Works for the eight axis-aligned
 * orientations (the index of a point is its offset from the origin along each cosine).
 */
export function storedDoseAt(grid: DoseGrid, xMm: number, yMm: number, zMm: number): number | null {
  const g = grid.geometry;
  const k = fractionalFrame(g.frameZMm, zMm);
  if (k === null) return null;
  const dx = xMm - g.originMm[0];
  const dy = yMm - g.originMm[1];
  const c = Math.min(g.columns - 1, Math.max(0, (dx * g.rowCosines[0] + dy * g.rowCosines[1]) / g.pixelSpacingMm[1]));
  const r = Math.min(g.rows - 1, Math.max(0, (dx * g.columnCosines[0] + dy * g.columnCosines[1]) / g.pixelSpacingMm[0]));
  const c0 = Math.min(Math.floor(c), Math.max(0, g.columns - 2));
  const r0 = Math.min(Math.floor(r), Math.max(0, g.rows - 2));
  const k0 = Math.min(Math.floor(k), Math.max(0, g.frames - 2));
  const c1 = Math.min(c0 + 1, g.columns - 1);
  const r1 = Math.min(r0 + 1, g.rows - 1);
  const k1 = Math.min(k0 + 1, g.frames - 1);
  const tc = c - c0;
  const tr = r - r0;
  const tk = k - k0;
  const p = grid.pixels;
  const at = (kk: number, rr: number, cc: number) => p[(kk * g.rows + rr) * g.columns + cc];
  const plane = (kk: number) => {
    const low = at(kk, r0, c0) * (1 - tc) + at(kk, r0, c1) * tc;
    const high = at(kk, r1, c0) * (1 - tc) + at(kk, r1, c1) * tc;
    return low * (1 - tr) + high * tr;
  };
  return tk === 0 ? plane(k0) : plane(k0) * (1 - tk) + plane(k1) * tk;
}
