// SPDX-License-Identifier: BSD-3-Clause
import { planeContours } from '../model/contour-duplicates.js';
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

/**
 * The rings of a plane that can enclose area (three or more points, any type but POINT), each
 * exact repeat of another left out (see `planeContours`), or, with `keepRepeats` (the dicompyler
 * algorithm, which XORs every contour as dicompyler-core does), all of them.
 */
export function planeRings(plane: ContourPlane, options: { readonly keepRepeats?: boolean } = {}): Float64Array[] {
  const contours = planeContours(plane);
  return (options.keepRepeats ? contours.all : contours.distinct).map((c) => ringOf(c.pointsMm));
}
