// SPDX-License-Identifier: BSD-3-Clause
/**
 * The ground-truth DVH of the right-prism model of a contoured structure in an analytic dose
 * field. The model: each contour polygon (x, y in mm) extruded over its slab
 * [z - t/2, z + t/2], t the contour spacing, the structure being the union of these prisms
 * (so the first and last contour each add half a slice beyond their plane). This is the
 * volume every planar-contour DVH algorithm integrates; the truth is computed on it from the
 * analytic dose (not a dose grid). It is one truth among others: the exact DVH of this model,
 * not of the solid the contours were cut from (the 128-gons, the staircase of slabs and the
 * half slices at the ends make the two differ); that the contours are sections of their solids
 * is checked separately (test/analytical/solid-sections.test.ts).
 *
 * - linear field along x or y: V(D) = sum over slabs of t x area(polygon clipped to the
 *   half-plane where the dose is at least D) - exact;
 * - linear field along z: V(D) = sum of area x length of the slab above z(D) - exact;
 * - Gaussian: per slab, the integral over z of area(polygon intersected with the disc where the
 *   dose is at least D). The polygon-disc area is exact (triangle and circular-sector pieces of
 *   each edge); the z integral is Gauss-Legendre (16 nodes) between the z where the disc's
 *   radius crosses the polygon's vertex and edge distances, so every piece is smooth: relative
 *   error well below 1e-6.
 *
 * Multiple contours on one plane are treated as disjoint (their prisms are added).
 */
import type { Roi } from '../model/structure-set.js';
import type { DoseField, GaussianDoseField, LinearDoseField } from './dose-functions.js';
import { angleBetween, containsPoint, criticalRadii, distanceToBoundary, halfPlaneAreaMm2, polygonAreaMm2, polygonCentroid, polygonDiscAreaMm2 } from './polygon-geometry.js';
import { GL, integrate, integratePieces } from './quadrature.js';
import { requireDoseField, requireGroundTruth, requirePrismSlabs } from './phantom-arguments.js';
import { requireFiniteNumber, requireNumberList } from '../validate.js';

export { halfPlaneAreaMm2, polygonAreaMm2, polygonDiscAreaMm2 } from './polygon-geometry.js';

/** One prism of the model: a polygon extruded over [zMm - thicknessMm / 2, zMm + thicknessMm / 2]. */
export interface PrismSlab {
  /** The contour plane, mm. */
  readonly zMm: number;
  /** Slab thickness (the contour spacing), mm. */
  readonly thicknessMm: number;
  /** Closed polygon, (x, y) pairs in mm, either orientation. */
  readonly polygonXyMm: Float64Array;
}

/**
 * Exact (or semi-analytical, better than 1e-6 relative) DVH quantities of the right-prism model
 * of a set of contours in an analytic dose field: the exact DVH of that model, one truth among
 * others (not the DVH of the solid the contours approximate; the contours themselves are checked
 * against their solids in test/analytical/solid-sections.test.ts).
 */
export interface GroundTruth {
  /** Volume of the prism model, cm3. */
  readonly volumeCm3: number;
  /** Smallest dose anywhere in the model, Gy. */
  readonly minGy: number;
  /** Largest dose anywhere in the model, Gy. */
  readonly maxGy: number;
  /** Volume-averaged dose, Gy. */
  readonly meanGy: number;
  /** Dose received by at least 99 % of the volume, Gy. */
  readonly D99Gy: number;
  /** Dose received by at least 95 % of the volume, Gy. */
  readonly D95Gy: number;
  /** Dose received by at least 5 % of the volume, Gy. */
  readonly D5Gy: number;
  /** Dose received by at least 1 % of the volume, Gy. */
  readonly D1Gy: number;
  /** Dose received by at least 0.03 cm3, Gy (NaN when the model is smaller than 0.03 cm3). */
  readonly D0_03ccGy: number;
  /** Cumulative DVH: the volume (cm3) receiving at least `doseGy` (Gy). */
  readonly cumulative: (doseGy: number) => number;
}

const MM3_PER_CM3 = 1000;
/** Dx doses are located to this precision, Gy. */
const DOSE_TOLERANCE_GY = 1e-9;

/**
 * The prisms of an ROI's right-prism model: each contour with at least three points, at the z
 * of its first point, extruded over `thicknessMm` (the contour spacing, mm).
 */
export function prismSlabs(roi: Roi, thicknessMm: number): PrismSlab[] {
  const slabs: PrismSlab[] = [];
  for (const plane of roi.planes) {
    for (const contour of plane.contours) {
      if (contour.pointCount < 3) continue;
      const polygonXyMm = new Float64Array(2 * contour.pointCount);
      for (let i = 0; i < contour.pointCount; i += 1) {
        polygonXyMm[2 * i] = contour.pointsMm[3 * i];
        polygonXyMm[2 * i + 1] = contour.pointsMm[3 * i + 1];
      }
      slabs.push(Object.freeze({ zMm: contour.pointsMm[2], thicknessMm, polygonXyMm }));
    }
  }
  return slabs;
}

interface FieldTruth {
  readonly minGy: number;
  readonly maxGy: number;
  /** Integral of dose over the model, Gy mm3. */
  readonly doseIntegralGyMm3: number;
  /** Volume (mm3) receiving at least `doseGy`, for minGy < doseGy < maxGy. */
  readonly cumulativeMm3: (doseGy: number) => number;
}

function slabBounds(slab: PrismSlab): [number, number] {
  return [slab.zMm - slab.thicknessMm / 2, slab.zMm + slab.thicknessMm / 2];
}

/** A linear field along x (`axis` 0) or y (`axis` 1): constant along z and along the other in-plane axis. */
function linearInPlane(slabs: readonly PrismSlab[], field: LinearDoseField, axis: 0 | 1): FieldTruth {
  const { referenceMm, doseAtReferenceGy: d0, gradientGyPerMm: g } = field;
  const dose = (u: number) => d0 + g * (u - referenceMm);
  let uMin = Infinity;
  let uMax = -Infinity;
  let integral = 0;
  for (const slab of slabs) {
    const p = slab.polygonXyMm;
    for (let i = axis; i < p.length; i += 2) {
      uMin = Math.min(uMin, p[i]);
      uMax = Math.max(uMax, p[i]);
    }
    // The dose is linear in the plane: its average over the polygon is the dose at the centroid.
    const c = polygonCentroid(p);
    integral += slab.thicknessMm * Math.abs(c.areaMm2) * dose(axis === 0 ? c.xMm : c.yMm);
  }
  const sign = Math.sign(g);
  return {
    minGy: Math.min(dose(uMin), dose(uMax)),
    maxGy: Math.max(dose(uMin), dose(uMax)),
    doseIntegralGyMm3: integral,
    cumulativeMm3: (doseGy) => {
      // dose >= D  <=>  sign(g) * u >= sign(g) * u(D), u the coordinate along the field's axis
      const uD = referenceMm + (doseGy - d0) / g;
      let volume = 0;
      for (const slab of slabs) volume += slab.thicknessMm * halfPlaneAreaMm2(slab.polygonXyMm, axis === 0 ? sign : 0, axis === 1 ? sign : 0, sign * uD);
      return volume;
    },
  };
}

function linearAlongZ(slabs: readonly PrismSlab[], field: LinearDoseField): FieldTruth {
  const { referenceMm, doseAtReferenceGy: d0, gradientGyPerMm: g } = field;
  const dose = (z: number) => d0 + g * (z - referenceMm);
  const areas = slabs.map((slab) => Math.abs(polygonAreaMm2(slab.polygonXyMm)));
  let zMin = Infinity;
  let zMax = -Infinity;
  let integral = 0;
  slabs.forEach((slab, k) => {
    const [lo, hi] = slabBounds(slab);
    zMin = Math.min(zMin, lo);
    zMax = Math.max(zMax, hi);
    // The dose is linear in z: its slab average is the dose at the slab's middle.
    integral += areas[k] * slab.thicknessMm * dose(slab.zMm);
  });
  return {
    minGy: Math.min(dose(zMin), dose(zMax)),
    maxGy: Math.max(dose(zMin), dose(zMax)),
    doseIntegralGyMm3: integral,
    cumulativeMm3: (doseGy) => {
      const zD = referenceMm + (doseGy - d0) / g;
      let volume = 0;
      slabs.forEach((slab, k) => {
        const [lo, hi] = slabBounds(slab);
        const length = g > 0 ? hi - Math.max(lo, zD) : Math.min(hi, zD) - lo;
        if (length > 0) volume += areas[k] * length;
      });
      return volume;
    },
  };
}

interface GaussianSlab {
  readonly lo: number;
  readonly hi: number;
  readonly areaMm2: number;
  readonly polygon: Float64Array;
  /** Critical radii of the polygon about the field's centre, mm. */
  readonly radii: readonly number[];
  /** Inside the polygon, discs up to this radius are whole (0 when the centre is outside), mm. */
  readonly wholeDiscMm: number;
  /** Discs of at least this radius contain the whole polygon, mm. */
  readonly containsPolygonMm: number;
}

/** The integral over the polygon (mm2, signed like its area) of exp(-r^2 / (2 sigma^2)), r the distance from the origin. */
function gaussianPolygonIntegral(polygon: Float64Array, cx: number, cy: number, sigmaMm: number): number {
  const twoSigma2 = 2 * sigmaMm * sigmaMm;
  // For a radial f, the integral over (triangle origin, a, b) is the integral over the angle
  // theta of F(rho(theta)), F(rho) = integral_0^rho f(s) s ds = sigma^2 (1 - exp(-rho^2 / 2 sigma^2)).
  const radial = (rho: number) => -sigmaMm * sigmaMm * Math.expm1(-(rho * rho) / twoSigma2);
  const n = polygon.length / 2;
  let sum = 0;
  for (let i = 0; i < n; i += 1) {
    const j = (i + 1) % n;
    const ax = polygon[2 * i] - cx;
    const ay = polygon[2 * i + 1] - cy;
    const ex = polygon[2 * j] - cx - ax;
    const ey = polygon[2 * j + 1] - cy - ay;
    const along = ax * ey - ay * ex;
    if (along === 0) continue;
    const start = Math.atan2(ay, ax);
    const sweep = angleBetween(ax, ay, ax + ex, ay + ey);
    // rho(theta): distance from the origin along direction theta to the edge's line.
    const f = (theta: number) => radial(along / (Math.cos(theta) * ey - Math.sin(theta) * ex));
    sum += Math.sign(sweep) * integratePieces(f, Math.min(start, start + sweep), Math.max(start, start + sweep), 0.1);
  }
  return sum;
}

function gaussian(slabs: readonly PrismSlab[], field: GaussianDoseField): FieldTruth {
  const [cx, cy, cz] = field.centerMm;
  const { peakGy, sigmaMm } = field;
  const twoSigma2 = 2 * sigmaMm * sigmaMm;
  let nearest2 = Infinity;
  let farthest2 = 0;
  let integral = 0;
  const prepared: GaussianSlab[] = slabs.map((slab) => {
    const [lo, hi] = slabBounds(slab);
    const polygon = slab.polygonXyMm;
    const radii = criticalRadii(polygon, cx, cy);
    const inside = containsPoint(polygon, cx, cy);
    const inPlaneToBoundary = distanceToBoundary(polygon, cx, cy);
    const inPlane = inside ? 0 : inPlaneToBoundary;
    const dzNear = cz < lo ? lo - cz : cz > hi ? cz - hi : 0;
    const dzFar = Math.max(Math.abs(lo - cz), Math.abs(hi - cz));
    let vertexFar = 0;
    for (let i = 0; i < polygon.length; i += 2) vertexFar = Math.max(vertexFar, Math.hypot(polygon[i] - cx, polygon[i + 1] - cy));
    nearest2 = Math.min(nearest2, dzNear * dzNear + inPlane * inPlane);
    farthest2 = Math.max(farthest2, dzFar * dzFar + vertexFar * vertexFar);
    const zIntegral = integratePieces((z) => Math.exp(-((z - cz) ** 2) / twoSigma2), lo, hi, sigmaMm / 2);
    integral += peakGy * zIntegral * Math.abs(gaussianPolygonIntegral(polygon, cx, cy, sigmaMm));
    return {
      lo,
      hi,
      areaMm2: Math.abs(polygonAreaMm2(polygon)),
      polygon,
      radii,
      wholeDiscMm: inside ? inPlaneToBoundary : 0,
      containsPolygonMm: vertexFar,
    };
  });
  const discArea = (slab: GaussianSlab, rho: number): number => {
    if (rho <= 0) return 0;
    if (rho >= slab.containsPolygonMm) return slab.areaMm2;
    if (rho <= slab.wholeDiscMm) return Math.PI * rho * rho;
    return polygonDiscAreaMm2(slab.polygon, cx, cy, rho);
  };
  return {
    minGy: peakGy * Math.exp(-farthest2 / twoSigma2),
    maxGy: peakGy * Math.exp(-nearest2 / twoSigma2),
    doseIntegralGyMm3: integral,
    cumulativeMm3: (doseGy) => {
      if (doseGy >= peakGy) return 0;
      // dose >= D inside the ball of radius R about the centre.
      const radius2 = twoSigma2 * Math.log(peakGy / doseGy);
      const radius = Math.sqrt(radius2);
      let volume = 0;
      for (const slab of prepared) {
        const lo = Math.max(slab.lo, cz - radius);
        const hi = Math.min(slab.hi, cz + radius);
        if (!(hi > lo)) continue;
        // Split where the disc radius sqrt(R^2 - dz^2) crosses a critical radius of the polygon.
        const cuts = [lo, hi];
        for (const rc of slab.radii) {
          if (rc >= radius) break;
          const dz = Math.sqrt(radius2 - rc * rc);
          for (const z of [cz - dz, cz + dz]) if (z > lo && z < hi) cuts.push(z);
        }
        if (cz > lo && cz < hi) cuts.push(cz);
        cuts.sort((a, b) => a - b);
        const area = (z: number) => discArea(slab, Math.sqrt(Math.max(0, radius2 - (z - cz) ** 2)));
        for (let k = 0; k + 1 < cuts.length; k += 1) if (cuts[k + 1] > cuts[k]) volume += integrate(area, cuts[k], cuts[k + 1]);
      }
      return volume;
    },
  };
}

function fieldTruth(slabs: readonly PrismSlab[], field: DoseField): FieldTruth {
  if (field.kind === 'gaussian') return gaussian(slabs, field);
  if (field.axis === 'z') return linearAlongZ(slabs, field);
  return linearInPlane(slabs, field, field.axis === 'x' ? 0 : 1);
}

/**
 * The dose D (Gy) in [lowGy, highGy] at which a non-increasing `volumeAt(D)` crosses `target`,
 * located to 1e-9 Gy: regula falsi (Illinois variant) with a closing step after each estimate.
 */
function solveDecreasing(volumeAt: (doseGy: number) => number, target: number, lowGy: number, highGy: number): number {
  let lo = lowGy;
  let hi = highGy;
  let fLo = volumeAt(lo) - target;
  let fHi = volumeAt(hi) - target;
  if (fLo < 0) return lo;
  if (fHi >= 0) return hi;
  let side = 0;
  for (let iteration = 0; iteration < 200 && hi - lo > DOSE_TOLERANCE_GY; iteration += 1) {
    let x = (lo * fHi - hi * fLo) / (fHi - fLo);
    if (!(x > lo && x < hi)) x = (lo + hi) / 2;
    const fx = volumeAt(x) - target;
    if (fx >= 0) {
      lo = x;
      fLo = fx;
      if (side === 1) fHi /= 2;
      side = 1;
      // Try to close the bracket just above the estimate.
      const y = Math.min(hi, x + DOSE_TOLERANCE_GY / 2);
      if (y < hi) {
        const fy = volumeAt(y) - target;
        if (fy < 0) {
          hi = y;
          fHi = fy;
        } else {
          lo = y;
          fLo = fy;
        }
      }
    } else {
      hi = x;
      fHi = fx;
      if (side === -1) fLo /= 2;
      side = -1;
      const y = Math.max(lo, x - DOSE_TOLERANCE_GY / 2);
      if (y > lo) {
        const fy = volumeAt(y) - target;
        if (fy >= 0) {
          lo = y;
          fLo = fy;
        } else {
          hi = y;
          fHi = fy;
        }
      }
    }
  }
  return (lo + hi) / 2;
}

/**
 * The dose (Gy) received by at least `volumeCm3` of the model: the D where the cumulative DVH
 * equals `volumeCm3`, to 1e-9 Gy. minGy for volumes at or above the total, maxGy at or below 0.
 */
export function doseAtVolumeCm3(truth: GroundTruth, volumeCm3: number): number {
  requireGroundTruth(truth, 'truth');
  requireFiniteNumber(volumeCm3, 'volumeCm3');
  if (volumeCm3 >= truth.volumeCm3) return truth.minGy;
  if (volumeCm3 <= 0) return truth.maxGy;
  return solveDecreasing(truth.cumulative, volumeCm3, truth.minGy, truth.maxGy);
}

/**
 * The ground truth of the right-prism model `slabs` in the analytic dose `field`: the exact DVH
 * of the prisms (each contour extruded +- half the contour spacing), not of a solid they were
 * cut from.
 */
export function groundTruth(slabs: readonly PrismSlab[], field: DoseField): GroundTruth {
  requirePrismSlabs(slabs, 'slabs');
  requireDoseField(field, 'field');
  let volumeMm3 = 0;
  for (const slab of slabs) volumeMm3 += slab.thicknessMm * Math.abs(polygonAreaMm2(slab.polygonXyMm));
  const volumeCm3 = volumeMm3 / MM3_PER_CM3;
  const f = fieldTruth(slabs, field);
  const cumulative = (doseGy: number): number => {
    if (doseGy <= f.minGy) return volumeCm3;
    if (doseGy >= f.maxGy) return 0;
    return Math.min(volumeCm3, f.cumulativeMm3(doseGy) / MM3_PER_CM3);
  };
  const partial = { volumeCm3, minGy: f.minGy, maxGy: f.maxGy, cumulative } as GroundTruth;
  const atPercent = (percent: number) => doseAtVolumeCm3(partial, (percent / 100) * volumeCm3);
  return Object.freeze({
    volumeCm3,
    minGy: f.minGy,
    maxGy: f.maxGy,
    meanGy: volumeMm3 > 0 ? f.doseIntegralGyMm3 / volumeMm3 : Number.NaN,
    D99Gy: atPercent(99),
    D95Gy: atPercent(95),
    D5Gy: atPercent(5),
    D1Gy: atPercent(1),
    D0_03ccGy: volumeCm3 >= 0.03 ? doseAtVolumeCm3(partial, 0.03) : Number.NaN,
    cumulative,
  });
}

/** The cumulative DVH (cm3) of `truth` at each of `doses` (Gy). */
export function cumulativeTable(truth: GroundTruth, doses: Float64Array): Float64Array {
  requireGroundTruth(truth, 'truth');
  requireNumberList(doses, 'doses');
  return Float64Array.from(doses, (d) => truth.cumulative(d));
}
