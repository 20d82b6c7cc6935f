// SPDX-License-Identifier: BSD-3-Clause
/**
 * Writes dosekit models back to DICOM Part 10 bytes: an RT Structure Set from a StructureSet
 * and an RT Dose from a DoseGrid. The files are what dosekit's own reader (and dcmjs) reads
 * back to the same model: every decimal value is written as the shortest text that reads back
 * as the same number when that fits the 16 characters of a DS, so models whose coordinates are
 * such numbers (e.g. multiples of 1e-6 mm) round-trip exactly.
 */
import dcmjs from 'dcmjs';
import { DosekitError } from '../errors.js';
import { DoseGrid, type PixelArray } from '../model/dose-grid.js';
import { requireStructureSet } from '../model/model-arguments.js';
import { optional, requireInstance, requireObject, requireOptions, requireString } from '../validate.js';
import type { Contour, Roi, StructureSet } from '../model/structure-set.js';
import { VERSION } from '../version.js';
import type { DosekitWarning } from '../warnings.js';
import { withDcmjsWarnings } from './dcmjs-log.js';
import { EXPLICIT_VR_LITTLE_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN } from './transfer-syntax.js';

/** Identification written into every file. */
export interface DicomWriteOptions {
  /** PatientID (default 'DOSEKIT'). */
  readonly patientId?: string;
  /** PatientName, DICOM PN form 'Family^Given' (default 'DOSEKIT^PHANTOM'). */
  readonly patientName?: string;
  /** StudyInstanceUID (default: a new UID). */
  readonly studyInstanceUid?: string;
  /** FrameOfReferenceUID the coordinates (mm) are in. */
  readonly frameOfReferenceUid: string;
  /** SeriesDescription (omitted when absent). */
  readonly seriesDescription?: string;
}

/** Options of {@link writeDoseGridBytes}. */
export interface DoseWriteOptions extends DicomWriteOptions {
  /** SOPInstanceUID of the RT Structure Set the dose refers to (default: the grid's own reference, if any). */
  readonly referencedStructureSetUid?: string;
}

const RT_STRUCTURE_SET_STORAGE = '1.2.840.10008.5.1.4.1.1.481.3';
export const RT_DOSE_STORAGE = '1.2.840.10008.5.1.4.1.1.481.2';
export const RT_PLAN_STORAGE = '1.2.840.10008.5.1.4.1.1.481.5';
const STUDY_COMPONENT_MANAGEMENT = '1.2.840.10008.3.1.2.3.1';
/** dosekit's implementation class UID (a UUID-derived 2.25 UID). */
const IMPLEMENTATION_CLASS_UID = '2.25.202212531357861616852121837615640853774';
/** (3004,000C) GridFrameOffsetVector, the attribute a multi-frame RT Dose steps through. */
const GRID_FRAME_OFFSET_VECTOR_TAG = 0x3004000c;
/** Largest value length an explicit VR element with a 16-bit length field can hold. */
const EXPLICIT_SHORT_LENGTH_LIMIT = 0xfffe;
const DS_MAX_CHARACTERS = 16;

/** A naturalized dataset as dcmjs writes it. */
export type Dataset = Record<string, unknown>;

interface DcmjsWriter {
  dict: Record<string, unknown>;
  write(options?: Record<string, unknown>): ArrayBuffer;
}

/** A new, globally unique DICOM UID (2.25 form, from dcmjs). */
export function newDicomUid(): string {
  return dcmjs.data.DicomMetaDictionary.uid();
}

function stripTrailingZeros(text: string): string {
  const [mantissa, exponent] = text.toLowerCase().split('e');
  const trimmed = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
  if (exponent === undefined) return trimmed;
  const power = Number(exponent);
  return power === 0 ? trimmed : `${trimmed}e${power}`;
}

/**
 * The DS (decimal string) text of a number: the shortest text that reads back as exactly
 * `value` when it has at most 16 characters, else the 16-character fixed or exponential text
 * nearest to `value`.
 * @throws DosekitError E_INVALID_ARGUMENT for NaN or infinite values.
 */
export function formatDecimalString(value: number): string {
  if (!Number.isFinite(value)) {
    throw new DosekitError('E_INVALID_ARGUMENT', `Cannot write ${value} as a DICOM decimal string; values must be finite numbers.`);
  }
  const shortest = String(value);
  if (shortest.length <= DS_MAX_CHARACTERS) return shortest;
  for (let digits = 17; digits >= 1; digits -= 1) {
    let best: string | undefined;
    let bestError = Infinity;
    for (const candidate of [value.toPrecision(digits), value.toExponential(digits - 1)]) {
      const text = stripTrailingZeros(candidate);
      if (text.length > DS_MAX_CHARACTERS) continue;
      const error = Math.abs(Number(text) - value);
      if (error < bestError || (error === bestError && best !== undefined && text.length < best.length)) {
        best = text;
        bestError = error;
      }
    }
    if (best !== undefined) return best;
  }
  // Unreachable: one significant digit always fits.
  return value.toExponential(0);
}

/** True when {@link formatDecimalString} writes `value` so that it reads back as exactly `value`. */
export function isExactDecimalString(value: number): boolean {
  return Number.isFinite(value) && Number(formatDecimalString(value)) === value;
}

function decimalStrings(values: ArrayLike<number>): string[] {
  return Array.from(values, (v) => formatDecimalString(v));
}

/** Bytes a multi-valued string element takes: the values, their backslashes, even padding. */
function encodedLength(values: readonly string[]): number {
  const length = values.reduce((n, v) => n + v.length, 0) + Math.max(0, values.length - 1);
  return length + (length % 2);
}

function today(): { date: string; time: string } {
  return { date: dcmjs.data.DicomMetaDictionary.date(), time: dcmjs.data.DicomMetaDictionary.time() };
}

function patientAndStudy(options: DicomWriteOptions, studyInstanceUid: string): Dataset {
  const { date, time } = today();
  return {
    PatientName: [{ Alphabetic: options.patientName ?? 'DOSEKIT^PHANTOM' }],
    PatientID: options.patientId ?? 'DOSEKIT',
    PatientBirthDate: '',
    PatientSex: '',
    StudyInstanceUID: studyInstanceUid,
    StudyDate: date,
    StudyTime: time,
    ReferringPhysicianName: '',
    StudyID: '',
    AccessionNumber: '',
    Manufacturer: 'dosekit',
    SoftwareVersions: VERSION,
    ...(options.seriesDescription !== undefined ? { SeriesDescription: options.seriesDescription } : {}),
  };
}

function fileMeta(sopClassUid: string, sopInstanceUid: string, transferSyntaxUid: string): Record<string, unknown> {
  return {
    '00020001': { vr: 'OB', Value: [new Uint8Array([0, 1]).buffer] },
    '00020002': { vr: 'UI', Value: [sopClassUid] },
    '00020003': { vr: 'UI', Value: [sopInstanceUid] },
    '00020010': { vr: 'UI', Value: [transferSyntaxUid] },
    '00020012': { vr: 'UI', Value: [IMPLEMENTATION_CLASS_UID] },
    '00020013': { vr: 'SH', Value: [`DOSEKIT_${VERSION}`.slice(0, 16)] },
  };
}

/** True when some string anywhere in the dataset (sequences and person names included) is not ASCII. */
function hasNonAscii(value: unknown): boolean {
  if (typeof value === 'string') return /[^\x00-\x7f]/.test(value);
  if (Array.isArray(value)) return value.some(hasNonAscii);
  if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value) && !(value instanceof ArrayBuffer)) return Object.values(value).some(hasNonAscii);
  return false;
}

/**
 * Encodes a naturalized dataset as Part 10 bytes; dcmjs log output is captured, not printed.
 * dcmjs writes text as UTF-8, so a dataset with non-ASCII text declares ISO_IR 192.
 */
function encode(dataset: Dataset, transferSyntaxUid: string): Uint8Array {
  if (hasNonAscii(dataset)) dataset = { SpecificCharacterSet: 'ISO_IR 192', ...dataset };
  const warnings: DosekitWarning[] = [];
  return withDcmjsWarnings('<write>', warnings, () => {
    const dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(dataset);
    const writer = new dcmjs.data.DicomDict(fileMeta(String(dataset.SOPClassUID), String(dataset.SOPInstanceUID), transferSyntaxUid)) as DcmjsWriter;
    writer.dict = dict;
    return new Uint8Array(writer.write());
  });
}

// ---- RT Structure Set ---------------------------------------------------------------------

function contourItem(contour: Contour, index: number): Dataset {
  return {
    ContourNumber: index + 1,
    ContourGeometricType: contour.geometricType,
    NumberOfContourPoints: contour.pointCount,
    ContourData: decimalStrings(contour.pointsMm),
  };
}

function roiContourItem(roi: Roi): Dataset {
  const item: Dataset = { ReferencedROINumber: roi.number };
  // A palette colour was invented by the reader: leaving it out keeps the round trip exact.
  if (roi.colorFromFile) item.ROIDisplayColor = [...roi.color];
  if (!roi.empty) {
    let index = 0;
    const contours: Dataset[] = [];
    for (const plane of roi.planes) for (const contour of plane.contours) contours.push(contourItem(contour, index++));
    item.ContourSequence = contours;
  }
  return item;
}

/** The options of writeStructureSetBytes (and, with referencedStructureSetUid, writeDoseGridBytes). */
const WRITE_OPTION_NAMES = ['patientId', 'patientName', 'studyInstanceUid', 'frameOfReferenceUid', 'seriesDescription'];

function checkWriteOptions(options: unknown, accepted: readonly string[]): void {
  requireObject(options, 'options');
  const checked = requireOptions(options, 'options', accepted);
  requireString(checked.frameOfReferenceUid, 'options.frameOfReferenceUid', true);
  for (const key of accepted) if (key !== 'frameOfReferenceUid') optional(checked[key], `options.${key}`, requireString);
}

/**
 * Part 10 bytes of an RT Structure Set (SOP class 1.2.840.10008.5.1.4.1.1.481.3) holding the
 * ROIs of `structureSet`: StructureSetROISequence, ROIContourSequence (ROIDisplayColor when the
 * model's colour came from a file; CLOSED_PLANAR or other ContourData x\y\z in mm),
 * RTROIObservationsSequence and ReferencedFrameOfReferenceSequence.
 *
 * The SOPInstanceUID is the model's (a new UID when the model has none); the SeriesInstanceUID
 * is new. The transfer syntax is explicit VR little endian, or implicit VR little endian when a
 * contour has so many points that its ContourData would not fit explicit VR's 16-bit length.
 */
export function writeStructureSetBytes(structureSet: StructureSet, options: DicomWriteOptions): Uint8Array {
  requireStructureSet(structureSet, 'structureSet');
  checkWriteOptions(options, WRITE_OPTION_NAMES);
  const sopInstanceUid = structureSet.sopInstanceUid || newDicomUid();
  const studyInstanceUid = options.studyInstanceUid ?? newDicomUid();
  const frameOfReferenceUid = options.frameOfReferenceUid;
  const referencedFrame: Dataset = { FrameOfReferenceUID: frameOfReferenceUid };
  if (structureSet.referencedSeriesUid) {
    referencedFrame.RTReferencedStudySequence = [
      {
        ReferencedSOPClassUID: STUDY_COMPONENT_MANAGEMENT,
        ReferencedSOPInstanceUID: studyInstanceUid,
        RTReferencedSeriesSequence: [{ SeriesInstanceUID: structureSet.referencedSeriesUid }],
      },
    ];
  }
  const roiContours = structureSet.rois.map(roiContourItem);
  const dataset: Dataset = {
    SOPClassUID: RT_STRUCTURE_SET_STORAGE,
    SOPInstanceUID: sopInstanceUid,
    ...patientAndStudy(options, studyInstanceUid),
    Modality: 'RTSTRUCT',
    SeriesInstanceUID: newDicomUid(),
    SeriesNumber: 1,
    InstanceNumber: 1,
    OperatorsName: '',
    StructureSetLabel: structureSet.label || 'DOSEKIT',
    ...(structureSet.name !== undefined ? { StructureSetName: structureSet.name } : {}),
    StructureSetDate: structureSet.date ?? '',
    StructureSetTime: structureSet.time ?? '',
    ReferencedFrameOfReferenceSequence: [referencedFrame],
    StructureSetROISequence: structureSet.rois.map((roi) => ({
      ROINumber: roi.number,
      ReferencedFrameOfReferenceUID: roi.frameOfReferenceUid ?? frameOfReferenceUid,
      ROIName: roi.name,
      ROIGenerationAlgorithm: roi.generationAlgorithm ?? '',
    })),
    ROIContourSequence: roiContours,
    RTROIObservationsSequence: structureSet.rois.map((roi, i) => ({
      ObservationNumber: i + 1,
      ReferencedROINumber: roi.number,
      RTROIInterpretedType: roi.interpretedType ?? '',
      ROIInterpreter: '',
    })),
  };
  const longest = roiContours.reduce((max, item) => {
    const contours = (item.ContourSequence as Dataset[] | undefined) ?? [];
    return contours.reduce((m, c) => Math.max(m, encodedLength(c.ContourData as string[])), max);
  }, 0);
  return encode(dataset, longest > EXPLICIT_SHORT_LENGTH_LIMIT ? IMPLICIT_VR_LITTLE_ENDIAN : EXPLICIT_VR_LITTLE_ENDIAN);
}

// ---- RT Dose ------------------------------------------------------------------------------

function isLittleEndianHost(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

/** The stored values as unsigned 32-bit little-endian bytes (a copy). */
function uint32LittleEndian(pixels: PixelArray): ArrayBuffer {
  const count = pixels.length;
  if (pixels instanceof Uint32Array && isLittleEndianHost()) {
    return new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength).slice().buffer;
  }
  const out = new ArrayBuffer(count * 4);
  const view = new DataView(out);
  for (let i = 0; i < count; i += 1) {
    const v = pixels[i];
    if (!(Number.isInteger(v) && v >= 0 && v <= 0xffffffff)) {
      throw new DosekitError(
        'E_INVALID_ARGUMENT',
        `Cannot write stored dose value ${v} (voxel ${i}) as an unsigned 32-bit integer; store non-negative integers and put the scale in DoseGridScaling.`,
        { attribute: 'PixelData' },
      );
    }
    view.setUint32(i * 4, v, true);
  }
  return out;
}

/**
 * Part 10 bytes of an RT Dose (SOP class 1.2.840.10008.5.1.4.1.1.481.2, explicit VR little
 * endian) holding `grid`: Rows, Columns, NumberOfFrames, PixelSpacing, ImagePositionPatient,
 * ImageOrientationPatient and GridFrameOffsetVector (relative, mm) from the geometry; pixels as
 * unsigned 32-bit integers (BitsAllocated/BitsStored 32, HighBit 31, PixelRepresentation 0, OW);
 * DoseGridScaling, DoseUnits (default GY), DoseType (default PHYSICAL) and DoseSummationType
 * (default PLAN) from the grid. A ReferencedRTPlanSequence is written only when the grid
 * references a plan.
 *
 * The SOPInstanceUID and SeriesInstanceUID are the grid's (new UIDs when it has none).
 * @throws DosekitError E_INVALID_ARGUMENT when DoseGridScaling has no 16-character decimal text
 *   that reads back as the same number (choose e.g. 1e-6 or 2.5e-5), or a stored value is not an
 *   unsigned 32-bit integer.
 */
export function writeDoseGridBytes(grid: DoseGrid, options: DoseWriteOptions): Uint8Array {
  requireInstance(grid, 'grid', DoseGrid, 'a DoseGrid');
  checkWriteOptions(options, [...WRITE_OPTION_NAMES, 'referencedStructureSetUid']);
  const info = grid.info;
  const studyInstanceUid = options.studyInstanceUid ?? info.studyInstanceUid ?? newDicomUid();
  const referencedStructureSetUid = options.referencedStructureSetUid ?? info.referencedStructureSetUid;
  const dataset: Dataset = {
    SOPClassUID: RT_DOSE_STORAGE,
    SOPInstanceUID: info.sopInstanceUid || newDicomUid(),
    ...patientAndStudy(options, studyInstanceUid),
    Modality: 'RTDOSE',
    SeriesInstanceUID: info.seriesInstanceUid ?? newDicomUid(),
    SeriesNumber: 1,
    InstanceNumber: 1,
    FrameOfReferenceUID: options.frameOfReferenceUid,
    PositionReferenceIndicator: '',
    ...(info.referencedPlanUid
      ? { ReferencedRTPlanSequence: [{ ReferencedSOPClassUID: RT_PLAN_STORAGE, ReferencedSOPInstanceUID: info.referencedPlanUid }] }
      : {}),
    ...(referencedStructureSetUid
      ? { ReferencedStructureSetSequence: [{ ReferencedSOPClassUID: RT_STRUCTURE_SET_STORAGE, ReferencedSOPInstanceUID: referencedStructureSetUid }] }
      : {}),
    ...doseGridAttributes(grid),
  };
  return encodeDose(dataset);
}

/**
 * The RT Dose attributes that hold a grid: geometry (ImagePositionPatient,
 * ImageOrientationPatient, PixelSpacing, Rows, Columns, NumberOfFrames, GridFrameOffsetVector
 * relative in mm), 32-bit unsigned pixels, DoseGridScaling, DoseUnits, DoseType,
 * DoseSummationType and DoseComment. Internal to src/dicom.
 */
export function doseGridAttributes(grid: DoseGrid): Dataset {
  const g = grid.geometry;
  const info = grid.info;
  const scalingText = formatDecimalString(grid.doseGridScaling);
  if (Number(scalingText) !== grid.doseGridScaling) {
    throw new DosekitError(
      'E_INVALID_ARGUMENT',
      `DoseGridScaling ${grid.doseGridScaling} cannot be written exactly in 16 characters (it would read back as ${scalingText}); choose a scaling such as 1e-6.`,
      { attribute: 'DoseGridScaling' },
    );
  }
  return {
    ImagePositionPatient: decimalStrings(g.originMm),
    ImageOrientationPatient: decimalStrings([...g.rowCosines, ...g.columnCosines]),
    PixelSpacing: decimalStrings(g.pixelSpacingMm),
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    NumberOfFrames: g.frames,
    FrameIncrementPointer: GRID_FRAME_OFFSET_VECTOR_TAG,
    Rows: g.rows,
    Columns: g.columns,
    BitsAllocated: 32,
    BitsStored: 32,
    HighBit: 31,
    PixelRepresentation: 0,
    DoseUnits: info.doseUnits || 'GY',
    DoseType: info.doseType ?? 'PHYSICAL',
    DoseSummationType: info.summationType ?? 'PLAN',
    ...(info.comment !== undefined ? { DoseComment: info.comment } : {}),
    GridFrameOffsetVector: decimalStrings(g.frameOffsetsMm),
    DoseGridScaling: scalingText,
    PixelData: uint32LittleEndian(grid.pixels),
    _vrMap: { PixelData: 'OW' },
  };
}

/**
 * Encodes an RT Dose dataset: explicit VR little endian unless GridFrameOffsetVector (DS text), or a
 * value the caller splices in afterwards (`spliceValueBytes`, its byte lengths), is too long for
 * explicit VR's 16-bit length field.
 */
export function encodeDose(dataset: Dataset, spliceValueBytes: readonly number[] = []): Uint8Array {
  const frameOffsets = dataset.GridFrameOffsetVector;
  const frameOffsetBytes = Array.isArray(frameOffsets) ? encodedLength(frameOffsets.map(String)) : 0;
  const tooLong = frameOffsetBytes > EXPLICIT_SHORT_LENGTH_LIMIT || spliceValueBytes.some((n) => n > EXPLICIT_SHORT_LENGTH_LIMIT);
  return encode(dataset, tooLong ? IMPLICIT_VR_LITTLE_ENDIAN : EXPLICIT_VR_LITTLE_ENDIAN);
}
