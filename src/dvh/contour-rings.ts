// SPDX-License-Identifier: BSD-3-Clause
import type { ContourPlane } from '../model/structure-set.js';

const ringCache = new WeakMap<Float64Array, Float64Array>();

/** A contour's x, y pairs (cached per contour). */
export function ringOf(points: Float64Array): Float64Array {
  let ring = ringCache.get(points);
  if (!ring) {
    ring = new Float64Array((points.length / 3) * 2);
    for (let k = 0, p = 0; p < points.length; k += 2, p += 3) {
      ring[k] = points[p];
      ring[k + 1] = points[p + 1];
    }
    ringCache.set(points, ring);
  }
  return ring;
}

/** The rings of a plane that can enclose area (three or more points, not POINT contours). */
export function planeRings(plane: ContourPlane): Float64Array[] {
  return plane.contours.filter((c) => c.pointCount >= 3 && c.geometricType !== 'POINT').map((c) => ringOf(c.pointsMm));
}
