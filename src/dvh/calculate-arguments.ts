// SPDX-License-Identifier: BSD-3-Clause
/**
 * Boundary checks of getDvh's and calculateDvhs' arguments: the option object's names and the
 * types of the options every computing function shares, the ROI list, and the kind of each
 * input. The ranges of the algorithm options are checked by validateOptions
 * (calculation-options.ts).
 */
import { checkComputeOptions } from '../backend/backend-arguments.js';
import { DosekitError } from '../errors.js';
import { describeValue, optional, requireArrayOf, requireBoolean, requireOptions } from '../validate.js';
import type { RoiExpressionRequest } from './roi-algebra.js';

/** Every option of getDvh (DvhCalculationOptions). */
export const CALCULATION_OPTION_NAMES: readonly string[] = Object.freeze([
  'algorithm',
  'endCaps',
  'supersampling',
  'limitCGy',
  'calculateFullVolume',
  'useStructureExtents',
  'interpolationResolutionMm',
  'interpolationSegmentsBetweenPlanes',
  'thicknessMm',
  'backend',
  'device',
  'force',
  'memoryLimitBytes',
  'signal',
  'onProgress',
]);

/** Every option of calculateDvhs: getDvh's and `rois`. */
export const CALCULATE_DVHS_OPTION_NAMES: readonly string[] = Object.freeze([...CALCULATION_OPTION_NAMES, 'rois']);

/** An ROI request: a number, a name, or a derived ROI {name, expression}. */
export function requireRoiRequest(value: unknown, name: string): number | string | RoiExpressionRequest {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && value.trim() !== '') return value;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const request = requireOptions(value, name, ['name', 'expression']);
    if (typeof request.name === 'string' && request.name.trim() !== '' && typeof request.expression === 'string') return value as RoiExpressionRequest;
  }
  throw new DosekitError('E_INVALID_ARGUMENT', `${name} must be an ROI number, an ROI name or a derived ROI {name, expression} (got ${describeValue(value)}).`, { argument: name, option: 'rois' });
}

/** Checks the option object of getDvh (`withRois` false) or calculateDvhs (true). */
export function checkCalculationOptions(options: unknown, withRois: boolean): void {
  const checked = requireOptions(options, 'options', withRois ? CALCULATE_DVHS_OPTION_NAMES : CALCULATION_OPTION_NAMES);
  checkComputeOptions(checked);
  for (const key of ['calculateFullVolume', 'useStructureExtents', 'force']) optional(checked[key], `options.${key}`, requireBoolean);
  if (withRois && checked.rois !== undefined && checked.rois !== 'all') {
    // A string other than 'all' would be iterated character by character.
    if (!Array.isArray(checked.rois)) throw new DosekitError('E_INVALID_ARGUMENT', `options.rois must be 'all' or an array of ROI numbers, names and {name, expression} (got ${describeValue(checked.rois)}).`, { argument: 'options.rois', option: 'rois' });
    requireArrayOf(checked.rois, 'options.rois', requireRoiRequest);
  }
}

/** Checks a structure-set or dose input's kind (the file itself is checked when read). */
export function checkInputKind(value: unknown, name: string, model: string): void {
  const ok = (typeof value === 'string' && value !== '') || value instanceof Uint8Array || value instanceof ArrayBuffer || (typeof value === 'object' && value !== null && !Array.isArray(value));
  if (!ok) throw new DosekitError('E_INVALID_ARGUMENT', `${name} must be a file path, bytes (Uint8Array or ArrayBuffer), a DicomParser or a ${model} (got ${describeValue(value)}).`, { argument: name });
}
