// SPDX-License-Identifier: BSD-3-Clause
// Which contours of a plane enclose area, and which of those merely repeat another. Planning
// systems sometimes export a contour twice; under the even-odd (XOR) rule a repeated contour
// cancels its twin, so a structure drawn once but written twice would vanish.
import type { Contour, ContourPlane } from './structure-set.js';

/** True for contours that can enclose area: three or more points and not a POINT (every other type is read as closed). */
export function enclosesArea(contour: Contour): boolean {
  return contour.pointCount >= 3 && contour.geometricType !== 'POINT';
}

/** A ring's x, y pairs without a repeated closing point (the last point equal to the first). */
function openRing(contour: Contour): Float64Array {
  const p = contour.pointsMm;
  let n = contour.pointCount;
  if (n > 1 && p[0] === p[(n - 1) * 3] && p[1] === p[(n - 1) * 3 + 1]) n -= 1;
  const out = new Float64Array(n * 2);
  for (let i = 0; i < n; i += 1) {
    out[i * 2] = p[i * 3];
    out[i * 2 + 1] = p[i * 3 + 1];
  }
  return out;
}

/** Whether `b` is `a` traversed from another start point, in either direction. */
function sameRing(a: Float64Array, b: Float64Array): boolean {
  const n = a.length / 2;
  if (b.length !== a.length || n === 0) return false;
  for (let s = 0; s < n; s += 1) {
    if (b[s * 2] !== a[0] || b[s * 2 + 1] !== a[1]) continue;
    for (const step of [1, -1]) {
      let same = true;
      for (let i = 1; i < n && same; i += 1) {
        const k = (((s + step * i) % n) + n) % n;
        same = b[k * 2] === a[i * 2] && b[k * 2 + 1] === a[i * 2 + 1];
      }
      if (same) return true;
    }
  }
  return false;
}

/** A plane's area-enclosing contours split into the distinct ones and the repeats dropped. */
export interface PlaneContours {
  /** Area-enclosing contours, each repeat after its first occurrence left out, in file order. */
  readonly distinct: readonly Contour[];
  /** Every area-enclosing contour, repeats included, in file order (dicompyler-core's input). */
  readonly all: readonly Contour[];
  /** How many contours repeat an earlier one. */
  readonly duplicates: number;
}

const cache = new WeakMap<ContourPlane, PlaneContours>();

/**
 * The area-enclosing contours of a plane, with exact repeats found: a contour is a repeat when an
 * earlier contour of the plane has the same x, y points (as stored) in the same cyclic order,
 * starting from any point and running in either direction, a repeated closing point ignored.
 * Contours that trace the same outline with different points are not repeats.
 */
export function planeContours(plane: ContourPlane): PlaneContours {
  let found = cache.get(plane);
  if (!found) {
    const all = plane.contours.filter(enclosesArea);
    const rings = all.map(openRing);
    const distinct: Contour[] = [];
    const kept: Float64Array[] = [];
    rings.forEach((ring, k) => {
      if (kept.some((other) => sameRing(other, ring))) return;
      kept.push(ring);
      distinct.push(all[k]);
    });
    found = Object.freeze({ distinct: Object.freeze(distinct), all: Object.freeze(all), duplicates: all.length - distinct.length });
    cache.set(plane, found);
  }
  return found;
}
