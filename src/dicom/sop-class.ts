// SPDX-License-Identifier: BSD-3-Clause

/** dosekit's short names for the SOP classes it recognises (dicompyler-core's names, extended). */
export type SopClassName = 'rtss' | 'rtdose' | 'rtplan' | 'ct' | 'mr' | 'pt' | 'rtimage' | 'rtrecord' | 'other';

const SOP_CLASSES: Record<string, SopClassName> = {
  '1.2.840.10008.5.1.4.1.1.481.3': 'rtss',
  '1.2.840.10008.5.1.4.1.1.481.2': 'rtdose',
  '1.2.840.10008.5.1.4.1.1.481.5': 'rtplan',
  '1.2.840.10008.5.1.4.1.1.481.8': 'rtplan', // RT Ion Plan
  '1.2.840.10008.5.1.4.1.1.2': 'ct',
  '1.2.840.10008.5.1.4.1.1.2.1': 'ct', // Enhanced CT
  '1.2.840.10008.5.1.4.1.1.4': 'mr',
  '1.2.840.10008.5.1.4.1.1.4.1': 'mr', // Enhanced MR
  '1.2.840.10008.5.1.4.1.1.128': 'pt',
  '1.2.840.10008.5.1.4.1.1.130': 'pt', // Enhanced PET
  '1.2.840.10008.5.1.4.1.1.481.1': 'rtimage',
  '1.2.840.10008.5.1.4.1.1.481.4': 'rtrecord',
};

/** Maps a SOP Class UID to dosekit's short name ('other' when unknown). */
export function sopClassName(uid: string | undefined): SopClassName {
  return (uid && SOP_CLASSES[uid]) || 'other';
}

/** Human names for messages. */
export const SOP_CLASS_LABELS: Record<SopClassName, string> = {
  rtss: 'RT Structure Set',
  rtdose: 'RT Dose',
  rtplan: 'RT Plan',
  ct: 'CT Image',
  mr: 'MR Image',
  pt: 'PET Image',
  rtimage: 'RT Image',
  rtrecord: 'RT Treatment Record',
  other: 'other DICOM object',
};
