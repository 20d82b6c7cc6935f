// SPDX-License-Identifier: BSD-3-Clause
import type { DicomDvhRecord, UnmatchedDicomDvh } from '../model/dicom-dvh.js';
import { type NaturalDataset, type ReadContext, optionalNumber, optionalNumberList, optionalString, sequence } from './naturalized.js';
import type { DicomRead } from './read.js';

/** The ReferencedROINumber of each DVH Referenced ROI Sequence item (those without one left out). */
function referencedRois(item: NaturalDataset, ctx: ReadContext): number[] {
  const out: number[] = [];
  for (const reference of sequence(item, 'DVHReferencedROISequence')) {
    const roi = optionalNumber(reference, 'ReferencedROINumber', ctx);
    if (roi !== undefined) out.push(roi);
  }
  return out;
}

/**
 * The DVH Sequence items of an RT Dose, as stored, with their position in the sequence (items
 * without a referenced ROI are skipped; see `readUnmatchedDicomDvhs`).
 */
export function readDicomDvhs(read: DicomRead): DicomDvhRecord[] {
  const ctx: ReadContext = { file: read.file };
  const records: DicomDvhRecord[] = [];
  sequence(read.dataset, 'DVHSequence').forEach((item, index) => {
    const rois = referencedRois(item, ctx);
    if (rois.length === 0) return;
    const data = optionalNumberList(item, 'DVHData', ctx) ?? [];
    records.push(
      Object.freeze({
        referencedRoiNumber: rois[0],
        referencedRoiNumbers: Object.freeze(rois),
        itemNumber: index + 1,
        type: optionalString(item, 'DVHType') ?? 'CUMULATIVE',
        doseUnits: optionalString(item, 'DoseUnits') ?? 'GY',
        doseType: optionalString(item, 'DoseType') ?? '',
        doseScaling: optionalNumber(item, 'DVHDoseScaling', ctx) ?? 1,
        volumeUnits: optionalString(item, 'DVHVolumeUnits') ?? 'CM3',
        numberOfBins: optionalNumber(item, 'DVHNumberOfBins', ctx) ?? data.length / 2,
        data: Float64Array.from(data),
        minimumDose: optionalNumber(item, 'DVHMinimumDose', ctx),
        maximumDose: optionalNumber(item, 'DVHMaximumDose', ctx),
        meanDose: optionalNumber(item, 'DVHMeanDose', ctx),
      }),
    );
  });
  return records;
}

/**
 * The DVH Sequence items that cannot be matched to one ROI: without a DVHReferencedROISequence
 * item carrying a ReferencedROINumber, or referencing several ROIs (a DVH of their combination).
 */
export function readUnmatchedDicomDvhs(read: DicomRead): UnmatchedDicomDvh[] {
  const ctx: ReadContext = { file: read.file };
  const out: UnmatchedDicomDvh[] = [];
  sequence(read.dataset, 'DVHSequence').forEach((item, index) => {
    const rois = referencedRois(item, ctx);
    const itemNumber = index + 1;
    if (rois.length === 0) {
      out.push({
        itemNumber,
        referencedRoiNumbers: [],
        message: `${read.file}: DVH Sequence item ${itemNumber} has no DVHReferencedROISequence item with a ReferencedROINumber, so its curve cannot be matched to a structure; it is not compared (items are never matched by position). Export the DVHs again with their ROI references.`,
      });
    } else if (rois.length > 1) {
      out.push({
        itemNumber,
        referencedRoiNumbers: rois,
        message: `${read.file}: DVH Sequence item ${itemNumber} references ${rois.length} ROIs (${rois.join(', ')}) in its DVHReferencedROISequence: a DVH of their combination, which no single structure's DVH can be compared with; it is not compared.`,
      });
    }
  });
  return out;
}
