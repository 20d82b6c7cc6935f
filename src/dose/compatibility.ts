// SPDX-License-Identifier: BSD-3-Clause
import { DosekitError } from '../errors.js';
import type { DoseGrid } from '../model/dose-grid.js';

/** Dose units in which doses add after conversion to Gy. */
const ABSOLUTE_UNITS: ReadonlySet<string | undefined> = new Set(['GY', 'CGY']);

interface Check {
  readonly attribute: string;
  readonly value: (g: DoseGrid) => string | undefined;
  readonly equal: (a: string | undefined, b: string | undefined) => boolean;
}

const CHECKS: readonly Check[] = [
  // Gy and cGy doses add once both are in Gy; relative doses add only to relative doses.
  { attribute: 'DoseUnits', value: (g) => g.info.doseUnits, equal: (a, b) => a === b || (ABSOLUTE_UNITS.has(a) && ABSOLUTE_UNITS.has(b)) },
  { attribute: 'DoseType', value: (g) => g.info.doseType, equal: (a, b) => a === b },
  { attribute: 'DoseSummationType', value: (g) => g.info.summationType, equal: (a, b) => a === b },
  { attribute: 'FrameOfReferenceUID', value: (g) => g.info.frameOfReferenceUid, equal: (a, b) => a === b },
];

/**
 * Checks that `other` may be summed with `first`. Returns the mismatches (as warnings) when
 * `force` is set.
 * @throws DosekitError E_INCOMPATIBLE_DOSE naming the first mismatched attribute and `force`.
 */
export function checkSummable(first: DoseGrid, other: DoseGrid, force: boolean): string[] {
  const mismatches: string[] = [];
  for (const check of CHECKS) {
    const a = check.value(first);
    const b = check.value(other);
    if (check.equal(a, b)) continue;
    const text = `${check.attribute} differs: ${JSON.stringify(a ?? null)} in ${first.info.source}, ${JSON.stringify(b ?? null)} in ${other.info.source}`;
    if (!force) {
      throw new DosekitError(
        'E_INCOMPATIBLE_DOSE',
        `${text}. Summing them is likely wrong (different plans, units or patient coordinates); check the files, or pass --force (force: true) to sum anyway.`,
        { file: other.info.source, attribute: check.attribute, expected: a, found: b },
      );
    }
    mismatches.push(`${text}; summed anyway (force)`);
  }
  return mismatches;
}
