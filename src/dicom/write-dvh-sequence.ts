// SPDX-License-Identifier: BSD-3-Clause
/**
 * Writes DVHs back into an RT Dose: the same file with a new SOP Instance UID and a DVH Sequence
 * (3004,0050) of cumulative DVHs, its pixel data untouched byte for byte.
 */
import dcmjs from 'dcmjs';
import { DosekitError } from '../errors.js';
import { describeValue, optional, requireArrayOf, requireBytes, requireFiniteNumber, requireObject, requireOptions, requireString } from '../validate.js';
import { VERSION } from '../version.js';
import type { NaturalDataset } from './naturalized.js';
import { readDicom } from './read.js';
import { spliceTextValues, textValueBytes } from './splice-values.js';
import { DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN, EXPLICIT_VR_LITTLE_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN, transferSyntaxName } from './transfer-syntax.js';
import { type Dataset, RT_DOSE_STORAGE, encodeDose, formatDecimalString, newDicomUid } from './write.js';

/**
 * What {@link withDvhSequence} needs of a DVH (the `DVH` class has all of it): its cumulative form
 * with dose in Gy, and from that the edges, counts and dose statistics.
 */
export interface WritableDvh {
  readonly cumulative: WritableDvh;
  readonly doseUnits: string;
  readonly volumeUnits: string;
  /** N+1 bin edges starting at 0, in `doseUnits`. */
  readonly bins: Float64Array;
  /** N counts in `volumeUnits`. */
  readonly counts: Float64Array;
  /** Minimum, maximum and mean dose in `doseUnits`. */
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly computedBy?: { readonly algorithm: string };
  /** The DVH with dose in Gy. */
  absoluteDose(): WritableDvh;
}

/** One ROI's DVH for the DVH Sequence (the shape of `calculateDvhs(...).dvhs`). */
export interface DvhSequenceEntry {
  /** ROI Number (3006,0022) of the structure in the RT Structure Set. */
  readonly roi: number;
  readonly dvh: WritableDvh;
}

/** Options of {@link withDvhSequence}. */
export interface DvhSequenceOptions {
  /** Algorithm named in the ContributionDescription (default: the DVHs' `computedBy.algorithm` when they agree). */
  readonly algorithm?: string;
  /** DVHNormalizationDoseValue (3004,0042) in Gy; written only when given. */
  readonly normalizationDoseGy?: number;
  /** SOP Instance UID of the RT Structure Set the DVHs were computed from (Referenced Structure Set Sequence); default: the file's own reference. */
  readonly referencedStructureSetUid?: string;
  /** Names the input in messages (a path or label); default `<bytes>`. */
  readonly file?: string;
}

const RT_STRUCTURE_SET_STORAGE = '1.2.840.10008.5.1.4.1.1.481.3';
/** Attributes that described the old DVHs. */
const REPLACED = ['DVHSequence', 'DVHNormalizationPoint', 'DVHNormalizationDoseValue', 'SpecificCharacterSet'];
/** Syntaxes whose pixel data are native little-endian bytes, written unchanged in explicit or implicit VR little endian. */
const LITTLE_ENDIAN_NATIVE = new Set([IMPLICIT_VR_LITTLE_ENDIAN, EXPLICIT_VR_LITTLE_ENDIAN, DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN]);
/** Significant digits of a written bin width (the next width absorbs the rounding, so edges do not drift). */
const WIDTH_DIGITS = 12;
/** (3004,0058) DVHData, and the value it holds until the real data are spliced in (see splice-values.ts). */
const DVH_DATA_TAG = 0x30040058;
const DVH_DATA_PLACEHOLDER = '1.23456789012345';

function invalid(message: string, details: Record<string, unknown> = {}): DosekitError {
  return new DosekitError('E_INVALID_ARGUMENT', message, details);
}

/**
 * DVHData as DS text: (bin width in Gy, cumulative volume in cm³) pairs up to the last non-zero
 * volume (zero bins beyond it add nothing to a cumulative DVH). Widths are written to 12 significant
 * digits, each chosen so that the running sum of the written widths stays on the true edges;
 * volumes are written exactly where 16 characters allow.
 */
function dvhData(bins: Float64Array, counts: Float64Array): string[] {
  let last = counts.length - 1;
  while (last > 0 && counts[last] === 0) last--;
  const data: string[] = [];
  let edge = bins[0]!;
  for (let i = 0; i <= last; i++) {
    let width = formatDecimalString(Number((bins[i + 1]! - edge).toPrecision(WIDTH_DIGITS)));
    if (!(Number(width) > 0)) width = formatDecimalString(bins[i + 1]! - bins[i]!);
    edge += Number(width);
    data.push(width, formatDecimalString(counts[i]!));
  }
  return data;
}

/** A DVH Sequence item (DVHData a placeholder) and its DVHData value bytes. */
function dvhItem(entry: DvhSequenceEntry, doseType: string, index: number): { item: Dataset; data: Uint8Array } {
  if (!Number.isInteger(entry.roi) || entry.roi < 0) throw invalid(`dvhs[${index}].roi must be the ROI Number of a structure in the RT Structure Set (a non-negative integer; got ${String(entry.roi)}); derived ROIs have none, leave them out`);
  if (entry.dvh.volumeUnits !== 'cm3') {
    throw invalid(`the DVH of ROI ${entry.roi} is in % of the structure volume; the DVH Sequence is written in CM3: convert it with absoluteVolume(volumeCm3) first`, { roi: entry.roi });
  }
  const dvh = entry.dvh.cumulative.absoluteDose();
  const bins = dvh.bins;
  if (bins[0] !== 0) throw invalid(`the DVH of ROI ${entry.roi} does not start at 0 Gy; DICOM DVH bins are widths from 0`, { roi: entry.roi });
  const data = dvhData(bins, dvh.counts);
  const item: Dataset = {
    DVHReferencedROISequence: [{ ReferencedROINumber: entry.roi, DVHROIContributionType: 'INCLUDED' }],
    DVHType: 'CUMULATIVE',
    DoseUnits: 'GY',
    DoseType: doseType,
    DVHDoseScaling: '1',
    DVHVolumeUnits: 'CM3',
    DVHNumberOfBins: data.length / 2,
    DVHData: [DVH_DATA_PLACEHOLDER],
    DVHMinimumDose: formatDecimalString(dvh.min),
    DVHMaximumDose: formatDecimalString(dvh.max),
    DVHMeanDose: formatDecimalString(dvh.mean),
  };
  return { item, data: textValueBytes(data.join('\\')) };
}

function algorithmOf(dvhs: readonly DvhSequenceEntry[], explicit: string | undefined): string | undefined {
  if (explicit !== undefined) return explicit;
  const names = new Set(dvhs.map((d) => d.dvh.computedBy?.algorithm));
  return names.size === 1 ? [...names][0] : undefined;
}

function now(): { date: string; time: string } {
  return { date: dcmjs.data.DicomMetaDictionary.date(), time: dcmjs.data.DicomMetaDictionary.time() };
}

/** One `{roi, dvh}` entry: an object whose dvh can give its cumulative, absolute-dose form. */
function requireEntry(value: unknown, name: string): DvhSequenceEntry {
  const entry = requireObject(value, name);
  const dvh = entry.dvh as { volumeUnits?: unknown; cumulative?: { absoluteDose?: unknown } } | null;
  if (typeof dvh !== 'object' || dvh === null || typeof dvh.volumeUnits !== 'string' || typeof dvh.cumulative !== 'object' || typeof dvh.cumulative?.absoluteDose !== 'function') {
    throw new DosekitError('E_INVALID_ARGUMENT', `${name}.dvh must be a DVH (got ${describeValue(entry.dvh)}).`, { argument: `${name}.dvh` });
  }
  return value as DvhSequenceEntry;
}

/**
 * New RT Dose bytes: `rtDoseBytes` with a DVH Sequence (3004,0050) holding one CUMULATIVE DVH per
 * entry (DVHReferencedROISequence with the ROI number and contribution INCLUDED, DoseUnits GY,
 * DVHDoseScaling 1, DVHVolumeUnits CM3, DVHNumberOfBins, DVHData as (bin width Gy, volume cm³)
 * pairs, DVHMinimumDose / DVHMaximumDose / DVHMeanDose in Gy; DoseType that of the dose). The old
 * DVH Sequence, DVHNormalizationPoint and DVHNormalizationDoseValue are dropped; the last is written
 * only when `normalizationDoseGy` is given. A new SOP Instance UID (file meta too) and instance
 * creation date and time; a Contributing Equipment Sequence item (Modifying Equipment) says
 * "DVH Sequence calculated by dosekit VERSION, ALGORITHM algorithm". Everything else is kept, and the
 * pixel data is written byte for byte as read. Explicit VR little endian, or implicit VR little
 * endian when a DVHData list (or GridFrameOffsetVector) is longer than explicit VR's 64 KiB value
 * length allows.
 * @param rtDoseBytes DICOM Part 10 bytes of an RT Dose in (implicit, explicit or deflated) little endian.
 * @param dvhs The DVHs with their ROI numbers, e.g. `calculateDvhs(...).dvhs`; dose in Gy, cGy or % with rxDose, volume in cm³.
 * @throws DosekitError `E_NOT_RTDOSE` for another kind of object; `E_UNSUPPORTED_TRANSFER_SYNTAX`
 *   for big-endian or compressed pixel data; `E_INVALID_ARGUMENT` for no DVHs, a DVH in relative
 *   volume, a bad ROI number or normalization dose, or no structure set to reference;
 *   `E_NO_RX_DOSE` for a relative-dose DVH without a prescription.
 */
export function withDvhSequence(rtDoseBytes: Uint8Array | ArrayBuffer, dvhs: readonly DvhSequenceEntry[], options: DvhSequenceOptions = {}): Uint8Array {
  requireBytes(rtDoseBytes, 'rtDoseBytes');
  const checked = requireOptions(options, 'options', ['algorithm', 'normalizationDoseGy', 'referencedStructureSetUid', 'file']);
  for (const key of ['algorithm', 'referencedStructureSetUid', 'file']) optional(checked[key], `options.${key}`, requireString);
  optional(checked.normalizationDoseGy, 'options.normalizationDoseGy', (v, n) => requireFiniteNumber(v, n, { min: 0, minExclusive: true }));
  if (Array.isArray(dvhs)) requireArrayOf(dvhs, 'dvhs', requireEntry);
  const file = options.file ?? '<bytes>';
  if (!Array.isArray(dvhs) || dvhs.length === 0) {
    throw invalid(`no DVHs to write into ${file}: the DVH Sequence needs at least one item (were all ROIs refused? see calculateDvhs(...).errors)`, { file });
  }
  const read = readDicom(rtDoseBytes, file);
  const source = read.dataset as NaturalDataset & Dataset;
  if (source.SOPClassUID !== RT_DOSE_STORAGE) {
    throw new DosekitError('E_NOT_RTDOSE', `${file}: SOP Class UID ${String(source.SOPClassUID)} is not RT Dose Storage (${RT_DOSE_STORAGE}); DVHs are written into an RT Dose.`, {
      file,
      attribute: 'SOPClassUID',
    });
  }
  if (!LITTLE_ENDIAN_NATIVE.has(read.transferSyntaxUid)) {
    throw new DosekitError(
      'E_UNSUPPORTED_TRANSFER_SYNTAX',
      `${file}: the dose is stored as ${transferSyntaxName(read.transferSyntaxUid)}; DVHs are written into RT Doses with little-endian, uncompressed pixel data only (so that the pixels stay byte for byte). Convert it first (e.g. \`dcmconv +te\` from DCMTK).`,
      { file, attribute: 'TransferSyntaxUID', transferSyntaxUid: read.transferSyntaxUid },
    );
  }
  if (options.normalizationDoseGy !== undefined && !(Number.isFinite(options.normalizationDoseGy) && options.normalizationDoseGy > 0)) {
    throw invalid(`normalizationDoseGy must be a positive number of Gy (got ${String(options.normalizationDoseGy)})`);
  }
  const doseType = typeof source.DoseType === 'string' && source.DoseType ? source.DoseType : 'PHYSICAL';
  const items = dvhs.map((entry, i) => dvhItem(entry, doseType, i));
  const structureSetUid = options.referencedStructureSetUid;
  const existingReference = (source.ReferencedStructureSetSequence as Dataset[] | undefined)?.[0]?.ReferencedSOPInstanceUID;
  if (!structureSetUid && !existingReference) {
    throw invalid(
      `${file} references no RT Structure Set, and the DVH Sequence needs one (Referenced Structure Set Sequence, type 1): pass referencedStructureSetUid, the SOP Instance UID of the structure set the DVHs were computed from`,
      { file, attribute: 'ReferencedStructureSetSequence' },
    );
  }

  const dataset: Dataset = { ...source };
  for (const name of REPLACED) delete dataset[name];
  const pixels = read.pixelDataView ? read.pixelDataView.slice().buffer : undefined;
  if (pixels) dataset.PixelData = [pixels];
  const vrMap = { ...((source._vrMap as Record<string, string> | undefined) ?? {}) };
  if (dataset.PixelData !== undefined && vrMap.PixelData === undefined) vrMap.PixelData = 'OW';
  dataset._vrMap = vrMap;
  if (Array.isArray(dataset.GridFrameOffsetVector)) dataset.GridFrameOffsetVector = dataset.GridFrameOffsetVector.map((v) => (typeof v === 'number' ? formatDecimalString(v) : v));
  const { date, time } = now();
  const algorithm = algorithmOf(dvhs, options.algorithm);
  const contributions = (source.ContributingEquipmentSequence as Dataset[] | undefined) ?? [];
  Object.assign(dataset, {
    SOPInstanceUID: newDicomUid(),
    InstanceCreationDate: date,
    InstanceCreationTime: time,
    ContributingEquipmentSequence: [
      ...contributions,
      {
        PurposeOfReferenceCodeSequence: [{ CodeValue: '109103', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Modifying Equipment' }],
        Manufacturer: 'dosekit',
        SoftwareVersions: VERSION,
        ContributionDateTime: `${date}${time}`,
        ContributionDescription: `DVH Sequence calculated by dosekit ${VERSION}${algorithm ? `, ${algorithm} algorithm` : ''}`,
      },
    ],
    DVHSequence: items.map((i) => i.item),
    ...(options.normalizationDoseGy !== undefined ? { DVHNormalizationDoseValue: formatDecimalString(options.normalizationDoseGy) } : {}),
    ...(structureSetUid ? { ReferencedStructureSetSequence: [{ ReferencedSOPClassUID: RT_STRUCTURE_SET_STORAGE, ReferencedSOPInstanceUID: structureSetUid }] } : {}),
  });
  const data = items.map((i) => i.data);
  return spliceTextValues(encodeDose(dataset, data.map((d) => d.length)), DVH_DATA_TAG, 'DS', DVH_DATA_PLACEHOLDER, data);
}
