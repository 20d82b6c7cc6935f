// SPDX-License-Identifier: BSD-3-Clause
import { DosekitError } from '../errors.js';
import { requireContourPlanes } from '../model/model-arguments.js';
import { optional, requireBytes, requireFiniteNumber, requireInteger, requireNumberList, requireObject, requireOptions, requireString } from '../validate.js';
import type { DicomDvhRecord, UnmatchedDicomDvh } from '../model/dicom-dvh.js';
import type { DoseGrid } from '../model/dose-grid.js';
import { dosePlaneValues, locateDosePlane } from '../model/dose-plane.js';
import { patientToPixelLut } from '../model/grid-geometry.js';
import type { Image } from '../model/image.js';
import type { Plan } from '../model/plan.js';
import { type StructureVolumeOptions, smallestPlaneGapMm, structureVolumeCm3 } from '../model/structure-volume.js';
import type { ContourPlane, StructureSet } from '../model/structure-set.js';
import type { DosekitWarning } from '../warnings.js';
import { readImage } from './image.js';
import { type NaturalDataset, type ReadContext, has, optionalNumber, optionalNumberList, optionalString, sequence } from './naturalized.js';
import { readDicom, type DicomRead } from './read.js';
import { readDoseGrid } from './rt-dose.js';
import { readDicomDvhs, readUnmatchedDicomDvhs } from './rt-dose-dvh.js';
import { dicompylerPrescription, readPlan } from './rt-plan.js';
import { readStructureSet } from './rt-struct.js';
import { SOP_CLASS_LABELS, type SopClassName, sopClassName } from './sop-class.js';
import { EXPLICIT_VR_BIG_ENDIAN } from './transfer-syntax.js';
import { readFileBytes } from './read-file.js';
import { renderImage, type RenderedImage, lutValue, defaultWindowLevel } from './render-image.js';

/** Study identification (dicompyler-core's GetStudyInfo). */
export interface StudyInfo {
  readonly description: string;
  readonly date: string;
  readonly time: string;
  /** StudyInstanceUID ('' when absent; dicompyler-core invents a random one). */
  readonly id: string;
}

/** Series identification (dicompyler-core's GetSeriesInfo). */
export interface SeriesInfo {
  readonly description: string;
  readonly id: string;
  readonly study: string;
  readonly referenceFrame: string;
  readonly modality: string;
  readonly date: string;
  readonly time: string;
}

/** Patient demographics (dicompyler-core's GetDemographics). */
export interface Demographics {
  readonly name: string;
  readonly id: string;
  readonly birthDate: string | null;
  /** 'M', 'F', 'O' (any other value present) or 'Other' (absent). */
  readonly gender: string;
  readonly givenName: string;
  readonly middleName: string;
  readonly familyName: string;
}

/** One structure's summary (dicompyler-core's GetStructures value). */
export interface StructureSummary {
  readonly id: number;
  readonly name: string;
  readonly type?: string;
  readonly color: readonly [number, number, number];
  readonly empty: boolean;
}

/** One contour as dicompyler-core's GetStructureCoordinates lists it. */
export interface ContourCoordinates {
  readonly type: string;
  readonly numPoints: number;
  /** [x, y, z] in mm. */
  readonly data: readonly (readonly [number, number, number])[];
}

/** A dose plane in stored units (not scaled), rows x columns, row-major. */
export interface DosePlane {
  readonly rows: number;
  readonly columns: number;
  readonly data: Float64Array;
}

/** dicompyler-core's GetImageData, camelCased. */
export interface ImageData {
  readonly position: readonly number[];
  readonly orientation: readonly number[];
  readonly pixelSpacing: readonly number[];
  readonly rows: number;
  readonly columns: number;
  readonly samplesPerPixel: number;
  readonly photometricInterpretation: string;
  readonly littleEndian: boolean;
  readonly patientPosition?: string;
  readonly frames: number;
}

/** dicompyler-core's GetDoseData, camelCased: the image data plus the dose attributes. */
export interface DoseData extends ImageData {
  readonly doseUnits: string;
  readonly doseType: string;
  readonly doseComment: string;
  readonly doseSummationType: string;
  /** DoseGridScaling, or '' when absent (as dicompyler-core). */
  readonly doseGridScaling: number | '';
  /** The largest stored pixel value (not scaled). */
  readonly doseMax: number;
  readonly lut: { readonly columnLutMm: Float64Array; readonly rowLutMm: Float64Array };
  readonly xLutIndex: 0 | 1;
  /** ReferencedFractionGroupNumber, or ''. */
  readonly fraction: number | '';
}

/** dicompyler-core's GetPlan: rxDose in cGy. */
export interface PlanSummary {
  readonly label: string;
  readonly date: string;
  readonly time: string;
  readonly name: string;
  /** Prescription in cGy (dicompyler-core's rule; see `dicompylerPrescription`). */
  readonly rxDose: number;
  readonly brachy: boolean;
}

const ORIENTATION_TYPES: readonly [string, readonly number[]][] = [
  ['SA', [1, 0, 0, 0, 1, 0]],
  ['PA', [-1, 0, 0, 0, -1, 0]],
  ['SS', [0, 1, 0, 0, 0, -1]],
  ['PS', [0, -1, 0, 0, 0, -1]],
  ['SC', [1, 0, 0, 0, 0, -1]],
  ['PC', [-1, 0, 0, 0, 0, -1]],
];

/** The largest width or height `getImage` renders, in pixels (a 16384 x 16384 RGBA image is 1 GiB). */
export const MAX_IMAGE_SIDE_PX = 16384;

/**
 * The dicompyler-style facade over one DICOM file: the getters of dicompyler-core's
 * `DicomParser`, camelCased, plus typed model accessors (`toStructureSet`, `toDoseGrid`,
 * `toPlan`, `toImage`) that the rest of dosekit uses.
 */
export class DicomParser {
  readonly #read: DicomRead;
  #structureSet?: StructureSet;
  #doseGrid?: DoseGrid;
  #plan?: Plan;
  #image?: Image;

  private constructor(read: DicomRead) {
    this.#read = read;
    if (!has(read.dataset, 'SOPClassUID')) {
      throw new DosekitError('E_MISSING_ATTRIBUTE', `${read.file}: SOPClassUID is missing, so the kind of DICOM object is unknown. The file is damaged or not a composite DICOM object.`, {
        file: read.file,
        attribute: 'SOPClassUID',
      });
    }
  }

  /** Parses DICOM bytes (works everywhere: browser, Node, Deno). `label` names the data in messages. */
  static fromBytes(bytes: ArrayBuffer | Uint8Array, label = '<bytes>'): DicomParser {
    requireBytes(bytes, 'bytes');
    requireString(label, 'label');
    return new DicomParser(readDicom(bytes, label));
  }

  /** Reads and parses a file (Node and Deno). */
  static async fromFile(path: string): Promise<DicomParser> {
    requireString(path, 'path', true);
    // The bytes are this call's own: pixel data at an odd offset is aligned in place, not copied.
    return new DicomParser(readDicom(await readFileBytes(path), path, { ownsBytes: true }));
  }

  /** The file path or label this parser was created from. */
  get source(): string {
    return this.#read.file;
  }

  /** The transfer syntax UID of the file. */
  get transferSyntaxUid(): string {
    return this.#read.transferSyntaxUid;
  }

  /** Non-fatal observations made while reading (e.g. dcmjs validation messages). */
  get warnings(): readonly DosekitWarning[] {
    return this.#read.warnings;
  }

  get #ds(): NaturalDataset {
    return this.#read.dataset;
  }

  get #ctx(): ReadContext {
    return { file: this.#read.file };
  }

  #string(keyword: string, fallback = ''): string {
    return optionalString(this.#ds, keyword) ?? fallback;
  }

  #require(kind: SopClassName | SopClassName[], code: 'E_NOT_RTSTRUCT' | 'E_NOT_RTDOSE' | 'E_NOT_RTPLAN' | 'E_NOT_IMAGE'): void {
    const kinds = Array.isArray(kind) ? kind : [kind];
    const actual = this.getSOPClassUID();
    if (!kinds.includes(actual)) {
      const wanted = kinds.map((k) => SOP_CLASS_LABELS[k]).join(' or ');
      throw new DosekitError(code, `${this.source}: this is a ${SOP_CLASS_LABELS[actual]} (Modality ${this.#string('Modality', '?')}), not an ${wanted}. Check which file was given where.`, {
        file: this.source,
        attribute: 'SOPClassUID',
        sopClass: actual,
      });
    }
  }

  // ---- identification --------------------------------------------------------------------

  /** 'rtss' | 'rtdose' | 'rtplan' | 'ct' | 'mr' | 'pt' | 'rtimage' | 'rtrecord' | 'other'. */
  getSOPClassUID(): SopClassName {
    return sopClassName(optionalString(this.#ds, 'SOPClassUID'));
  }

  getSOPInstanceUID(): string {
    return this.#string('SOPInstanceUID');
  }

  getStudyInfo(): StudyInfo {
    return {
      description: this.#string('StudyDescription', 'No description'),
      date: this.#string('StudyDate'),
      time: this.#string('StudyTime'),
      id: this.#string('StudyInstanceUID'),
    };
  }

  /** SeriesDate/SeriesTime, falling back to InstanceCreationDate/Time. */
  getSeriesDateTime(): { date: string; time: string } {
    return {
      date: optionalString(this.#ds, 'SeriesDate') ?? this.#string('InstanceCreationDate'),
      time: optionalString(this.#ds, 'SeriesTime') ?? this.#string('InstanceCreationTime'),
    };
  }

  getSeriesInfo(): SeriesInfo {
    const id = this.#string('SeriesInstanceUID');
    return {
      description: this.#string('SeriesDescription', 'No description'),
      id,
      study: optionalString(this.#ds, 'StudyInstanceUID') ?? id,
      // dicompyler-core invents a random number when the file has no FrameOfReferenceUID; the
      // referenced frame of reference (an RT Structure Set's) is the useful, deterministic answer.
      referenceFrame: this.getFrameOfReferenceUID(),
      modality: this.#string('Modality', 'OT'),
      ...this.getSeriesDateTime(),
    };
  }

  /** SeriesInstanceUID of the images an RT Structure Set was drawn on ('' when not referenced). */
  getReferencedSeries(): string {
    const frame = sequence(this.#ds, 'ReferencedFrameOfReferenceSequence')[0];
    const study = frame ? sequence(frame, 'RTReferencedStudySequence')[0] : undefined;
    const series = study ? sequence(study, 'RTReferencedSeriesSequence')[0] : undefined;
    return series ? (optionalString(series, 'SeriesInstanceUID') ?? '') : '';
  }

  /** The file's FrameOfReferenceUID, else the first referenced one, else ''. */
  getFrameOfReferenceUID(): string {
    const own = optionalString(this.#ds, 'FrameOfReferenceUID');
    if (own) return own;
    const frame = sequence(this.#ds, 'ReferencedFrameOfReferenceSequence')[0];
    return frame ? (optionalString(frame, 'FrameOfReferenceUID') ?? '') : '';
  }

  getReferencedStructureSet(): string {
    const item = sequence(this.#ds, 'ReferencedStructureSetSequence')[0];
    return item ? (optionalString(item, 'ReferencedSOPInstanceUID') ?? '') : '';
  }

  getReferencedRTPlan(): string {
    const item = sequence(this.#ds, 'ReferencedRTPlanSequence')[0];
    return item ? (optionalString(item, 'ReferencedSOPInstanceUID') ?? '') : '';
  }

  getDemographics(): Demographics {
    const name = optionalString(this.#ds, 'PatientName');
    const parts = (name ?? '').split('^');
    const sex = optionalString(this.#ds, 'PatientSex');
    return {
      name: name ?? 'None',
      id: this.#string('PatientID', 'None'),
      birthDate: optionalString(this.#ds, 'PatientBirthDate') ?? null,
      gender: sex === undefined ? 'Other' : sex === 'M' || sex === 'F' ? sex : 'O',
      givenName: parts[1] ?? '',
      middleName: parts[2] ?? '',
      familyName: parts[0] ?? '',
    };
  }

  // ---- RT Structure Set ------------------------------------------------------------------

  /** The typed StructureSet model. @throws E_NOT_RTSTRUCT for other objects. */
  toStructureSet(): StructureSet {
    this.#require('rtss', 'E_NOT_RTSTRUCT');
    this.#structureSet ??= readStructureSet(this.#read);
    return this.#structureSet;
  }

  getStructureInfo(): { label: string; date: string; time: string; numContours: number } {
    this.#require('rtss', 'E_NOT_RTSTRUCT');
    return {
      label: this.#string('StructureSetLabel'),
      date: this.#string('StructureSetDate'),
      time: this.#string('StructureSetTime'),
      numContours: sequence(this.#ds, 'ROIContourSequence').length,
    };
  }

  /** Every ROI keyed by ROINumber. Colours without ROIDisplayColor come from a fixed palette. */
  getStructures(): Record<number, StructureSummary> {
    const out: Record<number, StructureSummary> = {};
    for (const roi of this.toStructureSet().rois) {
      out[roi.number] = { id: roi.number, name: roi.name, ...(roi.interpretedType ? { type: roi.interpretedType } : {}), color: roi.color, empty: roi.empty };
    }
    return out;
  }

  /** Contours of one ROI keyed by dicompyler-core's plane key (e.g. "-98.440"), in file order. */
  getStructureCoordinates(roiNumber: number): Record<string, ContourCoordinates[]> {
    requireInteger(roiNumber, 'roiNumber');
    const roi = this.toStructureSet().rois.find((r) => r.number === roiNumber);
    const out: Record<string, ContourCoordinates[]> = {};
    if (!roi) return out;
    for (const plane of roi.planes) {
      out[plane.key] = plane.contours.map((c) => {
        const data: [number, number, number][] = [];
        for (let i = 0; i < c.pointsMm.length; i += 3) data.push([c.pointsMm[i], c.pointsMm[i + 1], c.pointsMm[i + 2]]);
        return { type: c.geometricType, numPoints: c.pointCount, data };
      });
    }
    return out;
  }

  /** The contour planes of one ROI (model form, ascending z). */
  getStructurePlanes(roiNumber: number): readonly ContourPlane[] {
    requireInteger(roiNumber, 'roiNumber');
    return this.toStructureSet().rois.find((r) => r.number === roiNumber)?.planes ?? [];
  }

  /**
   * The smallest distance between consecutive planes (mm), 0 for one plane. Accepts the output
   * of getStructureCoordinates (keys) or model planes.
   */
  calculatePlaneThickness(planes: Record<string, unknown> | readonly ContourPlane[]): number {
    if (Array.isArray(planes)) requireContourPlanes(planes, 'planes');
    else {
      // getStructureCoordinates' form: the keys are plane positions in mm.
      for (const key of Object.keys(requireObject(planes, 'planes'))) requireFiniteNumber(key.trim() === '' ? Number.NaN : Number(key), `the plane key ${JSON.stringify(key)} of planes`);
    }
    const z = Array.isArray(planes) ? (planes as readonly ContourPlane[]).map((p) => p.zMm) : Object.keys(planes).map(Number);
    return smallestPlaneGapMm(z);
  }

  /**
   * Volume in cm^3 of an ROI's contour stack (independent of any dose grid): even-odd plane
   * areas x thickness, end planes counting half. dicompyler-core picks the end planes by
   * string order and floors their half areas; pass `{compat: 'dicompyler'}` to reproduce that.
   */
  calculateStructureVolume(roiNumber: number, thicknessMm?: number, options: StructureVolumeOptions = {}): number {
    requireInteger(roiNumber, 'roiNumber');
    optional(thicknessMm, 'thicknessMm', (v, n) => requireFiniteNumber(v, n, { min: 0 }));
    const planes = this.getStructurePlanes(roiNumber);
    const thickness = thicknessMm ?? this.calculatePlaneThickness(planes);
    return structureVolumeCm3(planes, thickness, options);
  }

  // ---- RT Dose ---------------------------------------------------------------------------

  /** The typed DoseGrid model. @throws E_NOT_RTDOSE for other objects. */
  toDoseGrid(): DoseGrid {
    this.#require('rtdose', 'E_NOT_RTDOSE');
    this.#doseGrid ??= readDoseGrid(this.#read);
    return this.#doseGrid;
  }

  /** True when the RT Dose carries a DVH Sequence. */
  hasDVHs(): boolean {
    return sequence(this.#ds, 'DVHSequence').length > 0;
  }

  /** The raw DVH Sequence items (see `DVH.fromDicomDvh` to turn one into a DVH). */
  getDVHs(): readonly DicomDvhRecord[] {
    this.#require('rtdose', 'E_NOT_RTDOSE');
    return readDicomDvhs(this.#read);
  }

  /** The DVH Sequence items that name no ROI, or several (a combination): they belong to no single structure. */
  getUnmatchedDVHs(): readonly UnmatchedDicomDvh[] {
    this.#require('rtdose', 'E_NOT_RTDOSE');
    return readUnmatchedDicomDvhs(this.#read);
  }

  getDoseData(): DoseData {
    const grid = this.toDoseGrid();
    const g = grid.geometry;
    const fractionGroup = sequence(sequence(this.#ds, 'ReferencedRTPlanSequence')[0] ?? {}, 'ReferencedFractionGroupSequence')[0];
    return {
      ...this.#imageBasics(g.frames),
      doseUnits: this.#string('DoseUnits'),
      doseType: this.#string('DoseType'),
      doseComment: this.#string('DoseComment'),
      doseSummationType: this.#string('DoseSummationType'),
      doseGridScaling: has(this.#ds, 'DoseGridScaling') ? grid.doseGridScaling : '',
      doseMax: grid.maxStoredValue,
      lut: patientToPixelLut(g),
      xLutIndex: g.xLutIndex,
      fraction: fractionGroup ? (optionalNumber(fractionGroup, 'ReferencedFractionGroupNumber', this.#ctx) ?? '') : '',
    };
  }

  #imageBasics(frames: number): ImageData {
    const ds = this.#ds;
    const ctx = this.#ctx;
    const patientPosition = optionalString(ds, 'PatientPosition');
    return {
      position: optionalNumberList(ds, 'ImagePositionPatient', ctx) ?? [],
      orientation: optionalNumberList(ds, 'ImageOrientationPatient', ctx) ?? [],
      pixelSpacing: optionalNumberList(ds, 'PixelSpacing', ctx) ?? [],
      rows: optionalNumber(ds, 'Rows', ctx) ?? 0,
      columns: optionalNumber(ds, 'Columns', ctx) ?? 0,
      samplesPerPixel: optionalNumber(ds, 'SamplesPerPixel', ctx) ?? 1,
      photometricInterpretation: this.#string('PhotometricInterpretation'),
      littleEndian: this.#read.transferSyntaxUid !== EXPLICIT_VR_BIG_ENDIAN,
      ...(patientPosition ? { patientPosition } : {}),
      frames,
    };
  }

  /**
   * The dose plane at z (mm) in stored units, as dicompyler-core: the nearest frame when it is
   * closer than `thresholdMm`; null outside the grid; otherwise linear interpolation between
   * the nearest and the second-nearest frame (see `locateDosePlane`).
   */
  getDoseGrid(zMm: number, thresholdMm = 0.5): DosePlane | null {
    requireFiniteNumber(zMm, 'zMm');
    requireFiniteNumber(thresholdMm, 'thresholdMm', { min: 0 });
    const grid = this.toDoseGrid();
    const source = locateDosePlane(grid, zMm, thresholdMm);
    if (!source) return null;
    return { rows: grid.geometry.rows, columns: grid.geometry.columns, data: dosePlaneValues(grid, source) };
  }

  /** fraction x upper + (1 - fraction) x lower, element by element. */
  interpolateDosePlanes(upper: Float64Array, lower: Float64Array, fraction: number): Float64Array {
    requireNumberList(upper, 'upper');
    const lowerList = requireNumberList(lower, 'lower');
    if (lowerList.length !== upper.length) throw new DosekitError('E_INVALID_ARGUMENT', `lower must have as many values as upper (${upper.length}; got ${lowerList.length}).`, { argument: 'lower' });
    requireFiniteNumber(fraction, 'fraction');
    const out = new Float64Array(upper.length);
    for (let i = 0; i < out.length; i += 1) out[i] = fraction * upper[i] + (1.0 - fraction) * lower[i];
    return out;
  }

  /** [column, row] of every pixel of the plane at z whose stored value is at least `level` (stored units). */
  getIsodosePoints(zMm: number, level: number, thresholdMm = 0.5): [number, number][] {
    requireFiniteNumber(level, 'level');
    const plane = this.getDoseGrid(zMm, thresholdMm);
    const points: [number, number][] = [];
    if (!plane) return points;
    for (let r = 0; r < plane.rows; r += 1) {
      for (let c = 0; c < plane.columns; c += 1) if (plane.data[r * plane.columns + c] >= level) points.push([c, r]);
    }
    return points;
  }

  /** The ReferencedBeamNumber a beam dose refers to, or null. */
  getReferencedBeamNumber(): number | null {
    const plan = sequence(this.#ds, 'ReferencedRTPlanSequence')[0];
    const fraction = plan ? sequence(plan, 'ReferencedFractionGroupSequence')[0] : undefined;
    const beam = fraction ? sequence(fraction, 'ReferencedBeamSequence')[0] : undefined;
    return beam ? (optionalNumber(beam, 'ReferencedBeamNumber', this.#ctx) ?? null) : null;
  }

  // ---- RT Plan ---------------------------------------------------------------------------

  /** The typed Plan model. @throws E_NOT_RTPLAN for other objects. */
  toPlan(): Plan {
    this.#require('rtplan', 'E_NOT_RTPLAN');
    this.#plan ??= readPlan(this.#read);
    return this.#plan;
  }

  /** dicompyler-core's GetPlan (rxDose in cGy). */
  getPlan(): PlanSummary {
    this.#require('rtplan', 'E_NOT_RTPLAN');
    const { rxDoseCGy, name } = dicompylerPrescription(this.#ds, this.#ctx);
    return {
      label: this.#string('RTPlanLabel'),
      date: this.#string('RTPlanDate'),
      time: this.#string('RTPlanTime'),
      name,
      rxDose: rxDoseCGy,
      brachy: this.toPlan().brachy,
    };
  }

  /** Beams of fraction group `fraction` (0-based) keyed by beam number; dose in cGy over all fractions. */
  getReferencedBeamsInFraction(fraction = 0): Record<number, { name: string; description: string; dose?: number }> {
    requireInteger(fraction, 'fraction', { min: 0 });
    this.#require('rtplan', 'E_NOT_RTPLAN');
    const beams: Record<number, { name: string; description: string; dose?: number }> = {};
    const beamItems = has(this.#ds, 'BeamSequence') ? sequence(this.#ds, 'BeamSequence') : sequence(this.#ds, 'IonBeamSequence');
    for (const item of beamItems) {
      const number = optionalNumber(item, 'BeamNumber', this.#ctx);
      if (number !== undefined) beams[number] = { name: optionalString(item, 'BeamName') ?? '', description: optionalString(item, 'BeamDescription') ?? '' };
    }
    const group = sequence(this.#ds, 'FractionGroupSequence')[fraction];
    if (!group) return beams;
    const fractions = optionalNumber(group, 'NumberOfFractionsPlanned', this.#ctx) ?? 0;
    for (const ref of sequence(group, 'ReferencedBeamSequence')) {
      const number = optionalNumber(ref, 'ReferencedBeamNumber', this.#ctx);
      const beamDose = optionalNumber(ref, 'BeamDose', this.#ctx);
      if (number === undefined) continue;
      beams[number] ??= { name: '', description: '' };
      if (beamDose !== undefined) beams[number] = { ...beams[number], dose: beamDose * fractions * 100 };
    }
    return beams;
  }

  // ---- images ----------------------------------------------------------------------------

  /** The typed Image model of a CT, MR or PET file. @throws E_NOT_IMAGE for other objects. */
  toImage(): Image {
    this.#require(['ct', 'mr', 'pt'], 'E_NOT_IMAGE');
    this.#image ??= readImage(this.#read);
    return this.#image;
  }

  getImageData(): ImageData {
    return this.#imageBasics(this.getNumberOfFrames());
  }

  getNumberOfFrames(): number {
    return optionalNumber(this.#ds, 'NumberOfFrames', this.#ctx) ?? 1;
  }

  /** Position along the slice normal (mm), negated for feet-first PatientPosition, as dicompyler-core. */
  getImageLocation(): number {
    const ctx = this.#ctx;
    const iop = optionalNumberList(this.#ds, 'ImageOrientationPatient', ctx) ?? [1, 0, 0, 0, 1, 0];
    const ipp = optionalNumberList(this.#ds, 'ImagePositionPatient', ctx) ?? [0, 0, 0];
    const normal = [iop[1] * iop[5] - iop[2] * iop[4], iop[2] * iop[3] - iop[0] * iop[5], iop[0] * iop[4] - iop[1] * iop[3]];
    const location = normal[0] * ipp[0] + normal[1] * ipp[1] + normal[2] * ipp[2];
    return (optionalString(this.#ds, 'PatientPosition') ?? '').toLowerCase().includes('ff') ? -location : location;
  }

  /** 'SA' | 'PA' | 'SS' | 'PS' | 'SC' | 'PC' (supine/prone axial, sagittal, coronal) or 'NA'. */
  getImageOrientationType(): string {
    const iop = optionalNumberList(this.#ds, 'ImageOrientationPatient', this.#ctx) ?? [];
    if (iop.length !== 6) return 'NA';
    for (const [name, template] of ORIENTATION_TYPES) {
      if (template.every((t, i) => Math.round(iop[i] - t) === 0)) return name;
    }
    return 'NA';
  }

  /** [RescaleIntercept, RescaleSlope], defaulting to [0, 1]. */
  getRescaleInterceptSlope(): [number, number] {
    return [optionalNumber(this.#ds, 'RescaleIntercept', this.#ctx) ?? 0, optionalNumber(this.#ds, 'RescaleSlope', this.#ctx) ?? 1];
  }

  /** Patient coordinate (mm) of every column and row centre (see `patientToPixelLut`). */
  getPatientToPixelLUT(): { columnLutMm: Float64Array; rowLutMm: Float64Array } {
    const kind = this.getSOPClassUID();
    return patientToPixelLut(kind === 'rtdose' ? this.toDoseGrid().geometry : this.toImage().geometry);
  }

  /** [window, level] from WindowWidth/WindowCenter, else from the stored pixel range. */
  getDefaultImageWindowLevel(): [number, number] {
    const image = this.toImage();
    return defaultWindowLevel(image);
  }

  /** The DICOM linear VOI LUT applied to `values`, giving 0-255 (fractional) grey levels. */
  getLUTValue(values: ArrayLike<number>, window: number, level: number): Float64Array {
    requireNumberList(values, 'values', false);
    requireFiniteNumber(window, 'window', { min: 1 });
    requireFiniteNumber(level, 'level');
    return lutValue(values, window, level);
  }

  /**
   * Renders one frame as RGBA pixels (usable as browser ImageData): rescale, window/level,
   * optional nearest-neighbour resize to `size` [width, height].
   */
  getImage(window?: number, level?: number, options: { size?: readonly [number, number]; frame?: number } = {}): RenderedImage {
    optional(window, 'window', (v, n) => requireFiniteNumber(v, n, { min: 1 }));
    optional(level, 'level', requireFiniteNumber);
    const checked = requireOptions(options, 'options', ['size', 'frame']);
    const image = this.toImage();
    optional(checked.frame, 'options.frame', (v, n) => requireInteger(v, n, { min: 0, max: image.geometry.frames - 1 }));
    optional(checked.size, 'options.size', (v, n) => {
      const size = requireNumberList(v, n);
      if (size.length !== 2) throw new DosekitError('E_INVALID_ARGUMENT', `${n} must be [width, height] in pixels (got ${size.length} numbers).`, { argument: n });
      requireInteger(size[0], `${n}[0] (width)`, { min: 1, max: MAX_IMAGE_SIDE_PX });
      requireInteger(size[1], `${n}[1] (height)`, { min: 1, max: MAX_IMAGE_SIDE_PX });
    });
    const [defaultWindow, defaultLevel] = defaultWindowLevel(image);
    return renderImage(image, window ?? defaultWindow, level ?? defaultLevel, options);
  }
}
