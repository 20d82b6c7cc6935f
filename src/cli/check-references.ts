// SPDX-License-Identifier: BSD-3-Clause
// Which planning-system curve `dosekit check` compares with which structure: strictly by each DVH
// Sequence item's DVHReferencedROISequence, never by position, and never guessing between items.
import type { DicomDvhRecord, UnmatchedDicomDvh } from '../model/dicom-dvh.js';

/** The planning system's curve for one ROI, or why there is none to compare. */
export type RoiReference = { readonly record: DicomDvhRecord } | { readonly error: { readonly code: string; readonly message: string } };

/** How the DVH Sequence's items map onto ROIs. */
export interface DvhReferences {
  /** The ROIs referenced by items naming exactly one ROI, in order of first appearance. */
  readonly roiNumbers: readonly number[];
  readonly byRoi: ReadonlyMap<number, RoiReference>;
  /** Items that belong to no single ROI (no reference, or a combination of ROIs), as error rows. */
  readonly unmatched: readonly { readonly itemNumber: number; readonly code: string; readonly message: string }[];
  /** Said on standard error: e.g. one curve stored twice for one ROI. */
  readonly warnings: readonly string[];
}

function itemList(records: readonly DicomDvhRecord[]): string {
  const numbers = records.map((r, k) => String(r.itemNumber ?? k + 1));
  return numbers.length === 1 ? numbers[0] : `${numbers.slice(0, -1).join(', ')} and ${numbers[numbers.length - 1]}`;
}

function sameCurve(a: DicomDvhRecord, b: DicomDvhRecord): boolean {
  if (a.type !== b.type || a.doseUnits !== b.doseUnits || a.volumeUnits !== b.volumeUnits || a.doseScaling !== b.doseScaling || a.data.length !== b.data.length) return false;
  for (let i = 0; i < a.data.length; i += 1) if (a.data[i] !== b.data[i]) return false;
  return true;
}

/**
 * Matches DVH Sequence items to ROIs by their references. Several items for one ROI: the same
 * curve is compared once (with a warning); different curves make that ROI an E_INVALID_DVH row,
 * since which curve is the ROI's cannot be told. Items naming no ROI or several become rows of
 * their own (E_MISSING_ATTRIBUTE, E_INCOMPATIBLE_DVH), never matched by position.
 */
export function matchDvhReferences(records: readonly DicomDvhRecord[], unmatched: readonly UnmatchedDicomDvh[], file: string): DvhReferences {
  const single = records.filter((r) => (r.referencedRoiNumbers?.length ?? 1) === 1);
  const groups = new Map<number, DicomDvhRecord[]>();
  for (const record of single) groups.set(record.referencedRoiNumber, [...(groups.get(record.referencedRoiNumber) ?? []), record]);
  const byRoi = new Map<number, RoiReference>();
  const warnings: string[] = [];
  for (const [roi, items] of groups) {
    const verb = items.length === 2 ? 'both reference' : 'all reference';
    if (items.every((item) => sameCurve(item, items[0]))) {
      byRoi.set(roi, { record: items[0] });
      if (items.length > 1) warnings.push(`${file}: DVH Sequence items ${itemList(items)} ${verb} ROI ${roi} with the same curve; it is compared once.`);
    } else {
      byRoi.set(roi, {
        error: {
          code: 'E_INVALID_DVH',
          message: `${file}: DVH Sequence items ${itemList(items)} ${verb} ROI ${roi} (DVHReferencedROISequence) with different curves; which one is ROI ${roi}'s cannot be told, so it is not compared. Correct the ROI references in the planning system's export.`,
        },
      });
    }
  }
  return {
    roiNumbers: [...groups.keys()],
    byRoi,
    unmatched: unmatched.map((u) => ({ itemNumber: u.itemNumber, code: u.referencedRoiNumbers.length === 0 ? 'E_MISSING_ATTRIBUTE' : 'E_INCOMPATIBLE_DVH', message: u.message })),
    warnings,
  };
}
