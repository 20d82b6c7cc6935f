// SPDX-License-Identifier: BSD-3-Clause
/**
 * Shape checks for the model objects the public API takes (a StructureSet, an Roi, a contour
 * plane, a GridGeometry): enough of each object's structure that the function receiving it cannot
 * fail with a TypeError on a wrong value (null, a string, {}); they do not re-verify the numbers
 * of an object dosekit built.
 */
import { DosekitError } from '../errors.js';
import { describeValue, requireObject } from '../validate.js';

function wrongShape(name: string, what: string, value: unknown, missing: string): never {
  throw new DosekitError('E_INVALID_ARGUMENT', `${name} must be ${what} (got ${describeValue(value)}, ${missing}).`, { argument: name });
}

function isNumberList(value: unknown, length?: number): boolean {
  if (!Array.isArray(value) && !(ArrayBuffer.isView(value) && !(value instanceof DataView))) return false;
  const list = value as ArrayLike<unknown>;
  if (length !== undefined && list.length !== length) return false;
  for (let i = 0; i < list.length; i += 1) if (typeof list[i] !== 'number' || !Number.isFinite(list[i])) return false;
  return true;
}

/** A contour plane: `{zMm, contours: [{pointsMm, pointCount, geometricType}]}`. */
export function requireContourPlane(value: unknown, name: string): void {
  const what = 'a contour plane ({zMm, key, contours})';
  const plane = requireObject(value, name);
  if (typeof plane.zMm !== 'number' || !Array.isArray(plane.contours)) wrongShape(name, what, value, 'without a numeric zMm and a contours array');
  for (const contour of plane.contours as unknown[]) {
    const c = contour as Record<string, unknown> | null;
    if (typeof c !== 'object' || c === null || !(c.pointsMm instanceof Float64Array) || typeof c.pointCount !== 'number' || c.pointCount * 3 > c.pointsMm.length) {
      wrongShape(name, what, value, 'with a contour that is not {pointsMm: Float64Array, pointCount, geometricType}');
    }
  }
}

/** An array of contour planes. */
export function requireContourPlanes(value: unknown, name: string): void {
  if (!Array.isArray(value)) wrongShape(name, 'an array of contour planes', value, 'not an array');
  value.forEach((plane, i) => requireContourPlane(plane, `${name}[${i}]`));
}

/** An ROI of a structure set: `{number, name, planes}`. */
export function requireRoi(value: unknown, name: string): void {
  const roi = requireObject(value, name);
  if (typeof roi.number !== 'number' || typeof roi.name !== 'string' || !Array.isArray(roi.planes)) {
    wrongShape(name, 'an ROI ({number, name, planes}) of a structure set', value, 'without a numeric number, a string name and a planes array');
  }
  requireContourPlanes(roi.planes, `${name}.planes`);
}

/** A structure set model (`DicomParser.toStructureSet()`): `{source, rois}`. */
export function requireStructureSet(value: unknown, name: string): void {
  const set = requireObject(value, name);
  if (typeof set.source !== 'string' || !Array.isArray(set.rois)) wrongShape(name, 'a StructureSet ({source, rois}, as DicomParser.toStructureSet() gives)', value, 'without a string source and an rois array');
  (set.rois as unknown[]).forEach((roi, i) => requireRoi(roi, `${name}.rois[${i}]`));
}

/** A grid geometry (`DoseGrid.geometry`, `Image.geometry`). */
export function requireGridGeometry(value: unknown, name: string): void {
  const what = 'a GridGeometry (as DoseGrid.geometry)';
  const g = requireObject(value, name);
  for (const key of ['rows', 'columns', 'frames'] as const) {
    const n = g[key];
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) wrongShape(name, what, value, `${key} is not a whole number >= 1`);
  }
  const lists: [string, number | undefined][] = [
    ['originMm', 3],
    ['rowCosines', 3],
    ['columnCosines', 3],
    ['pixelSpacingMm', 2],
    ['frameZMm', g.frames as number],
  ];
  for (const [key, length] of lists) if (!isNumberList(g[key], length)) wrongShape(name, what, value, `${key} is not a list of ${length} finite numbers`);
  if (g.xLutIndex !== 0 && g.xLutIndex !== 1) wrongShape(name, what, value, 'xLutIndex is not 0 or 1');
}
