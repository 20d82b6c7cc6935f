// SPDX-License-Identifier: BSD-3-Clause
// The phantom contours against the solids themselves. The ground truth (src/phantom/ground-truth.ts)
// is the exact DVH of the right-prism model of the contours, so it cannot see a contour that
// is not a section of its solid; this file checks every contour the structure set holds (the
// ones a DVH algorithm reads) against the closed form of the solid's cross-section, worked out
// here from the solid's equation and never from src/phantom's geometry: area and centroid, every
// vertex on the solid's surface, and the set of planes against the solid's extent along z.
//
// The solids (radius r = 12 mm, length L = 24 mm, centre c): sphere |p - c| <= r; cylinder along
// z: (x - cx)^2 + (y - cy)^2 <= r^2, |z - cz| <= L/2; the same along y ('cylinder-rotated');
// cone along z, base of radius r at z = cz - L/2 and apex at z = cz + L/2; cone along y
// ('cone-rotated'), base at y = cy - L/2 and apex at y = cy + L/2.
import { describe, expect, it } from 'vitest';
import { PHANTOM_CENTER_MM, makePhantom } from '../../src/phantom/phantom.js';
import type { ShapeName } from '../../src/phantom/shapes.js';

const R = 12;
const L = 24;
const [CX, CY, CZ] = PHANTOM_CENTER_MM;
/** Circular sections are regular polygons of at least this many vertices. */
const MIN_CIRCLE_VERTICES = 128;
/** Every coordinate is rounded to 1e-6 mm before it is written: a vertex moves by at most this, mm. */
const ROUNDING_MM = Math.SQRT2 * 0.5e-6;
/** A vertex may be off the surface by the rounding plus floating-point noise, mm. */
const SURFACE_MM = 1e-6;
/** The largest relative area tolerance any section may be given: a 1 % error must always fail. */
const MAX_RELATIVE_TOLERANCE = 1e-3;

const SHAPES: readonly ShapeName[] = ['sphere', 'cylinder', 'cylinder-rotated', 'cone', 'cone-rotated'];

type Ring = readonly (readonly [number, number])[];

/** Area (positive when counter-clockwise), centroid and perimeter of a ring, by the shoelace formula. */
function shoelace(ring: Ring): { area: number; cx: number; cy: number; perimeter: number } {
  const [x0, y0] = ring[0];
  let twice = 0;
  let sx = 0;
  let sy = 0;
  let perimeter = 0;
  for (let i = 0; i < ring.length; i += 1) {
    const xi = ring[i][0] - x0;
    const yi = ring[i][1] - y0;
    const xj = ring[(i + 1) % ring.length][0] - x0;
    const yj = ring[(i + 1) % ring.length][1] - y0;
    const c = xi * yj - xj * yi;
    twice += c;
    sx += (xi + xj) * c;
    sy += (yi + yj) * c;
    perimeter += Math.hypot(xj - xi, yj - yi);
  }
  return { area: twice / 2, cx: x0 + sx / (3 * twice), cy: y0 + sy / (3 * twice), perimeter };
}

/** The planes the rule gives: z = cz - L/2 + (k + 1/2) t (or k t when shifted), strictly inside the solid's z extent (cz - 12, cz + 12). */
function expectedPlanes(t: number, shifted: boolean): number[] {
  const planes: number[] = [];
  for (let k = 0; ; k += 1) {
    const z = CZ - 12 + (k + (shifted ? 0 : 0.5)) * t;
    if (z >= CZ + 12 - 1e-9) break;
    if (z > CZ - 12 + 1e-9) planes.push(z);
  }
  return planes;
}

/** Radius of the z-cone at height dz from its centre: r times the distance to the apex (dz = L/2) over L. */
const coneRadiusAt = (dz: number) => (R * (L / 2 - dz)) / L;
/** Radius of the y-cone at y: r times the distance to the apex (y = cy + L/2) over L. */
const rotatedConeRadiusAt = (y: number) => (R * (CY + L / 2 - y)) / L;

/**
 * The section of the y-cone at |dz| = b: {(x, y): sqrt((x - cx)^2 + b^2) <= rho(y)}, rho = a u,
 * a = r / L, u = cy + L/2 - y the distance to the apex. Its width at u is 2 sqrt(a^2 u^2 - b^2)
 * where a u > b, so, with W = sqrt(a^2 L^2 - b^2),
 *   area = integral_{b/a}^{L} 2 sqrt(a^2 u^2 - b^2) du = L W - (b^2 / a) ln((a L + W) / b),
 *   first moment in u = integral 2 u sqrt(a^2 u^2 - b^2) du = 2 W^3 / (3 a^2).
 */
function rotatedConeSection(b: number): { area: number; centroidY: number } {
  const a = R / L;
  const w = Math.sqrt(a * a * L * L - b * b);
  const area = b === 0 ? a * L * L : L * w - ((b * b) / a) * Math.log((a * L + w) / b);
  const moment = (2 * w ** 3) / (3 * a * a);
  return { area, centroidY: CY + L / 2 - moment / area };
}

/** Composite Gauss-Legendre check of the closed form above (5 points on 2000 pieces). */
function rotatedConeSectionByQuadrature(b: number): { area: number; centroidY: number } {
  const a = R / L;
  const nodes = [0, -0.5384693101056831, 0.5384693101056831, -0.906179845938664, 0.906179845938664];
  const weights = [0.5688888888888889, 0.47862867049936647, 0.47862867049936647, 0.23692688505618908, 0.23692688505618908];
  // Substituting u = (b / a) cosh(s) removes the square-root end: width du = 2 (b^2 / a) sinh^2(s) ds.
  const width = (u: number) => 2 * Math.sqrt(Math.max(0, a * a * u * u - b * b));
  let area = 0;
  let moment = 0;
  if (b === 0) return { area: a * L * L, centroidY: CY + L / 2 - (2 * L) / 3 };
  const sMax = Math.acosh((a * L) / b);
  const pieces = 2000;
  for (let k = 0; k < pieces; k += 1) {
    const lo = (sMax * k) / pieces;
    const hi = (sMax * (k + 1)) / pieces;
    for (let i = 0; i < nodes.length; i += 1) {
      const s = (lo + hi) / 2 + ((hi - lo) / 2) * nodes[i];
      const u = (b / a) * Math.cosh(s);
      const du = (b / a) * Math.sinh(s);
      const f = width(u) * du * weights[i] * ((hi - lo) / 2);
      area += f;
      moment += u * f;
    }
  }
  return { area, centroidY: CY + L / 2 - moment / area };
}

/**
 * Upper bound of the area the y-cone's polygon misses: along its curved edge the polygon is the
 * trapezoid rule of the section's height h(x) = u_max - sqrt(x^2 + b^2) / a over x, and the
 * trapezoid rule on [x1, x2] errs by at most (x2 - x1)^3 max|h''| / 12, h'' = b^2 / (a (x^2 + b^2)^{3/2})
 * largest where |x| is smallest. h is concave, so the polygon never exceeds the section.
 */
function rotatedConeDeficitBound(ring: Ring, b: number): number {
  const a = R / L;
  if (b === 0) return 0; // through the axis the section is a triangle, drawn exactly
  let bound = 0;
  for (let i = 0; i < ring.length; i += 1) {
    const [x1, y1] = ring[i];
    const [x2, y2] = ring[(i + 1) % ring.length];
    if (y1 === y2) continue; // the base, straight on the solid too
    const d1 = x1 - CX;
    const d2 = x2 - CX;
    const nearest = d1 * d2 <= 0 ? 0 : Math.min(Math.abs(d1), Math.abs(d2));
    const curvature = (b * b) / (a * (nearest * nearest + b * b) ** 1.5);
    bound += (Math.abs(x2 - x1) ** 3 * curvature) / 12;
  }
  return bound;
}

interface Expected {
  /** The area of the solid's section, mm2. */
  readonly area: number;
  /** What the polygon may lack of it (inscribed-polygon deficit), mm2. */
  readonly deficit: number;
  readonly cx: number;
  readonly cy: number;
  /** How far from the surface each vertex is, mm (the solid's implicit function in mm). */
  readonly surface: (x: number, y: number) => number;
}

/** The section of `shape` at z = cz + dz, from the solid's equation; `ring` only sizes the polygon deficit. */
function expectedSection(shape: ShapeName, dz: number, ring: Ring): Expected {
  const n = ring.length;
  // A regular n-gon inscribed in a circle of radius rho: n/2 rho^2 sin(2 pi / n).
  const disc = (rho: number): Expected => ({
    area: Math.PI * rho * rho,
    deficit: Math.PI * rho * rho - (n / 2) * rho * rho * Math.sin((2 * Math.PI) / n),
    cx: CX,
    cy: CY,
    surface: (x, y) => Math.hypot(x - CX, y - CY) - rho,
  });
  switch (shape) {
    case 'sphere':
      return { ...disc(Math.sqrt(R * R - dz * dz)), surface: (x, y) => Math.hypot(x - CX, y - CY, dz) - R };
    case 'cylinder':
      return disc(R);
    case 'cone':
      return disc(coneRadiusAt(dz));
    case 'cylinder-rotated': {
      const w = Math.sqrt(R * R - dz * dz);
      // Every vertex is a corner: on the curved surface and on an end face.
      return { area: 2 * w * L, deficit: 0, cx: CX, cy: CY, surface: (x, y) => Math.max(Math.abs(Math.hypot(x - CX, dz) - R), Math.abs(Math.abs(y - CY) - L / 2)) };
    }
    case 'cone-rotated': {
      const b = Math.abs(dz);
      const { area, centroidY } = rotatedConeSection(b);
      return {
        area,
        deficit: rotatedConeDeficitBound(ring, b),
        cx: CX,
        cy: centroidY,
        // On the curved surface; the two ends of the base also on the base plane.
        surface: (x, y) => {
          const curved = Math.hypot(x - CX, dz) - rotatedConeRadiusAt(y);
          return Math.abs(y - (CY - L / 2)) < 1e-3 ? Math.max(Math.abs(curved), Math.abs(y - (CY - L / 2))) : curved;
        },
      };
    }
  }
}

function contoursOf(shape: ShapeName, t: number, shifted: boolean) {
  const phantom = makePhantom({ shape, contourSpacingMm: t, doseGridMm: 20, dose: 'gradient-si', shiftContoursHalfSpacing: shifted });
  return phantom.structureSet.rois[0].planes.flatMap((plane) =>
    plane.contours.map((contour) => {
      const p = contour.pointsMm;
      const ring: [number, number][] = [];
      for (let i = 0; i < contour.pointCount; i += 1) ring.push([p[3 * i], p[3 * i + 1]]);
      const zs = Array.from({ length: contour.pointCount }, (_, i) => p[3 * i + 2]);
      return { z: p[2], zs, ring };
    }),
  );
}

describe('the y-cone section formula', () => {
  it('the closed form agrees with quadrature, and with the triangle through the axis', () => {
    for (const b of [0, 1e-3, 0.5, 1.5, 4, 8.5, 11, 11.9]) {
      const closed = rotatedConeSection(b);
      const numeric = rotatedConeSectionByQuadrature(b);
      expect(Math.abs(closed.area - numeric.area) / closed.area).toBeLessThan(1e-10);
      expect(Math.abs(closed.centroidY - numeric.centroidY)).toBeLessThan(1e-9);
    }
    // Through the axis: the triangle of base 2r and height L, centroid L/3 above the base.
    expect(rotatedConeSection(0).area).toBeCloseTo(R * L, 12);
    expect(rotatedConeSection(0).centroidY).toBeCloseTo(CY - L / 2 + L / 3, 12);
    expect(rotatedConeSection(1e-9).area).toBeCloseTo(R * L, 6);
  });
});

describe('phantom contours are sections of their solids', () => {
  for (const shape of SHAPES) {
    for (const t of [1, 2, 3]) {
      for (const shifted of [false, true]) {
        it(`${shape}, ${t} mm spacing${shifted ? ', shifted half a spacing' : ''}: planes, areas, centroids and vertices`, () => {
          const contours = contoursOf(shape, t, shifted);
          // The planes: every plane of the rule strictly inside the solid's z extent, one contour each.
          const planes = expectedPlanes(t, shifted);
          expect(contours.length).toBe(planes.length);
          expect(contours.length).toBe(shifted ? L / t - 1 : L / t);
          contours.forEach((c, k) => {
            expect(Math.abs(c.z - planes[k])).toBeLessThanOrEqual(0.5e-6 + 1e-12);
            expect(c.zs.every((z) => z === c.z)).toBe(true);
          });
          // The slabs [z - t/2, z + t/2] tile the extent: the whole of it, or (shifted) L - t of it.
          expect(contours[0].z - t / 2).toBeCloseTo(CZ - L / 2 + (shifted ? t / 2 : 0), 6);
          expect(contours[contours.length - 1].z + t / 2).toBeCloseTo(CZ + L / 2 - (shifted ? t / 2 : 0), 6);

          for (const c of contours) {
            const dz = c.z - CZ;
            const where = `${shape} t=${t}${shifted ? ' shifted' : ''} z=${c.z}`;
            if (shape !== 'cylinder-rotated' && shape !== 'cone-rotated') expect(c.ring.length, where).toBeGreaterThanOrEqual(MIN_CIRCLE_VERTICES);
            const expected = expectedSection(shape, dz, c.ring);
            const got = shoelace(c.ring);
            // Counter-clockwise, inside the section by at most the polygon deficit, and the
            // rounding of each vertex to 1e-6 mm moves the area by at most perimeter x 0.71e-6.
            const rounding = got.perimeter * ROUNDING_MM + 1e-9;
            expect(got.area, where).toBeGreaterThan(0);
            expect(got.area, where).toBeLessThanOrEqual(expected.area + rounding);
            expect(got.area, where).toBeGreaterThanOrEqual(expected.area - expected.deficit - rounding);
            expect((expected.deficit + rounding) / expected.area, `${where}: tolerance`).toBeLessThan(MAX_RELATIVE_TOLERANCE);
            // The centroid: the rounding moves it by at most rounding x span / area; the polygon's
            // deficit is symmetric about the section's centre except along y for the y-cone, where
            // the missing area (at most the deficit) moves it by at most deficit x span / area.
            const span = Math.max(...c.ring.map((p) => Math.hypot(p[0] - got.cx, p[1] - got.cy)));
            const centroidTolerance = (rounding * 2 * span) / expected.area + 1e-9;
            const centroidYTolerance = centroidTolerance + (shape === 'cone-rotated' ? (expected.deficit * 2 * span) / expected.area : 0);
            expect(Math.abs(got.cx - expected.cx), `${where}: centroid x`).toBeLessThanOrEqual(centroidTolerance);
            expect(Math.abs(got.cy - expected.cy), `${where}: centroid y`).toBeLessThanOrEqual(centroidYTolerance);
            // Every vertex on the solid's surface.
            const worst = Math.max(...c.ring.map(([x, y]) => Math.abs(expected.surface(x, y))));
            expect(worst, `${where}: off the surface`).toBeLessThanOrEqual(SURFACE_MM);
          }
        });
      }
    }
  }

  it('the tolerances are tight: the y-cone polygon misses under 1e-4 of its section, the 128-gons 4.02e-4', () => {
    let worstCone = 0;
    for (const t of [1, 2, 3]) {
      for (const shifted of [false, true]) {
        for (const c of contoursOf('cone-rotated', t, shifted)) {
          const expected = expectedSection('cone-rotated', c.z - CZ, c.ring);
          worstCone = Math.max(worstCone, expected.deficit / expected.area);
        }
      }
    }
    expect(worstCone).toBeLessThan(1e-4);
    expect(1 - Math.sin((2 * Math.PI) / 128) / ((2 * Math.PI) / 128)).toBeCloseTo(4.016e-4, 6);
  });
});
