// SPDX-License-Identifier: BSD-3-Clause
import type { DicomDvhRecord } from '../model/dicom-dvh.js';
import { type ReadContext, optionalNumber, optionalNumberList, optionalString, sequence } from './naturalized.js';
import type { DicomRead } from './read.js';

/** The DVH Sequence items of an RT Dose, as stored (items without a referenced ROI are skipped). */
export function readDicomDvhs(read: DicomRead): DicomDvhRecord[] {
  const ctx: ReadContext = { file: read.file };
  const records: DicomDvhRecord[] = [];
  for (const item of sequence(read.dataset, 'DVHSequence')) {
    const reference = sequence(item, 'DVHReferencedROISequence')[0];
    const roi = reference ? optionalNumber(reference, 'ReferencedROINumber', ctx) : undefined;
    if (roi === undefined) continue;
    const data = optionalNumberList(item, 'DVHData', ctx) ?? [];
    records.push(
      Object.freeze({
        referencedRoiNumber: roi,
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
  }
  return records;
}
