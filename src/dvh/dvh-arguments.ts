// SPDX-License-Identifier: BSD-3-Clause
/**
 * Boundary checks of DVH arguments for the functions that take DVHs (compare, gamma, plot,
 * describe). A DVH is recognised by its shape rather than by `instanceof`, so that these modules
 * need not import the DVH class (which imports them), and a DVH from another copy of dosekit passes.
 * The checks return nothing: the functions' own parameters carry the types.
 */
import { DosekitError } from '../errors.js';
import { describeValue } from '../validate.js';

/** True when `value` is a DVH (of this or another copy of dosekit). */
export function isDvh(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const d = value as Record<string, unknown>;
  return typeof d.doseUnits === 'string' && typeof d.volumeUnits === 'string' && typeof d.type === 'string' && typeof d.statistic === 'function' && d.bins instanceof Float64Array && d.counts instanceof Float64Array;
}

/** A DVH. */
export function requireDvh(value: unknown, name: string): void {
  if (!isDvh(value)) throw new DosekitError('E_INVALID_ARGUMENT', `${name} must be a DVH (got ${describeValue(value)}).`, { argument: name });
}
