// SPDX-License-Identifier: BSD-3-Clause
/**
 * Analytical DVH phantoms after Nelms et al., Med Phys 2015 ("Methods, software and datasets
 * to verify DVH calculations against analytical values: twenty years later"): a shape contoured
 * at a given plane spacing, an RT Dose of an analytic field sampled on a given grid, and the
 * exact DVH of the contours' right-prism model in the analytic field, so that a DVH algorithm
 * can be checked against exact answers. That truth is the exact DVH of the right-prism model of
 * the contours (each contour extruded +- half the spacing), one truth among others and not the
 * DVH of the solid; the contours are checked against the solids' own cross-sections in
 * test/analytical/solid-sections.test.ts.
 */
import { writeDoseGridBytes, writeStructureSetBytes, newDicomUid } from '../dicom/write.js';
import { DosekitError } from '../errors.js';
import { checkMemory } from '../limits.js';
import { DoseGrid } from '../model/dose-grid.js';
import type { GridGeometry } from '../model/grid-geometry.js';
import { dicompylerPlaneKey, roundHalfEven2 } from '../model/plane-key.js';
import type { ContourPlane, Roi, StructureSet } from '../model/structure-set.js';
import { type DoseField, type DoseFieldName, makeDoseField } from './dose-functions.js';
import { type GroundTruth, groundTruth, prismSlabs } from './ground-truth.js';
import { requirePhantom, requirePhantomSpec } from './phantom-arguments.js';
import { type Shape, type ShapeName, SHAPE_NAMES, contourPlanesZMm, crossSection, makeShape, roundToMicrometre, shapeHalfExtentMm } from './shapes.js';

/** One phantom of the suite. */
export interface PhantomSpec {
  readonly shape: ShapeName;
  /** Distance between contour planes (and the prism model's slab thickness), mm. */
  readonly contourSpacingMm: number;
  /**
   * Dose grid spacing, mm: one number for x, y and z, or [x, y, z] (x the column spacing, y the
   * row spacing, z the frame spacing).
   */
  readonly doseGridMm: number | readonly [number, number, number];
  readonly dose: DoseFieldName;
  /** Move every contour plane by half a spacing (planes with an empty cross-section are dropped). */
  readonly shiftContoursHalfSpacing?: boolean;
  /** Move the dose grid by half a voxel along x, y and z (the shape centre then lies between grid points). */
  readonly shiftGridHalfVoxel?: boolean;
}

/** A phantom: the structure set, the gridded dose and the exact DVH of the contours in the analytic dose. */
export interface Phantom {
  readonly spec: PhantomSpec;
  /** A readable id, e.g. 'sphere c2mm g3mm gradient-ap shifted-contours' or 'cone c2mm g2x2.5x3mm gradient-lr'. */
  readonly name: string;
  readonly shape: Shape;
  /** The analytic dose the grid samples and the truth integrates. */
  readonly field: DoseField;
  /** One ROI, number 1, named after the shape. */
  readonly structureSet: StructureSet;
  /** The field sampled on the grid: HFS, DoseGridScaling 1e-6, stored = round(dose / 1e-6). */
  readonly dose: DoseGrid;
  /**
   * The exact DVH of the contours' right-prism model in `field` (each contour extruded +- half
   * the contour spacing): one truth among others, not the DVH of the solid itself.
   */
  readonly truth: GroundTruth;
}

/** Where every phantom shape is centred (patient coordinates, mm); deliberately off the origin. */
export const PHANTOM_CENTER_MM: readonly [number, number, number] = Object.freeze([5, -10, 20] as const);
/** The dose grid covers the shape's bounding box plus at least this much on every side, mm. */
export const DOSE_GRID_MARGIN_MM = 10;
/** DoseGridScaling of every phantom dose (Gy per stored unit; written exactly as "0.000001"). */
export const PHANTOM_DOSE_GRID_SCALING = 1e-6;
/** The number of specs {@link phantomSuite} returns. */
export const PHANTOM_SUITE_SIZE = 304;

const ROI_COLOR = [255, 128, 0] as const;

/** The dose grid spacing of `spec` along x, y and z, mm. */
function gridSpacingMm(spec: PhantomSpec): [number, number, number] {
  const g = spec.doseGridMm;
  return typeof g === 'number' ? [g, g, g] : [g[0], g[1], g[2]];
}

/** The phantom's readable id: shape, contour spacing, grid spacing (`g3mm`, or `g2x2.5x3mm` for x, y, z), dose and shifts. */
export function phantomName(spec: PhantomSpec): string {
  requirePhantomSpec(spec, 'spec');
  const grid = typeof spec.doseGridMm === 'number' ? `${spec.doseGridMm}` : spec.doseGridMm.join('x');
  const parts = [spec.shape, `c${spec.contourSpacingMm}mm`, `g${grid}mm`, spec.dose];
  if (spec.shiftContoursHalfSpacing) parts.push('shifted-contours');
  if (spec.shiftGridHalfVoxel) parts.push('shifted-grid');
  return parts.join(' ');
}

/**
 * Accepted spacings, mm. The shapes are 24 mm across: below 0.1 mm contour spacing the planes
 * run into the thousands, below 0.2 mm dose grid the voxels into the tens of millions (0.01 mm
 * would be 10^11); above 20 mm the shape falls between one or two planes or voxels. The suite
 * uses 0.2 to 3 mm. A dose grid given as [x, y, z] is held to the `doseGridMm` range component
 * by component.
 */
export const PHANTOM_SPACING_RANGE_MM: Readonly<Record<'contourSpacingMm' | 'doseGridMm', readonly [number, number]>> = Object.freeze({
  contourSpacingMm: Object.freeze([0.1, 20] as const),
  doseGridMm: Object.freeze([0.2, 20] as const),
});

/** Bytes per dose voxel while a phantom is made and written (stored integers, the file's copy, the writer's). */
const PHANTOM_BYTES_PER_VOXEL = 12;

function checkSpec(spec: PhantomSpec): void {
  requirePhantomSpec(spec, 'spec');
  if (!SHAPE_NAMES.includes(spec.shape)) throw new DosekitError('E_INVALID_ARGUMENT', `Unknown phantom shape ${JSON.stringify(spec.shape)}; use one of ${SHAPE_NAMES.join(', ')}.`);
  const values: [key: 'contourSpacingMm' | 'doseGridMm', label: string, value: unknown][] = [['contourSpacingMm', 'contourSpacingMm', spec.contourSpacingMm]];
  if (typeof spec.doseGridMm === 'number') values.push(['doseGridMm', 'doseGridMm', spec.doseGridMm]);
  else spec.doseGridMm.forEach((v, i) => values.push(['doseGridMm', `doseGridMm[${i}] (${'xyz'[i]})`, v]));
  for (const [key, label, value] of values) {
    const [low, high] = PHANTOM_SPACING_RANGE_MM[key];
    if (!(typeof value === 'number' && value >= low && value <= high)) {
      throw new DosekitError('E_INVALID_ARGUMENT', `Phantom ${label} is ${value}; it must be a number of mm from ${low} to ${high}.`, { option: key, range: [low, high] });
    }
  }
}

function structureSetOf(shape: Shape, spec: PhantomSpec, name: string, frameOfReferenceUid: string): StructureSet {
  const planes: ContourPlane[] = [];
  for (const z of contourPlanesZMm(shape, spec.contourSpacingMm, spec.shiftContoursHalfSpacing ?? false)) {
    const polygon = crossSection(shape, z);
    if (!polygon) continue;
    const count = polygon.length / 2;
    const pointsMm = new Float64Array(3 * count);
    for (let i = 0; i < count; i += 1) {
      pointsMm[3 * i] = roundToMicrometre(polygon[2 * i]);
      pointsMm[3 * i + 1] = roundToMicrometre(polygon[2 * i + 1]);
      pointsMm[3 * i + 2] = z;
    }
    const contour = Object.freeze({ geometricType: 'CLOSED_PLANAR', pointsMm, pointCount: count });
    planes.push(Object.freeze({ zMm: roundHalfEven2(z), key: dicompylerPlaneKey(z), contours: Object.freeze([contour]) }));
  }
  const roi: Roi = Object.freeze({
    number: 1,
    name: shape.name,
    interpretedType: 'ORGAN',
    color: ROI_COLOR,
    colorFromFile: true,
    frameOfReferenceUid,
    generationAlgorithm: 'AUTOMATIC',
    planes: Object.freeze(planes),
    empty: false,
  });
  return Object.freeze({
    sopInstanceUid: newDicomUid(),
    label: 'PHANTOM',
    name,
    frameOfReferenceUid,
    rois: Object.freeze([roi]),
    source: name,
  });
}

/**
 * Grid coordinates along one axis: the centre on a grid point (offsets k * g), or, shifted,
 * half-way between (offsets (k + 1/2) * g), reaching at least `halfWidthMm` on both sides.
 */
function axisSamples(centerMm: number, halfWidthMm: number, gridMm: number, shifted: boolean): { firstMm: number; count: number } {
  if (!shifted) {
    const m = Math.ceil(halfWidthMm / gridMm - 1e-9);
    return { firstMm: roundToMicrometre(centerMm - m * gridMm), count: 2 * m + 1 };
  }
  const m = Math.ceil(halfWidthMm / gridMm - 0.5 - 1e-9);
  return { firstMm: roundToMicrometre(centerMm - (m + 0.5) * gridMm), count: 2 * m + 2 };
}

function doseGridOf(shape: Shape, field: DoseField, spec: PhantomSpec, name: string, uids: { frameOfReferenceUid: string; structureSetUid: string }): DoseGrid {
  const [gx, gy, gz] = gridSpacingMm(spec);
  const shifted = spec.shiftGridHalfVoxel ?? false;
  const half = shapeHalfExtentMm(shape);
  const [xs, ys, zs] = [gx, gy, gz].map((g, axis) => axisSamples(shape.centerMm[axis], half[axis] + DOSE_GRID_MARGIN_MM, g, shifted));
  const frameOffsetsMm = Float64Array.from({ length: zs.count }, (_, k) => roundToMicrometre(k * gz));
  const geometry: GridGeometry = Object.freeze({
    rows: ys.count,
    columns: xs.count,
    frames: zs.count,
    originMm: Object.freeze([xs.firstMm, ys.firstMm, zs.firstMm] as const),
    rowCosines: Object.freeze([1, 0, 0] as const),
    columnCosines: Object.freeze([0, 1, 0] as const),
    // DICOM order: between rows (along y), between columns (along x).
    pixelSpacingMm: Object.freeze([gy, gx] as const),
    frameOffsetsMm,
    // As the reader computes it: ImagePositionPatient z + offset (head first).
    frameZMm: Float64Array.from(frameOffsetsMm, (o) => zs.firstMm + o),
    orientation: 'HFS',
    xLutIndex: 0,
    headFirst: true,
  });
  const pixels = new Uint32Array(xs.count * ys.count * zs.count);
  for (let f = 0; f < zs.count; f += 1) {
    const z = geometry.frameZMm[f];
    for (let r = 0; r < ys.count; r += 1) {
      const y = ys.firstMm + gy * r;
      for (let c = 0; c < xs.count; c += 1) {
        const x = xs.firstMm + gx * c;
        // The linear fields go negative far outside the shape; a dose cannot, so it is clamped.
        const doseGy = Math.max(0, field.doseGy(x, y, z));
        pixels[(f * ys.count + r) * xs.count + c] = Math.round(doseGy / PHANTOM_DOSE_GRID_SCALING);
      }
    }
  }
  return new DoseGrid(geometry, pixels, PHANTOM_DOSE_GRID_SCALING, {
    sopInstanceUid: newDicomUid(),
    seriesInstanceUid: newDicomUid(),
    studyInstanceUid: newDicomUid(),
    frameOfReferenceUid: uids.frameOfReferenceUid,
    doseUnits: 'GY',
    doseType: 'PHYSICAL',
    summationType: 'PLAN',
    comment: name,
    referencedStructureSetUid: uids.structureSetUid,
    source: name,
  });
}

/**
 * Builds one phantom. The shape is centred at {@link PHANTOM_CENTER_MM}; its contours lie on
 * the planes of `contourPlanesZMm` (coordinates rounded to 1e-6 mm so files hold them exactly).
 * The dose grid is head-first supine with spacing `doseGridMm` along x, y and z (one spacing,
 * or [x, y, z]: PixelSpacing is written [y, x], GridFrameOffsetVector steps by z) and covers the
 * shape's bounding box plus at least 10 mm (the shape centre on a grid point, or half a voxel
 * off it along every axis with `shiftGridHalfVoxel`); stored values are
 * round(max(0, dose) / 1e-6) as uint32 with DoseGridScaling 1e-6, so a grid dose is the analytic
 * dose to within 5e-7 Gy wherever the analytic dose is positive (the linear gradients are 16 Gy
 * at the centre and fall below 0 Gy more than 4 mm outside the shape, where 0 is stored).
 * @throws DosekitError E_INVALID_ARGUMENT for an unknown shape or a spacing outside
 *   {@link PHANTOM_SPACING_RANGE_MM}; E_TOO_LARGE when the dose grid exceeds the memory ceiling.
 */
export function makePhantom(spec: PhantomSpec): Phantom {
  checkSpec(spec);
  const name = phantomName(spec);
  const shape = makeShape(spec.shape, PHANTOM_CENTER_MM);
  const field = makeDoseField(spec.dose, shape.centerMm);
  const frameOfReferenceUid = newDicomUid();
  const structureSet = structureSetOf(shape, spec, name, frameOfReferenceUid);
  const spacing = gridSpacingMm(spec);
  const counts = [0, 1, 2].map((axis) => axisSamples(shape.centerMm[axis], shapeHalfExtentMm(shape)[axis] + DOSE_GRID_MARGIN_MM, spacing[axis], spec.shiftGridHalfVoxel ?? false).count);
  checkMemory(counts[0] * counts[1] * counts[2] * PHANTOM_BYTES_PER_VOXEL, `the phantom's ${counts.join(' x ')} dose grid at ${spacing.join(' x ')} mm`, undefined, { option: 'doseGridMm' });
  const dose = doseGridOf(shape, field, spec, name, { frameOfReferenceUid, structureSetUid: structureSet.sopInstanceUid });
  const truth = groundTruth(prismSlabs(structureSet.rois[0], spec.contourSpacingMm), field);
  return Object.freeze({ spec, name, shape, field, structureSet, dose, truth });
}

/** The phantom as DICOM Part 10 files: an RT Structure Set and an RT Dose of one study and frame of reference. */
export function phantomFiles(phantom: Phantom): { rtss: Uint8Array; rtdose: Uint8Array } {
  requirePhantom(phantom, 'phantom');
  const ids = {
    patientId: 'DOSEKIT-PHANTOM',
    patientName: `DOSEKIT^${phantom.shape.name}`,
    studyInstanceUid: phantom.dose.info.studyInstanceUid,
    frameOfReferenceUid: phantom.dose.info.frameOfReferenceUid ?? newDicomUid(),
    seriesDescription: phantom.name,
  };
  return {
    rtss: writeStructureSetBytes(phantom.structureSet, ids),
    rtdose: writeDoseGridBytes(phantom.dose, { ...ids, referencedStructureSetUid: phantom.structureSet.sopInstanceUid }),
  };
}

/**
 * The phantom suite, 304 specs:
 * - every shape (5) x contour spacing {1, 2, 3} mm x dose grid {1, 2, 3} mm x dose
 *   {gradient-ap, gradient-si} x {as is, contours shifted half a spacing, grid shifted half a
 *   voxel}: 270;
 * - the sphere in the Gaussian dose, contour spacing {1, 2, 3} mm x grid {1, 2, 3} mm: 9;
 * - fine contours, 0.2 mm spacing on a 1 mm grid: the sphere in gradient-ap, gradient-si and
 *   gaussian, the cone in gradient-ap and gradient-si: 5;
 * - doses varying along x on non-square grids: every shape (5) x {gradient-lr, gaussian} x
 *   {2 mm contours on a [2, 2.5, 3] mm grid, 3 mm contours on a [3, 2, 2.5] mm grid shifted half
 *   a voxel}: 20.
 */
export function phantomSuite(): PhantomSpec[] {
  const specs: PhantomSpec[] = [];
  const spacings = [1, 2, 3];
  for (const shape of SHAPE_NAMES) {
    for (const contourSpacingMm of spacings) {
      for (const doseGridMm of spacings) {
        for (const dose of ['gradient-ap', 'gradient-si'] as const) {
          specs.push({ shape, contourSpacingMm, doseGridMm, dose });
          specs.push({ shape, contourSpacingMm, doseGridMm, dose, shiftContoursHalfSpacing: true });
          specs.push({ shape, contourSpacingMm, doseGridMm, dose, shiftGridHalfVoxel: true });
        }
      }
    }
  }
  for (const contourSpacingMm of spacings) {
    for (const doseGridMm of spacings) specs.push({ shape: 'sphere', contourSpacingMm, doseGridMm, dose: 'gaussian' });
  }
  for (const dose of ['gradient-ap', 'gradient-si', 'gaussian'] as const) specs.push({ shape: 'sphere', contourSpacingMm: 0.2, doseGridMm: 1, dose });
  for (const dose of ['gradient-ap', 'gradient-si'] as const) specs.push({ shape: 'cone', contourSpacingMm: 0.2, doseGridMm: 1, dose });
  for (const shape of SHAPE_NAMES) {
    for (const dose of ['gradient-lr', 'gaussian'] as const) {
      specs.push({ shape, contourSpacingMm: 2, doseGridMm: [2, 2.5, 3], dose });
      specs.push({ shape, contourSpacingMm: 3, doseGridMm: [3, 2, 2.5], dose, shiftGridHalfVoxel: true });
    }
  }
  return specs;
}
