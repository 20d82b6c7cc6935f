// SPDX-License-Identifier: BSD-3-Clause
/**
 * The analytic dose fields of the phantom suite, in Gy as functions of patient coordinates in
 * mm: the benchmark's linear gradients (along y, anterior-posterior, and along z,
 * superior-inferior), a linear gradient along x (left-right) and a 3-D Gaussian for a smooth,
 * curved field.
 */

/** The dose fields of the phantom suite. */
export type DoseFieldName = 'gradient-ap' | 'gradient-si' | 'gaussian' | 'gradient-lr';

/** Every dose field, in suite order. */
export const DOSE_FIELD_NAMES: readonly DoseFieldName[] = Object.freeze(['gradient-ap', 'gradient-si', 'gaussian', 'gradient-lr']);

/** Dose of the linear gradients at the shape centre, Gy. */
export const GRADIENT_DOSE_AT_CENTER_GY = 16;
/** Slope of the linear gradients, Gy per mm. */
export const GRADIENT_GY_PER_MM = 1;
/** Peak dose of the Gaussian field (at the shape centre), Gy. */
export const GAUSSIAN_PEAK_GY = 20;
/** Standard deviation of the Gaussian field along each axis, mm. */
export const GAUSSIAN_SIGMA_MM = 10;

/**
 * A dose rising linearly along one patient axis and constant across it:
 * D = doseAtReferenceGy + gradientGyPerMm * (coordinate - referenceMm).
 */
export interface LinearDoseField {
  readonly kind: 'linear';
  readonly name: string;
  /** 'x' (left-right, increasing to the patient's left), 'y' (anterior-posterior, increasing posteriorly) or 'z' (superior-inferior, increasing superiorly). */
  readonly axis: 'x' | 'y' | 'z';
  /** Coordinate along `axis` where the dose is `doseAtReferenceGy`, mm. */
  readonly referenceMm: number;
  readonly doseAtReferenceGy: number;
  /** Gy per mm (non-zero). */
  readonly gradientGyPerMm: number;
  /** Dose in Gy at (x, y, z) mm. */
  readonly doseGy: (xMm: number, yMm: number, zMm: number) => number;
}

/** A 3-D isotropic Gaussian: D = peakGy * exp(-|p - centre|^2 / (2 sigma^2)). */
export interface GaussianDoseField {
  readonly kind: 'gaussian';
  readonly name: string;
  /** Centre of the Gaussian, mm. */
  readonly centerMm: readonly [number, number, number];
  readonly peakGy: number;
  readonly sigmaMm: number;
  /** Dose in Gy at (x, y, z) mm. */
  readonly doseGy: (xMm: number, yMm: number, zMm: number) => number;
}

/** A dose field whose DVH the ground truth can compute exactly or semi-analytically. */
export type DoseField = LinearDoseField | GaussianDoseField;

/** A linear dose field along `axis` (see {@link LinearDoseField}); doses in Gy, coordinates in mm. */
export function linearDoseField(name: string, axis: 'x' | 'y' | 'z', referenceMm: number, doseAtReferenceGy: number, gradientGyPerMm: number): LinearDoseField {
  const doseGy =
    axis === 'x'
      ? (x: number) => doseAtReferenceGy + gradientGyPerMm * (x - referenceMm)
      : axis === 'y'
        ? (_x: number, y: number) => doseAtReferenceGy + gradientGyPerMm * (y - referenceMm)
        : (_x: number, _y: number, z: number) => doseAtReferenceGy + gradientGyPerMm * (z - referenceMm);
  return Object.freeze({ kind: 'linear', name, axis, referenceMm, doseAtReferenceGy, gradientGyPerMm, doseGy });
}

/** An isotropic Gaussian dose field (see {@link GaussianDoseField}); peak in Gy, centre and sigma in mm. */
export function gaussianDoseField(name: string, centerMm: readonly [number, number, number], peakGy: number, sigmaMm: number): GaussianDoseField {
  const [cx, cy, cz] = centerMm;
  const twoSigma2 = 2 * sigmaMm * sigmaMm;
  const doseGy = (x: number, y: number, z: number) => peakGy * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2 + (z - cz) ** 2) / twoSigma2);
  return Object.freeze({ kind: 'gaussian', name, centerMm: Object.freeze([cx, cy, cz] as const), peakGy, sigmaMm, doseGy });
}

/**
 * The suite's dose field `name` around a shape centred at `centerMm` (mm):
 * - 'gradient-ap': 16 Gy at the centre, rising 1 Gy/mm along +y (posteriorly);
 * - 'gradient-si': 16 Gy at the centre, rising 1 Gy/mm along +z (superiorly);
 * - 'gaussian': 20 Gy at the centre, falling as a Gaussian of sigma 10 mm in every direction
 *   (about 9.7 Gy at 12 mm, the surface of the sphere);
 * - 'gradient-lr': 16 Gy at the centre, rising 1 Gy/mm along +x (to the patient's left), so
 *   that the dose varies across the dose grid's columns as well.
 */
export function makeDoseField(name: DoseFieldName, centerMm: readonly [number, number, number]): DoseField {
  switch (name) {
    case 'gradient-ap':
      return linearDoseField(name, 'y', centerMm[1], GRADIENT_DOSE_AT_CENTER_GY, GRADIENT_GY_PER_MM);
    case 'gradient-si':
      return linearDoseField(name, 'z', centerMm[2], GRADIENT_DOSE_AT_CENTER_GY, GRADIENT_GY_PER_MM);
    case 'gaussian':
      return gaussianDoseField(name, centerMm, GAUSSIAN_PEAK_GY, GAUSSIAN_SIGMA_MM);
    case 'gradient-lr':
      return linearDoseField(name, 'x', centerMm[0], GRADIENT_DOSE_AT_CENTER_GY, GRADIENT_GY_PER_MM);
  }
}
