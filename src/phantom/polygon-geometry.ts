// SPDX-License-Identifier: BSD-3-Clause
// Exact plane geometry of contour polygons: areas, centroids, half-plane and disc intersections.
/** Signed area of a polygon of (x, y) pairs (positive when counter-clockwise), mm2. */
export function polygonAreaMm2(polygon: Float64Array): number {
  const n = polygon.length / 2;
  if (n < 3) return 0;
  const x0 = polygon[0];
  const y0 = polygon[1];
  let twice = 0;
  for (let i = 0; i < n; i += 1) {
    const j = (i + 1) % n;
    twice += (polygon[2 * i] - x0) * (polygon[2 * j + 1] - y0) - (polygon[2 * j] - x0) * (polygon[2 * i + 1] - y0);
  }
  return twice / 2;
}

/** Signed area and centroid of a polygon, mm2 and mm. */
export function polygonCentroid(polygon: Float64Array): { areaMm2: number; xMm: number; yMm: number } {
  const n = polygon.length / 2;
  const x0 = polygon[0];
  const y0 = polygon[1];
  let twice = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i += 1) {
    const j = (i + 1) % n;
    const xi = polygon[2 * i] - x0;
    const yi = polygon[2 * i + 1] - y0;
    const xj = polygon[2 * j] - x0;
    const yj = polygon[2 * j + 1] - y0;
    const cross = xi * yj - xj * yi;
    twice += cross;
    sx += (xi + xj) * cross;
    sy += (yi + yj) * cross;
  }
  const areaMm2 = twice / 2;
  return { areaMm2, xMm: x0 + sx / (3 * twice), yMm: y0 + sy / (3 * twice) };
}

/**
 * Area (mm2) of the part of a polygon where nx * x + ny * y >= c, by clipping against the
 * half-plane (Sutherland-Hodgman; exact, also for non-convex polygons).
 */
export function halfPlaneAreaMm2(polygon: Float64Array, nx: number, ny: number, c: number): number {
  const n = polygon.length / 2;
  const out: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const j = (i + 1) % n;
    const ax = polygon[2 * i];
    const ay = polygon[2 * i + 1];
    const bx = polygon[2 * j];
    const by = polygon[2 * j + 1];
    const da = nx * ax + ny * ay - c;
    const db = nx * bx + ny * by - c;
    if (da >= 0) out.push(ax, ay);
    if (da >= 0 !== db >= 0) {
      const s = da / (da - db);
      out.push(ax + s * (bx - ax), ay + s * (by - ay));
    }
  }
  return Math.abs(polygonAreaMm2(Float64Array.from(out)));
}

/** Signed angle from p to q about the origin, radians. */
export function angleBetween(px: number, py: number, qx: number, qy: number): number {
  return Math.atan2(px * qy - py * qx, px * qx + py * qy);
}

/** Signed area of (triangle origin, a, b) intersected with the disc of radius r about the origin. */
export function edgeDiscArea(ax: number, ay: number, bx: number, by: number, r: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const a = dx * dx + dy * dy;
  if (a === 0) return 0;
  const r2 = r * r;
  const b = ax * dx + ay * dy;
  const c = ax * ax + ay * ay - r2;
  const discriminant = b * b - a * c;
  if (discriminant <= 0) return (r2 / 2) * angleBetween(ax, ay, bx, by);
  const root = Math.sqrt(discriminant);
  const s1 = Math.min(1, Math.max(0, (-b - root) / a));
  const s2 = Math.min(1, Math.max(0, (-b + root) / a));
  const p1x = ax + s1 * dx;
  const p1y = ay + s1 * dy;
  const p2x = ax + s2 * dx;
  const p2y = ay + s2 * dy;
  let area = (p1x * p2y - p1y * p2x) / 2;
  if (s1 > 0) area += (r2 / 2) * angleBetween(ax, ay, p1x, p1y);
  if (s2 < 1) area += (r2 / 2) * angleBetween(p2x, p2y, bx, by);
  return area;
}

/**
 * Area (mm2) of a polygon intersected with the disc of `radiusMm` about (cx, cy), exactly: the
 * sum over edges of the signed triangle-and-sector pieces of (centre, edge) inside the circle.
 */
export function polygonDiscAreaMm2(polygon: Float64Array, cx: number, cy: number, radiusMm: number): number {
  if (!(radiusMm > 0)) return 0;
  const n = polygon.length / 2;
  let sum = 0;
  for (let i = 0; i < n; i += 1) {
    const j = (i + 1) % n;
    sum += edgeDiscArea(polygon[2 * i] - cx, polygon[2 * i + 1] - cy, polygon[2 * j] - cx, polygon[2 * j + 1] - cy, radiusMm);
  }
  return Math.abs(sum);
}

/** True when (x, y) is inside the polygon (crossing number). */
export function containsPoint(polygon: Float64Array, x: number, y: number): boolean {
  const n = polygon.length / 2;
  let inside = false;
  for (let i = 0, j = n - 1; i < n; j = i, i += 1) {
    const xi = polygon[2 * i];
    const yi = polygon[2 * i + 1];
    const xj = polygon[2 * j];
    const yj = polygon[2 * j + 1];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * Distances from (cx, cy) at which a growing circle meets something new on the polygon: every
 * vertex distance and every edge's foot-of-perpendicular distance (when the foot lies on the
 * edge). Sorted; values closer than 1e-6 mm merged (they only place quadrature cuts).
 */
export function criticalRadii(polygon: Float64Array, cx: number, cy: number): number[] {
  const n = polygon.length / 2;
  const radii: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const j = (i + 1) % n;
    const ax = polygon[2 * i] - cx;
    const ay = polygon[2 * i + 1] - cy;
    const dx = polygon[2 * j] - cx - ax;
    const dy = polygon[2 * j + 1] - cy - ay;
    radii.push(Math.hypot(ax, ay));
    const length2 = dx * dx + dy * dy;
    const s = length2 > 0 ? -(ax * dx + ay * dy) / length2 : -1;
    if (s > 0 && s < 1) radii.push(Math.hypot(ax + s * dx, ay + s * dy));
  }
  radii.sort((a, b) => a - b);
  const merged: number[] = [];
  for (const r of radii) if (merged.length === 0 || r - merged[merged.length - 1] > 1e-6) merged.push(r);
  return merged;
}

/** Smallest distance from (x, y) to the polygon's boundary, mm. */
export function distanceToBoundary(polygon: Float64Array, x: number, y: number): number {
  const n = polygon.length / 2;
  let best = Infinity;
  for (let i = 0; i < n; i += 1) {
    const j = (i + 1) % n;
    const ax = polygon[2 * i] - x;
    const ay = polygon[2 * i + 1] - y;
    const dx = polygon[2 * j] - x - ax;
    const dy = polygon[2 * j + 1] - y - ay;
    const length2 = dx * dx + dy * dy;
    const s = length2 > 0 ? Math.min(1, Math.max(0, -(ax * dx + ay * dy) / length2)) : 0;
    best = Math.min(best, Math.hypot(ax + s * dx, ay + s * dy));
  }
  return best;
}

// ---- the model ------------------------------------------------------------------------------
