// SPDX-License-Identifier: BSD-3-Clause
// Independent checks of the phantom suite's ground truth (src/phantom): volumes against closed
// forms, linear-field DVHs against hand formulas, the Gaussian DVH against Monte Carlo and a
// brute-force integral, and the phantom files against the models they were written from.
import { describe, expect, it } from 'vitest';
import { DicomParser } from '../../src/dicom/parser.js';
import { indexToPatientMm } from '../../src/model/grid-geometry.js';
import type { Roi } from '../../src/model/structure-set.js';
import { cumulativeTable, doseAtVolumeCm3, polygonDiscAreaMm2, prismSlabs } from '../../src/phantom/ground-truth.js';
import { PHANTOM_CENTER_MM, PHANTOM_SUITE_SIZE, type Phantom, type PhantomSpec, makePhantom, phantomFiles, phantomName, phantomSuite } from '../../src/phantom/phantom.js';
import { SHAPE_NAMES, type ShapeName } from '../../src/phantom/shapes.js';
import { mulberry32 } from '../helpers/point-in-path.js';

const R = 12;
const L = 24;
const N_GON = 128;
const [CX, CY, CZ] = PHANTOM_CENTER_MM;
/** Area of a regular n-gon inscribed in a circle, over the circle's: sin(2 pi / n) / (2 pi / n). */
const POLYGON_FACTOR = Math.sin((2 * Math.PI) / N_GON) / ((2 * Math.PI) / N_GON);

const cache = new Map<string, Phantom>();
function phantom(shape: ShapeName, contourSpacingMm: number, dose: PhantomSpec['dose'], extra: Partial<PhantomSpec> = {}): Phantom {
  const spec: PhantomSpec = { shape, contourSpacingMm, doseGridMm: 3, dose, ...extra };
  const key = JSON.stringify(spec);
  if (!cache.has(key)) cache.set(key, makePhantom(spec));
  return cache.get(key)!;
}

/** (x, y) pairs of a contour. */
function ringOf(points: Float64Array): number[][] {
  const ring: number[][] = [];
  for (let i = 0; i < points.length; i += 3) ring.push([points[i], points[i + 1]]);
  return ring;
}

/** Area and centroid of a ring (written here independently of src). */
function shoelace(ring: number[][]): { area: number; cx: number; cy: number } {
  let a = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < ring.length; i += 1) {
    const [x0, y0] = ring[i];
    const [x1, y1] = ring[(i + 1) % ring.length];
    const c = x0 * y1 - x1 * y0;
    a += c;
    sx += (x0 + x1) * c;
    sy += (y0 + y1) * c;
  }
  return { area: Math.abs(a / 2), cx: sx / (3 * a), cy: sy / (3 * a) };
}

/** Every contour of the ROI: z, ring, area and centroid. */
function sections(roi: Roi) {
  return roi.planes.flatMap((p) => p.contours.map((c) => ({ z: c.pointsMm[2], ring: ringOf(c.pointsMm), ...shoelace(ringOf(c.pointsMm)) })));
}

function relative(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}

describe('prism-model volumes', () => {
  it('SI cylinder: n planes x t x polygon area, short of pi r^2 L by the 128-gon deficit', () => {
    for (const t of [1, 2, 3]) {
      const p = phantom('cylinder', t, 'gradient-si');
      const s = sections(p.structureSet.rois[0]);
      expect(s.length).toBe(L / t);
      const area = s[0].area;
      // Vertices are rounded to 1e-6 mm: the area is the regular 128-gon's to about 1e-7.
      expect(relative(area, 0.5 * N_GON * R * R * Math.sin((2 * Math.PI) / N_GON))).toBeLessThan(1e-7);
      expect(relative(p.truth.volumeCm3, (s.length * t * area) / 1000)).toBeLessThan(1e-12);
      const cylinder = (Math.PI * R * R * L) / 1000;
      // Inscribed polygon: V = (sin(2pi/n) / (2pi/n)) pi r^2 L, 4.0e-4 short of the cylinder.
      expect(1 - POLYGON_FACTOR).toBeCloseTo(4.0e-4, 5);
      expect(relative(p.truth.volumeCm3, POLYGON_FACTOR * cylinder)).toBeLessThan(1e-6);
      // Contours shifted by half a spacing: one plane fewer (the end faces are dropped), L - t long.
      const shifted = phantom('cylinder', t, 'gradient-si', { shiftContoursHalfSpacing: true });
      expect(shifted.structureSet.rois[0].planes.length).toBe(L / t - 1);
      expect(relative(shifted.truth.volumeCm3, (POLYGON_FACTOR * Math.PI * R * R * (L - t)) / 1000)).toBeLessThan(1e-6);
    }
  });

  it('sphere: the midpoint and trapezoid staircase formulas, approaching 4/3 pi r^3 as the spacing falls to 0.2 mm', () => {
    const sphere = (4 / 3) * Math.PI * R ** 3;
    let previousError = Infinity;
    for (const t of [3, 2, 1, 0.2]) {
      // Planes at the slab mid-points: sum of t pi (r^2 - z_k^2) is the midpoint rule for a
      // quadratic, exactly 4/3 pi r^3 + pi r t^2 / 6; each section is the inscribed 128-gon.
      const midpoint = phantom('sphere', t, 'gradient-ap').truth.volumeCm3 * 1000;
      expect(relative(midpoint, POLYGON_FACTOR * (sphere + (Math.PI * R * t * t) / 6))).toBeLessThan(1e-6);
      // Planes shifted by half a spacing: the trapezoid rule (poles dropped), 4/3 pi r^3 - pi r t^2 / 3.
      const trapezoid = phantom('sphere', t, 'gradient-ap', { shiftContoursHalfSpacing: true }).truth.volumeCm3 * 1000;
      expect(relative(trapezoid, POLYGON_FACTOR * (sphere - (Math.PI * R * t * t) / 3))).toBeLessThan(1e-6);
      const error = Math.abs(midpoint - sphere) / sphere;
      // Bounded by the polygon deficit plus the staircase term t^2 / (8 r^2).
      expect(error).toBeLessThan(1 - POLYGON_FACTOR + (t * t) / (8 * R * R) + 1e-6);
      expect(error).toBeLessThan(previousError);
      previousError = error;
    }
    expect(previousError).toBeLessThan(4.1e-4);
  });
});

describe('linear gradients', () => {
  const variants: [string, Partial<PhantomSpec>][] = [['as is', {}], ['shifted contours', { shiftContoursHalfSpacing: true }]];

  it('the mean dose is the dose at the prism model centroid, for every shape', () => {
    for (const shape of SHAPE_NAMES) {
      for (const [, extra] of variants) {
        const ap = phantom(shape, 3, 'gradient-ap', extra);
        const s = sections(ap.structureSet.rois[0]);
        const total = s.reduce((n, c) => n + c.area, 0);
        const centroidY = s.reduce((n, c) => n + c.area * c.cy, 0) / total;
        const centroidZ = s.reduce((n, c) => n + c.area * c.z, 0) / total;
        expect(ap.truth.meanGy).toBeCloseTo(16 + (centroidY - CY), 9);
        const si = phantom(shape, 3, 'gradient-si', extra);
        expect(si.truth.meanGy).toBeCloseTo(16 + (centroidZ - CZ), 9);
        const lr = phantom(shape, 3, 'gradient-lr', extra);
        const centroidX = s.reduce((n, c) => n + c.area * c.cx, 0) / total;
        expect(lr.truth.meanGy).toBeCloseTo(16 + (centroidX - CX), 9);
        // Every solid is symmetric about x = cx, and so is every contour.
        expect(lr.truth.meanGy).toBeCloseTo(16, 9);
      }
    }
    // Symmetric shapes: the centroid is the centre.
    expect(phantom('sphere', 3, 'gradient-ap').truth.meanGy).toBeCloseTo(16, 9);
    expect(phantom('cylinder', 3, 'gradient-si').truth.meanGy).toBeCloseTo(16, 9);
  });

  it('V(D) is non-increasing, the whole volume at the minimum dose and nothing at the maximum', () => {
    for (const shape of SHAPE_NAMES) {
      for (const dose of ['gradient-ap', 'gradient-si', 'gradient-lr'] as const) {
        const { truth } = phantom(shape, 2, dose);
        const doses = Float64Array.from({ length: 301 }, (_, k) => truth.minGy - 1 + ((truth.maxGy - truth.minGy + 2) * k) / 300);
        const table = cumulativeTable(truth, doses);
        for (let k = 1; k < table.length; k += 1) expect(table[k]).toBeLessThanOrEqual(table[k - 1]);
        expect(truth.cumulative(truth.minGy)).toBe(truth.volumeCm3);
        expect(truth.cumulative(truth.maxGy)).toBe(0);
        // The extremes are attained: just inside them the volume is neither all nor nothing.
        expect(truth.cumulative(truth.minGy + 1e-6)).toBeLessThan(truth.volumeCm3);
        expect(truth.cumulative(truth.maxGy - 1e-6)).toBeGreaterThan(0);
        expect(truth.D99Gy).toBeLessThan(truth.D95Gy);
        expect(truth.D95Gy).toBeLessThan(truth.D5Gy);
        expect(truth.D5Gy).toBeLessThan(truth.D1Gy);
        expect(truth.D1Gy).toBeLessThan(truth.D0_03ccGy);
        expect(truth.cumulative(truth.D95Gy) / truth.volumeCm3).toBeCloseTo(0.95, 8);
        expect(truth.cumulative(truth.D0_03ccGy)).toBeCloseTo(0.03, 8);
      }
    }
  });

  it('the SI cylinder in the SI gradient: D50 is 16 Gy by symmetry, and every Dx is linear in x', () => {
    for (const [, extra] of variants) {
      const { truth } = phantom('cylinder', 2, 'gradient-si', extra);
      expect(doseAtVolumeCm3(truth, truth.volumeCm3 / 2)).toBeCloseTo(16, 8);
      const half = extra.shiftContoursHalfSpacing ? (L - 2) / 2 : L / 2;
      expect([truth.minGy, truth.maxGy]).toEqual([16 - half, 16 + half]);
      // Constant cross-section: V(D) falls linearly from min to max.
      expect(truth.D99Gy).toBeCloseTo(16 - half + 0.01 * 2 * half, 8);
      expect(truth.D5Gy).toBeCloseTo(16 + half - 0.05 * 2 * half, 8);
    }
  });

  it('the SI cylinder in the LR gradient: V(D) is the circular segment beyond x(D), less at most the 128-gon deficit', () => {
    for (const [, extra] of variants) {
      for (const t of [1, 3]) {
        const p = phantom('cylinder', t, 'gradient-lr', extra);
        const s = sections(p.structureSet.rois[0]);
        const height = s.length * t;
        // A vertex at angle 0 and at pi: the extremes are the circle's, 16 -+ 12 Gy.
        expect([p.truth.minGy, p.truth.maxGy]).toEqual([4, 28]);
        expect(doseAtVolumeCm3(p.truth, p.truth.volumeCm3 / 2)).toBeCloseTo(16, 8);
        // The polygon lies inside the circle and misses at most pi r^2 - its area of it.
        const missing = height * (Math.PI * R * R - s[0].area);
        for (const d of [4.5, 6, 10, 15.5, 16, 20.25, 26, 27.9]) {
          const h = d - 16; // x(D) - cx
          const segment = R * R * Math.acos(h / R) - h * Math.sqrt(R * R - h * h);
          const circle = height * segment;
          const truth = p.truth.cumulative(d) * 1000;
          expect(truth).toBeLessThanOrEqual(circle * (1 + 1e-12));
          expect(truth).toBeGreaterThanOrEqual(circle - missing);
        }
        // A deficit of 4.0e-4 of the volume: tight enough to see a wrong half-plane.
        expect(missing / (p.truth.volumeCm3 * 1000)).toBeLessThan(4.1e-4);
      }
    }
  });

  it('the rotated cylinder in the LR gradient: rectangles clipped at x(D)', () => {
    for (const [, extra] of variants) {
      const p = phantom('cylinder-rotated', 2, 'gradient-lr', extra);
      const s = sections(p.structureSet.rois[0]);
      for (const d of [4.2, 9, 16, 16.5, 23.75, 27.99]) {
        const xD = CX + d - 16;
        const expected = s.reduce((n, c) => {
          const xs = c.ring.map((q) => q[0]);
          return n + 2 * L * Math.min(Math.max(...xs) - Math.min(...xs), Math.max(0, Math.max(...xs) - xD));
        }, 0);
        expect(Math.abs(p.truth.cumulative(d) - expected / 1000)).toBeLessThan(1e-12 * p.truth.volumeCm3);
      }
      // The widest section is the one nearest z = cz.
      const widest = Math.max(...s.map((c) => Math.max(...c.ring.map((q) => q[0])) - CX));
      expect(p.truth.maxGy).toBeCloseTo(16 + widest, 12);
      expect(p.truth.minGy).toBeCloseTo(16 - widest, 12);
    }
  });

  it('the rotated cylinder in the AP gradient and the cylinder in the SI gradient match hand formulas', () => {
    const rotated = phantom('cylinder-rotated', 1, 'gradient-ap');
    const s = sections(rotated.structureSet.rois[0]);
    const cylinder = phantom('cylinder', 1, 'gradient-si', { shiftContoursHalfSpacing: true });
    const c = sections(cylinder.structureSet.rois[0]);
    for (const d of [4, 4.5, 9.25, 16, 21.125, 27.9]) {
      // Rectangles |x - cx| <= w, |y - cy| <= 12: the part with y >= y(D) = cy + D - 16.
      const yD = CY + d - 16;
      const expected = s.reduce((n, p) => {
        const xs = p.ring.map((q) => q[0]);
        const width = Math.max(...xs) - Math.min(...xs);
        return n + 1 * width * Math.min(L, Math.max(0, CY + 12 - yD));
      }, 0);
      expect(relative(rotated.truth.cumulative(d), expected / 1000)).toBeLessThan(1e-12);
      // Slabs [z - 1/2, z + 1/2] above z(D) = cz + D - 16.
      const zD = CZ + d - 16;
      const above = c.reduce((n, p) => n + p.area * Math.min(1, Math.max(0, p.z + 0.5 - Math.max(zD, p.z - 0.5))), 0);
      expect(cylinder.truth.cumulative(d)).toBeCloseTo(above / 1000, 12);
    }
  });
});


function insideRing(ring: number[][], x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Area of a convex polygon clipped by a convex polygon (Sutherland-Hodgman), both counter-clockwise. */
function convexClipArea(subject: number[][], clip: number[][]): number {
  let out = subject;
  for (let i = 0; i < clip.length && out.length > 0; i += 1) {
    const [ax, ay] = clip[i];
    const [bx, by] = clip[(i + 1) % clip.length];
    const side = (p: number[]) => (bx - ax) * (p[1] - ay) - (by - ay) * (p[0] - ax);
    const input = out;
    out = [];
    for (let k = 0; k < input.length; k += 1) {
      const p = input[k];
      const q = input[(k + 1) % input.length];
      const sp = side(p);
      const sq = side(q);
      if (sp >= 0) out.push(p);
      if (sp >= 0 !== sq >= 0) {
        const s = sp / (sp - sq);
        out.push([p[0] + s * (q[0] - p[0]), p[1] + s * (q[1] - p[1])]);
      }
    }
  }
  return out.length < 3 ? 0 : shoelace(out).area;
}

describe('Gaussian dose on the sphere', () => {
  const gaussian = (x: number, y: number, z: number) => 20 * Math.exp(-((x - CX) ** 2 + (y - CY) ** 2 + (z - CZ) ** 2) / 200);

  it('polygon-disc areas agree with clipping by a 4096-gon', () => {
    const p = phantom('sphere', 3, 'gaussian');
    const largest = sections(p.structureSet.rois[0]).reduce((a, b) => (b.area > a.area ? b : a));
    const polygon = Float64Array.from(largest.ring.flat());
    const circumradius = Math.hypot(largest.ring[0][0] - CX, largest.ring[0][1] - CY);
    for (const rho of [0.5, 5, 11, circumradius * Math.cos(Math.PI / N_GON) * 1.0001, circumradius * 0.99999, circumradius * 1.01, 13]) {
      const disc = Array.from({ length: 4096 }, (_, k) => [CX + rho * Math.cos((2 * Math.PI * k) / 4096), CY + rho * Math.sin((2 * Math.PI * k) / 4096)]);
      const reference = convexClipArea(disc, largest.ring);
      // The inscribed 4096-gon misses (2 pi / 4096)^2 / 6 = 3.9e-7 of the disc, at most.
      expect(relative(polygonDiscAreaMm2(polygon, CX, CY, rho), reference)).toBeLessThan(5e-7);
    }
  });

  it('V(D) agrees with a brute-force integral over z of the exact polygon-disc areas', () => {
    const t = 3;
    const p = phantom('sphere', t, 'gaussian');
    const slabs = prismSlabs(p.structureSet.rois[0], t);
    for (const d of [9.7, 12, 16, 19.5]) {
      const radius2 = 200 * Math.log(20 / d);
      const steps = 600;
      let volume = 0;
      for (const slab of slabs) {
        for (let k = 0; k < steps; k += 1) {
          const z = slab.zMm - t / 2 + ((k + 0.5) * t) / steps;
          const rho2 = radius2 - (z - CZ) ** 2;
          if (rho2 > 0) volume += (t / steps) * polygonDiscAreaMm2(slab.polygonXyMm, CX, CY, Math.sqrt(rho2));
        }
      }
      expect(relative(p.truth.cumulative(d), volume / 1000)).toBeLessThan(1e-6);
    }
  });

  it('V(D), the mean and the extremes agree with a seeded Monte Carlo estimate of 1e6 points', () => {
    const t = 3;
    const p = phantom('sphere', t, 'gaussian');
    const s = sections(p.structureSet.rois[0]);
    const zFirst = s[0].z - t / 2;
    const radii = s.map((c) => Math.max(...c.ring.map(([x, y]) => Math.hypot(x - CX, y - CY))));
    const levels = [9, 10, 12, 14, 16, 18, 19, 19.8];
    const counts = new Array<number>(levels.length).fill(0);
    const box = 24 ** 3;
    const n = 1_000_000;
    const random = mulberry32(20150401);
    let inside = 0;
    let doseSum = 0;
    let doseSquares = 0;
    for (let i = 0; i < n; i += 1) {
      const x = CX - 12 + 24 * random();
      const y = CY - 12 + 24 * random();
      const z = CZ - 12 + 24 * random();
      const k = Math.floor((z - zFirst) / t);
      if (k < 0 || k >= s.length) continue;
      const rho = Math.hypot(x - CX, y - CY);
      if (rho > radii[k]) continue;
      if (rho > radii[k] * Math.cos(Math.PI / N_GON) && !insideRing(s[k].ring, x, y)) continue;
      inside += 1;
      const d = gaussian(x, y, z);
      doseSum += d;
      doseSquares += d * d;
      for (let j = 0; j < levels.length; j += 1) if (d >= levels[j]) counts[j] += 1;
    }
    const estimate = (count: number) => ({ volume: (box * count) / n / 1000, error: (box * Math.sqrt((count / n) * (1 - count / n) / n)) / 1000 });
    const total = estimate(inside);
    expect(Math.abs(p.truth.volumeCm3 - total.volume)).toBeLessThan(4.5 * total.error);
    levels.forEach((d, j) => {
      const e = estimate(counts[j]);
      expect(Math.abs(p.truth.cumulative(d) - e.volume)).toBeLessThan(4.5 * e.error + 1e-9);
    });
    const mean = doseSum / inside;
    const meanError = Math.sqrt((doseSquares / inside - mean * mean) / inside);
    expect(Math.abs(p.truth.meanGy - mean)).toBeLessThan(4.5 * meanError);
    // Extremes by enumeration: the centre is inside; the farthest point is a vertex on a slab face.
    expect(p.truth.maxGy).toBe(20);
    const farthest = Math.max(...s.map((c, k) => Math.max((c.z - t / 2 - CZ) ** 2, (c.z + t / 2 - CZ) ** 2) + radii[k] ** 2));
    expect(p.truth.minGy).toBeCloseTo(20 * Math.exp(-farthest / 200), 12);
    expect(p.truth.cumulative(p.truth.D99Gy) / p.truth.volumeCm3).toBeCloseTo(0.99, 8);
    expect(p.truth.cumulative(p.truth.D1Gy) / p.truth.volumeCm3).toBeCloseTo(0.01, 8);
  });
});

describe('phantom files', () => {
  const specs: PhantomSpec[] = [
    { shape: 'sphere', contourSpacingMm: 2, doseGridMm: 3, dose: 'gradient-ap' },
    { shape: 'cone-rotated', contourSpacingMm: 3, doseGridMm: 2, dose: 'gradient-si', shiftContoursHalfSpacing: true },
    { shape: 'cylinder-rotated', contourSpacingMm: 1, doseGridMm: 1, dose: 'gradient-ap', shiftGridHalfVoxel: true },
    { shape: 'sphere', contourSpacingMm: 3, doseGridMm: 3, dose: 'gaussian' },
    { shape: 'cone', contourSpacingMm: 0.2, doseGridMm: 1, dose: 'gradient-si' },
    // Non-square grids, the dose varying along x: PixelSpacing [y, x] and the frame offsets must carry them.
    { shape: 'cone-rotated', contourSpacingMm: 2, doseGridMm: [2, 2.5, 3], dose: 'gradient-lr' },
    { shape: 'cylinder', contourSpacingMm: 3, doseGridMm: [3, 2, 2.5], dose: 'gaussian', shiftGridHalfVoxel: true },
    { shape: 'sphere', contourSpacingMm: 2, doseGridMm: [1.5, 3, 2], dose: 'gradient-lr' },
  ];
  for (const spec of specs) {
    it(`${JSON.stringify(spec)} reads back to its model and samples the analytic dose`, () => {
      const p = makePhantom(spec);
      const { rtss, rtdose } = phantomFiles(p);
      const structureSet = DicomParser.fromBytes(rtss).toStructureSet();
      const roi = structureSet.rois[0];
      const model = p.structureSet.rois[0];
      expect([roi.number, roi.name, structureSet.sopInstanceUid]).toEqual([1, spec.shape, p.structureSet.sopInstanceUid]);
      expect(roi.planes.map((q) => [q.zMm, q.key])).toEqual(model.planes.map((q) => [q.zMm, q.key]));
      roi.planes.forEach((q, k) => expect([...q.contours[0].pointsMm]).toEqual([...model.planes[k].contours[0].pointsMm]));

      const dose = DicomParser.fromBytes(rtdose).toDoseGrid();
      const g = dose.geometry;
      expect(g).toEqual(p.dose.geometry);
      expect(g.orientation).toBe('HFS');
      expect(dose.doseGridScaling).toBe(1e-6);
      expect(dose.pixels).toEqual(p.dose.pixels);
      expect(dose.info.referencedStructureSetUid).toBe(structureSet.sopInstanceUid);
      expect(dose.info.frameOfReferenceUid).toBe(structureSet.frameOfReferenceUid);
      // The spacings read back: PixelSpacing is [between rows (y), between columns (x)], the frames step by z.
      const spacings = typeof spec.doseGridMm === 'number' ? [spec.doseGridMm, spec.doseGridMm, spec.doseGridMm] : [...spec.doseGridMm];
      expect(g.pixelSpacingMm).toEqual([spacings[1], spacings[0]]);
      for (let f = 1; f < g.frames; f += 1) expect(g.frameOffsetsMm[f] - g.frameOffsetsMm[f - 1]).toBeCloseTo(spacings[2], 9);
      const step = (c: number, r: number, f: number) => indexToPatientMm(g, c, r, f).map((v, axis) => v - indexToPatientMm(g, 0, 0, 0)[axis]);
      step(1, 0, 0).forEach((v, axis) => expect(v).toBeCloseTo(axis === 0 ? spacings[0] : 0, 9));
      step(0, 1, 0).forEach((v, axis) => expect(v).toBeCloseTo(axis === 1 ? spacings[1] : 0, 9));
      step(0, 0, 1).forEach((v, axis) => expect(v).toBeCloseTo(axis === 2 ? spacings[2] : 0, 9));
      // The grid covers the shape +- 10 mm, with the centre on a grid point or half a voxel off it.
      for (const [axis, count] of [[0, g.columns], [1, g.rows], [2, g.frames]] as const) {
        const spacing = spacings[axis];
        const offset = spec.shiftGridHalfVoxel ? spacing / 2 : 0;
        const first = axis === 2 ? g.frameZMm[0] : g.originMm[axis];
        expect(first).toBeLessThanOrEqual(PHANTOM_CENTER_MM[axis] - 22);
        expect(first + (count - 1) * spacing).toBeGreaterThanOrEqual(PHANTOM_CENTER_MM[axis] + 22);
        const phase = (((PHANTOM_CENTER_MM[axis] - first) % spacing) + spacing) % spacing;
        expect(phase).toBeCloseTo(offset, 9);
      }
      // Every voxel: within the scaling step of the analytic field near and inside the shape,
      // and the field clamped at 0 Gy elsewhere.
      let worstNear = 0;
      let worstFar = 0;
      for (let f = 0; f < g.frames; f += 1) {
        for (let r = 0; r < g.rows; r += 1) {
          for (let c = 0; c < g.columns; c += 1) {
            const [x, y, z] = indexToPatientMm(g, c, r, f);
            const exact = p.field.doseGy(x, y, z);
            const error = Math.abs(dose.doseGyAt(c, r, f) - Math.max(0, exact));
            if (Math.max(Math.abs(x - CX), Math.abs(y - CY), Math.abs(z - CZ)) <= 15) worstNear = Math.max(worstNear, Math.abs(dose.doseGyAt(c, r, f) - exact));
            else worstFar = Math.max(worstFar, error);
          }
        }
      }
      expect(worstNear).toBeLessThanOrEqual(5e-7 + 1e-12);
      expect(worstFar).toBeLessThan(5e-7 + 1e-9);
    });
  }
});

describe('phantomSuite', () => {
  it(`has ${PHANTOM_SUITE_SIZE} cases with unique names, composed as documented`, () => {
    const suite = phantomSuite();
    expect(suite.length).toBe(304);
    expect(PHANTOM_SUITE_SIZE).toBe(304);
    const names = suite.map(phantomName);
    expect(new Set(names).size).toBe(suite.length);
    const square = suite.filter((s) => typeof s.doseGridMm === 'number');
    expect(square.filter((s) => s.dose !== 'gaussian' && s.contourSpacingMm !== 0.2).length).toBe(5 * 3 * 3 * 2 * 3);
    expect(square.filter((s) => s.dose === 'gaussian' && s.contourSpacingMm !== 0.2).length).toBe(9);
    // Doses varying along x, on non-square grids: every shape x {gradient-lr, gaussian} x 2 grids.
    const nonSquare = suite.filter((s) => typeof s.doseGridMm !== 'number');
    expect(nonSquare.length).toBe(5 * 2 * 2);
    expect(new Set(nonSquare.map((s) => `${s.shape} ${s.dose}`)).size).toBe(10);
    expect(nonSquare.every((s) => s.dose === 'gradient-lr' || s.dose === 'gaussian')).toBe(true);
    expect(new Set(nonSquare.map((s) => JSON.stringify(s.doseGridMm)))).toEqual(new Set(['[2,2.5,3]', '[3,2,2.5]']));
    expect(suite.filter((s) => s.dose === 'gradient-lr').every((s) => typeof s.doseGridMm !== 'number')).toBe(true);
    expect(suite.filter((s) => s.contourSpacingMm === 0.2).map((s) => `${s.shape} ${s.dose}`)).toEqual([
      'sphere gradient-ap',
      'sphere gradient-si',
      'sphere gaussian',
      'cone gradient-ap',
      'cone gradient-si',
    ]);
    expect(makePhantom({ shape: 'sphere', contourSpacingMm: 2, doseGridMm: 3, dose: 'gradient-ap', shiftContoursHalfSpacing: true }).name).toBe('sphere c2mm g3mm gradient-ap shifted-contours');
    expect(phantomName({ shape: 'cone', contourSpacingMm: 2, doseGridMm: [2, 2.5, 3], dose: 'gradient-lr', shiftGridHalfVoxel: true })).toBe('cone c2mm g2x2.5x3mm gradient-lr shifted-grid');
  });

  it('refuses dose grids that are not one spacing or three, or out of range in any component', () => {
    const spec = { shape: 'sphere', contourSpacingMm: 2, dose: 'gradient-lr' } as const;
    for (const doseGridMm of [[2, 2], [2, 2, 2, 2], [2, 0, 2], [2, Number.NaN, 2], [2, 2, '2']]) {
      expect(() => makePhantom({ ...spec, doseGridMm: doseGridMm as never })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    }
    expect(() => makePhantom({ ...spec, doseGridMm: [2, 0.1, 2] })).toThrow(/doseGridMm\[1\] \(y\) is 0.1; it must be a number of mm from 0.2 to 20/);
    expect(() => makePhantom({ ...spec, doseGridMm: [2, 2, 25] })).toThrow(/doseGridMm\[2\] \(z\)/);
  });

  it('refuses unknown shapes and non-positive spacings', () => {
    expect(() => makePhantom({ shape: 'torus' as ShapeName, contourSpacingMm: 1, doseGridMm: 1, dose: 'gradient-ap' })).toThrow(/Unknown phantom shape/);
    expect(() => makePhantom({ shape: 'sphere', contourSpacingMm: 0, doseGridMm: 1, dose: 'gradient-ap' })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
  });
});
