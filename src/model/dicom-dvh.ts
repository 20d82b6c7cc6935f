// SPDX-License-Identifier: BSD-3-Clause

/**
 * One item of an RT Dose's DVH Sequence (3004,0050), as stored, before any interpretation.
 * Produced by src/dicom; consumed by `DVH.fromDicomDvh`.
 */
export interface DicomDvhRecord {
  /** ReferencedROINumber of the first DVH Referenced ROI Sequence item. */
  readonly referencedRoiNumber: number;
  /** ReferencedROINumber of every DVH Referenced ROI Sequence item (more than one: a DVH of a combination of ROIs). */
  readonly referencedRoiNumbers?: readonly number[];
  /** The item's position in the DVH Sequence, from 1. */
  readonly itemNumber?: number;
  /** DVHType as written: 'CUMULATIVE', 'DIFFERENTIAL' or 'NATURAL'. */
  readonly type: string;
  /** DoseUnits as written: 'GY', 'CGY' or 'RELATIVE'. */
  readonly doseUnits: string;
  /** DoseType as written ('PHYSICAL', 'EFFECTIVE', 'ERROR'), or '' when absent. */
  readonly doseType: string;
  /** DVHDoseScaling (1 when absent). */
  readonly doseScaling: number;
  /** DVHVolumeUnits as written: 'CM3', 'PERCENT' or 'PER_U'. */
  readonly volumeUnits: string;
  /** DVHNumberOfBins. */
  readonly numberOfBins: number;
  /** DVHData as stored: pairs (bin width in dose units before scaling, volume). */
  readonly data: Float64Array;
  /** DVHMinimumDose / DVHMaximumDose / DVHMeanDose when present (dose units of the record, unscaled). */
  readonly minimumDose?: number;
  readonly maximumDose?: number;
  readonly meanDose?: number;
}

/** A DVH Sequence item that cannot be matched to one ROI: no reference, or several (a combination). */
export interface UnmatchedDicomDvh {
  /** The item's position in the DVH Sequence, from 1. */
  readonly itemNumber: number;
  /** The ROI Numbers it references (empty when none). */
  readonly referencedRoiNumbers: readonly number[];
  /** Why it cannot be matched, naming the item and the attribute. */
  readonly message: string;
}
