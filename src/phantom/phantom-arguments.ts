// SPDX-License-Identifier: BSD-3-Clause
/**
 * Boundary checks of the phantom API's arguments (specs, phantoms, ground truths, dose fields,
 * prism slabs, accuracy reports): a wrong value fails with E_INVALID_ARGUMENT naming it instead of
 * a TypeError inside the geometry.
 */
import { DosekitError } from '../errors.js';
import { DoseGrid } from '../model/dose-grid.js';
import { requireStructureSet } from '../model/model-arguments.js';
import { describeValue, optional, requireArrayOf, requireBoolean, requireFiniteNumber, requireFunction, requireObject, requireOneOf, requireOptions, requireString } from '../validate.js';
import { DOSE_FIELD_NAMES, type DoseField } from './dose-functions.js';
import { SHAPE_NAMES } from './shapes.js';

/** The fields of a PhantomSpec. */
export const PHANTOM_SPEC_FIELDS: readonly string[] = Object.freeze(['shape', 'contourSpacingMm', 'doseGridMm', 'dose', 'shiftContoursHalfSpacing', 'shiftGridHalfVoxel']);

/**
 * A PhantomSpec: known fields only, shape and dose by name, spacings finite positive numbers
 * (`doseGridMm` one number or an [x, y, z] triple; their range is checked by makePhantom).
 */
export function requirePhantomSpec(value: unknown, name: string): void {
  if (value === undefined) requireObject(value, name);
  const spec = requireOptions(value, name, PHANTOM_SPEC_FIELDS);
  if (!SHAPE_NAMES.includes(spec.shape as never)) {
    throw new DosekitError('E_INVALID_ARGUMENT', `${name}.shape: Unknown phantom shape ${typeof spec.shape === 'string' ? JSON.stringify(spec.shape) : describeValue(spec.shape)}; use one of ${SHAPE_NAMES.join(', ')}.`, { argument: `${name}.shape` });
  }
  requireOneOf(spec.dose, `${name}.dose`, DOSE_FIELD_NAMES);
  requireFiniteNumber(spec.contourSpacingMm, `${name}.contourSpacingMm`, { min: 0, minExclusive: true });
  if (Array.isArray(spec.doseGridMm)) requireArrayOf(spec.doseGridMm, `${name}.doseGridMm`, (v, n) => requireFiniteNumber(v, n, { min: 0, minExclusive: true }), { min: 3, max: 3 });
  else requireFiniteNumber(spec.doseGridMm, `${name}.doseGridMm`, { min: 0, minExclusive: true });
  optional(spec.shiftContoursHalfSpacing, `${name}.shiftContoursHalfSpacing`, requireBoolean);
  optional(spec.shiftGridHalfVoxel, `${name}.shiftGridHalfVoxel`, requireBoolean);
}

/** An analytic dose field (`phantom.field`). */
export function requireDoseField(value: unknown, name: string): DoseField {
  const field = requireObject(value, name);
  if ((field.kind !== 'linear' && field.kind !== 'gaussian') || typeof field.doseGy !== 'function') {
    throw new DosekitError('E_INVALID_ARGUMENT', `${name} must be a phantom's dose field (phantom.field) (got ${describeValue(value)} without kind and doseGy).`, { argument: name });
  }
  if (field.kind === 'linear') {
    for (const key of ['referenceMm', 'doseAtReferenceGy', 'gradientGyPerMm']) requireFiniteNumber(field[key], `${name}.${key}`);
    requireOneOf(field.axis, `${name}.axis`, ['x', 'y', 'z']);
  } else {
    requireFiniteNumber(field.peakGy, `${name}.peakGy`);
    requireFiniteNumber(field.sigmaMm, `${name}.sigmaMm`, { min: 0, minExclusive: true });
    requireArrayOf(field.centerMm, `${name}.centerMm`, (v, n) => requireFiniteNumber(v, n), { min: 3, max: 3 });
  }
  return value as DoseField;
}

/** A ground truth (`phantom.truth`). */
export function requireGroundTruth(value: unknown, name: string): void {
  const truth = requireObject(value, name);
  for (const key of ['volumeCm3', 'minGy', 'maxGy']) requireFiniteNumber(truth[key], `${name}.${key}`);
  requireFunction(truth.cumulative, `${name}.cumulative`);
}

/** Right-prism slabs: `{zMm, thicknessMm, polygonXyMm}` each. */
export function requirePrismSlabs(value: unknown, name: string): void {
  requireArrayOf(value, name, (v, n) => {
    const slab = requireObject(v, n);
    requireFiniteNumber(slab.zMm, `${n}.zMm`);
    requireFiniteNumber(slab.thicknessMm, `${n}.thicknessMm`, { min: 0 });
    const polygon = slab.polygonXyMm;
    if (!(polygon instanceof Float64Array) || polygon.length % 2 !== 0 || !polygon.every(Number.isFinite)) {
      throw new DosekitError('E_INVALID_ARGUMENT', `${n}.polygonXyMm must be a Float64Array of finite (x, y) pairs in mm (got ${describeValue(polygon)}).`, { argument: `${n}.polygonXyMm` });
    }
  });
}

/** A phantom made by makePhantom. */
export function requirePhantom(value: unknown, name: string): void {
  const phantom = requireObject(value, name);
  requirePhantomSpec(phantom.spec, `${name}.spec`);
  requireString(phantom.name, `${name}.name`);
  requireStructureSet(phantom.structureSet, `${name}.structureSet`);
  if (!(phantom.dose instanceof DoseGrid)) throw new DosekitError('E_INVALID_ARGUMENT', `${name}.dose must be a DoseGrid (got ${describeValue(phantom.dose)}); pass a phantom from makePhantom.`, { argument: `${name}.dose` });
  requireObject(phantom.shape, `${name}.shape`);
}

/** Accuracy reports (compareWithTruth's results). */
export function requireAccuracyReports(value: unknown, name: string): void {
  requireArrayOf(value, name, (v, n) => {
    const report = requireObject(v, n);
    requireFiniteNumber(report.curveMaxErrorPercent, `${n}.curveMaxErrorPercent`);
    requireArrayOf(report.endpoints, `${n}.endpoints`, (e, en) => {
      const endpoint = requireObject(e, en);
      requireString(endpoint.endpoint, `${en}.endpoint`);
      if (typeof endpoint.percent !== 'number' || Number.isNaN(endpoint.percent)) requireFiniteNumber(endpoint.percent, `${en}.percent`);
      return e;
    });
  });
}
