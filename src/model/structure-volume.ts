// SPDX-License-Identifier: BSD-3-Clause
import { planeContours } from './contour-duplicates.js';
import { evenOddAreaMm2 } from './even-odd-area.js';
import { optional, requireFiniteNumber, requireFunction, requireOneOf, requireOptions } from '../validate.js';
import { requireContourPlane, requireContourPlanes } from './model-arguments.js';
import type { ContourPlane } from './structure-set.js';

/** Shoelace area (mm^2, unsigned) of a contour's x, y ring. */
export function polygonAreaMm2(pointsMm: Float64Array): number {
  const n = pointsMm.length / 3;
  let twice = 0;
  for (let i = 0, j = n - 1; i < n; j = i, i += 1) {
    twice += pointsMm[j * 3] * pointsMm[i * 3 + 1] - pointsMm[i * 3] * pointsMm[j * 3 + 1];
  }
  return Math.abs(twice) / 2;
}

/** Even-odd point-in-polygon test on a contour's x, y ring. */
export function pointInContour(x: number, y: number, pointsMm: Float64Array): boolean {
  const n = pointsMm.length / 3;
  let inside = false;
  for (let i = 0, j = n - 1; i < n; j = i, i += 1) {
    const xi = pointsMm[i * 3];
    const yi = pointsMm[i * 3 + 1];
    const xj = pointsMm[j * 3];
    const yj = pointsMm[j * 3 + 1];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * Area (mm^2) of the even-odd region of a plane's contours: every contour that can enclose area
 * (any type but POINT, three or more points; OPEN_PLANAR and unknown types are read as closed, as
 * dicompyler-core does), each exact repeat counted once (see `planeContours`), combined by the
 * even-odd rule: a contour inside another is a hole, a self-intersecting (figure-8) contour keeps
 * both lobes, overlapping contours cancel in their overlap. This is the region the DVH algorithms
 * rasterise. With `transformArea`, dicompyler-core's per-polygon arithmetic instead (see
 * `StructureVolumeOptions.compat`).
 */
export function planeAreaMm2(plane: ContourPlane, transformArea?: (areaMm2: number) => number): number {
  requireContourPlane(plane, 'plane');
  optional(transformArea, 'transformArea', requireFunction);
  if (transformArea) return nestedAreaMm2(plane, transformArea);
  return evenOddAreaMm2(planeContours(plane).distinct.map((c) => c.pointsMm));
}

/**
 * dicompyler-core's plane area: CLOSED_PLANAR contours only, each added or subtracted whole by
 * how many others enclose its first point, its shoelace area passed through `transformArea`.
 * Wrong for self-intersecting and crossing contours, as dicompyler-core's is.
 */
function nestedAreaMm2(plane: ContourPlane, transformArea: (areaMm2: number) => number): number {
  const rings = plane.contours.filter((c) => c.geometricType === 'CLOSED_PLANAR' && c.pointCount >= 3);
  let area = 0;
  for (const ring of rings) {
    const x = ring.pointsMm[0];
    const y = ring.pointsMm[1];
    let depth = 0;
    for (const other of rings) if (other !== ring && pointInContour(x, y, other.pointsMm)) depth += 1;
    area += (depth % 2 === 0 ? 1 : -1) * transformArea(polygonAreaMm2(ring.pointsMm));
  }
  return area;
}

/** The smallest gap between consecutive plane positions (mm); 0 for fewer than two planes. */
export function smallestPlaneGapMm(planeZMm: readonly number[]): number {
  const sorted = [...planeZMm].sort((a, b) => a - b);
  let gap = Infinity;
  for (let i = 1; i < sorted.length; i += 1) gap = Math.min(gap, sorted[i] - sorted[i - 1]);
  return Number.isFinite(gap) ? gap : 0;
}

/** Options of `structureVolumeCm3`. */
export interface StructureVolumeOptions {
  /**
   * 'dosekit' (default): end planes in z order, each contributing half its area.
   * 'dicompyler': dicompyler-core 0.5.7's arithmetic, end planes taken in string-sorted key order
   * and halved with floor division (reproduces its numbers, including their error).
   */
  readonly compat?: 'dosekit' | 'dicompyler';
}

/**
 * Volume (cm^3) of a contour stack: each plane's even-odd area times the plane thickness, the
 * first and last plane counting half (the structure is taken to end half-way to the next plane).
 */
export function structureVolumeCm3(planes: readonly ContourPlane[], thicknessMm: number, options: StructureVolumeOptions = {}): number {
  requireContourPlanes(planes, 'planes');
  requireFiniteNumber(thicknessMm, 'thicknessMm', { min: 0 });
  const checked = requireOptions(options, 'options', ['compat']);
  optional(checked.compat, 'options.compat', (v, n) => requireOneOf(v, n, ['dosekit', 'dicompyler']));
  if (planes.length === 0) return 0;
  const ordered =
    options.compat === 'dicompyler' ? [...planes].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) : [...planes].sort((a, b) => a.zMm - b.zMm);
  let volumeMm3 = 0;
  ordered.forEach((plane, index) => {
    const isEnd = index === 0 || index === ordered.length - 1;
    // dicompyler-core halves each end polygon's area with floor division before combining them.
    const effective =
      options.compat === 'dicompyler'
        ? planeAreaMm2(plane, isEnd ? (a) => Math.floor(a / 2) : (a) => a)
        : isEnd
          ? planeAreaMm2(plane) / 2
          : planeAreaMm2(plane);
    volumeMm3 += effective * thicknessMm;
  });
  return volumeMm3 / 1000;
}
