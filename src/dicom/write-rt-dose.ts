// SPDX-License-Identifier: BSD-3-Clause
/**
 * Writes any DoseGrid as an RT Dose. A grid read from a file, or derived from one (a sum, a
 * scaled dose), keeps that file's patient, study, frame of reference and references; only what
 * describes the new dose changes.
 */
import dcmjs from 'dcmjs';
import type { DoseGrid } from '../model/dose-grid.js';
import type { NaturalDataset } from './naturalized.js';
import { type Dataset, RT_DOSE_STORAGE, RT_PLAN_STORAGE, doseGridAttributes, encodeDose, newDicomUid, writeDoseGridBytes } from './write.js';

/** Attributes of the source file that describe its pixels or its DVHs, and so do not carry over to a new dose. */
const STALE_ATTRIBUTES = [
  'PixelData',
  'DVHSequence',
  'DVHNormalizationPoint',
  'DVHNormalizationDoseValue',
  'SmallestImagePixelValue',
  'LargestImagePixelValue',
  'WindowCenter',
  'WindowWidth',
  'SpecificCharacterSet',
  '_vrMap',
  '_meta',
];

function now(): { date: string; time: string } {
  return { date: dcmjs.data.DicomMetaDictionary.date(), time: dcmjs.data.DicomMetaDictionary.time() };
}

/** The RT Plans a derived grid's inputs referenced, each once, in input order. */
function referencedPlans(grid: DoseGrid): string[] {
  const uids = grid.info.derivation?.inputs.map((i) => i.referencedPlanUid) ?? [grid.info.referencedPlanUid];
  return [...new Set(uids.filter((u): u is string => Boolean(u)))];
}

/**
 * Part 10 bytes of an RT Dose holding `grid` (explicit VR little endian, 32-bit unsigned pixels,
 * DoseGridScaling written exactly). With the attributes of the file the grid came from, those
 * are kept (patient, study, series description, frame of reference, structure set reference)
 * and these are replaced: SOP Instance UID (file meta too), Series Instance UID, the geometry and
 * pixel attributes, DoseUnits / DoseType / DoseSummationType / DoseComment, InstanceCreation and
 * Content date and time, the ReferencedRTPlanSequence (every plan of a sum's inputs) and a
 * ReferencedInstanceSequence naming the RT Doses a derived grid was made from. Its DVH Sequence
 * is dropped: it described the old dose.
 */
export function writeRtDoseBytes(grid: DoseGrid): Uint8Array {
  const template = grid.info.sourceAttributes as unknown as NaturalDataset | undefined;
  if (!template) return writeDoseGridBytes(grid, { frameOfReferenceUid: grid.info.frameOfReferenceUid ?? newDicomUid() });
  const dataset: Dataset = { ...template };
  for (const name of STALE_ATTRIBUTES) delete dataset[name];
  const { date, time } = now();
  const derivation = grid.info.derivation;
  Object.assign(dataset, {
    SOPClassUID: RT_DOSE_STORAGE,
    SOPInstanceUID: grid.info.sopInstanceUid || newDicomUid(),
    SeriesInstanceUID: grid.info.seriesInstanceUid ?? newDicomUid(),
    InstanceCreationDate: date,
    InstanceCreationTime: time,
    ContentDate: date,
    ContentTime: time,
    ...doseGridAttributes(grid),
  });
  const plans = referencedPlans(grid);
  if (plans.length > 0) dataset.ReferencedRTPlanSequence = plans.map((uid) => ({ ReferencedSOPClassUID: RT_PLAN_STORAGE, ReferencedSOPInstanceUID: uid }));
  if (derivation) {
    dataset.ReferencedInstanceSequence = derivation.inputs
      .filter((input) => input.sopInstanceUid)
      .map((input) => ({ ReferencedSOPClassUID: RT_DOSE_STORAGE, ReferencedSOPInstanceUID: input.sopInstanceUid }));
  }
  return encodeDose(dataset);
}
