// SPDX-License-Identifier: BSD-3-Clause
/**
 * Boundary checks of the dose functions' option objects (resampleDoseGy, sumDoseGrids,
 * doseDifferenceGy): unknown option names and wrongly typed values fail at the call with
 * E_INVALID_ARGUMENT, and so do cval and weights out of range (finite, >= 0). order and mode are
 * checked where they are resolved, in sum.ts; the number of weights where they meet the doses.
 */
import { checkComputeOptions } from '../backend/backend-arguments.js';
import { optional, requireArrayOf, requireBoolean, requireFiniteNumber, requireOptions } from '../validate.js';
import type { ResampleOptions, SumDoseOptions } from './options.js';

/** The options of `resampleDoseGy` (and `DoseGrid.interpEntireGrid`). */
export const RESAMPLE_OPTION_NAMES: readonly string[] = Object.freeze(['order', 'mode', 'cval', 'backend', 'device', 'memoryLimitBytes', 'signal']);
/** The options of `sumDoseGrids` and `doseDifferenceGy`. */
export const SUM_OPTION_NAMES: readonly string[] = Object.freeze([...RESAMPLE_OPTION_NAMES, 'force', 'weights']);

function checkShared(options: Record<string, unknown>): void {
  checkComputeOptions(options);
  optional(options.cval, 'options.cval', (v, n) => requireFiniteNumber(v, n, { min: 0 }));
}

/** Checks `resampleDoseGy`'s options. */
export function checkResampleOptions(options: ResampleOptions): void {
  checkShared(requireOptions(options, 'options', RESAMPLE_OPTION_NAMES));
}

/** Checks the options of `sumDoseGrids` and `doseDifferenceGy`. */
export function checkSumOptions(options: SumDoseOptions): void {
  const checked = requireOptions(options, 'options', SUM_OPTION_NAMES);
  checkShared(checked);
  optional(checked.force, 'options.force', requireBoolean);
  optional(checked.weights, 'options.weights', (v, n) => requireArrayOf(v, n, (w, wn) => requireFiniteNumber(w, wn, { min: 0 })));
}
