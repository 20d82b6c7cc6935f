// SPDX-License-Identifier: BSD-3-Clause
// readDicomHeader: who a DICOM object is and what it references, from the first bytes of its file.
import { DosekitError, isDosekitError } from '../errors.js';
import { readFileMetaStrings } from './contour-data.js';
import { type NaturalDataset, optionalString, sequence } from './naturalized.js';
import { fileMetaEnd, MalformedElements, scanTopLevel } from './element-scan.js';
import { type DicomElementsRead, readDicomElementsUntil, wrapBareDataset } from './read.js';
import { type SopClassName, sopClassName } from './sop-class.js';
import { EXPLICIT_VR_BIG_ENDIAN, EXPLICIT_VR_LITTLE_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN } from './transfer-syntax.js';

/** The identification and references of one DICOM object, read without its bulk data. */
export interface DicomHeader {
  /** The path or label the bytes were read from. */
  readonly file: string;
  readonly sopClassUid: string;
  /** dosekit's short name of the SOP class ('rtdose', 'rtss', 'rtplan', 'ct', ...). */
  readonly sopClass: SopClassName;
  readonly sopInstanceUid: string;
  readonly modality: string;
  /** PatientID ('' when absent). */
  readonly patientId: string;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  /** FrameOfReferenceUID; for an RT Structure Set without one, its first referenced frame of reference; '' when none. */
  readonly frameOfReferenceUid: string;
  /** ReferencedRTPlanSequence[0] ReferencedSOPInstanceUID (an RT Dose's plan); '' when absent. */
  readonly referencedRtPlanUid: string;
  /** ReferencedStructureSetSequence[0] ReferencedSOPInstanceUID (RT Plan, some RT Doses); '' when absent. */
  readonly referencedStructureSetUid: string;
  /** The file's transfer syntax UID ('' for a bare dataset). */
  readonly transferSyntaxUid: string;
}

/** Options of {@link readDicomHeader}. */
export interface ReadDicomHeaderOptions {
  /** Size in bytes of the whole file when `bytes` holds only its beginning (default: `bytes` is the whole file). */
  readonly fileByteLength?: number;
}

const PIXEL_DATA = '7FE00010';
const ROI_CONTOUR_SEQUENCE = '30060039';
const RT_STRUCTURE_SET_STORAGE = '1.2.840.10008.5.1.4.1.1.481.3';
const PIXEL_KINDS: ReadonlySet<SopClassName> = new Set(['rtdose', 'ct', 'mr', 'pt', 'rtimage']);
const SCANNABLE_SYNTAXES: ReadonlySet<string> = new Set([IMPLICIT_VR_LITTLE_ENDIAN, EXPLICIT_VR_LITTLE_ENDIAN, EXPLICIT_VR_BIG_ENDIAN]);

function firstReference(dataset: NaturalDataset, keyword: string): string {
  const item = sequence(dataset, keyword)[0];
  return item ? (optionalString(item, 'ReferencedSOPInstanceUID') ?? '') : '';
}

function frameOfReference(dataset: NaturalDataset): string {
  const own = optionalString(dataset, 'FrameOfReferenceUID');
  if (own) return own;
  const item = sequence(dataset, 'ReferencedFrameOfReferenceSequence')[0];
  return item ? (optionalString(item, 'FrameOfReferenceUID') ?? '') : '';
}

function truncated(file: string, what: string): DosekitError {
  return new DosekitError('E_MALFORMED_DICOM', `${file}: the file ends ${what}; it is truncated (an interrupted copy or download). Copy it again from its source.`, { file });
}

function hasDicmMarker(view: Uint8Array): boolean {
  return view.length >= 132 && view[128] === 0x44 && view[129] === 0x49 && view[130] === 0x43 && view[131] === 0x4d;
}

/** Top-level elements the header is made of (besides groups 0008, 0010, 0020 and 0028). */
const HEADER_TAGS: ReadonlySet<number> = new Set([0x30060010, 0x300c0002, 0x300c0060]);
const HEADER_GROUPS: ReadonlySet<number> = new Set([0x0008, 0x0010, 0x0020, 0x0028]);

/** Where the scan may stop: past the last header element this kind of object can have. */
function stopRule(metaClass: string | undefined): (tag: number) => boolean {
  const kind = sopClassName(metaClass);
  if (kind === 'rtss') return (tag) => tag > 0x30060010;
  if (metaClass && !PIXEL_KINDS.has(kind)) return (tag) => tag > 0x300c0060;
  // Objects with pixels are walked up to PixelData, so that a cut in it is noticed.
  return (tag) => tag >= 0x7fe00010;
}

/**
 * The fast path: walk the top-level elements at the byte level, then let dcmjs decode only the
 * header elements (an RT Plan's beams, an RT Dose's DVHs and every value behind the header are
 * skipped). Null when the bytes end inside an element.
 */
function readScanned(view: Uint8Array, label: string, syntax: string, metaClass: string | undefined, fileByteLength: number): DicomElementsRead | null {
  const metaEnd = fileMetaEnd(view);
  if (metaEnd === null) return null;
  let scan: ReturnType<typeof scanTopLevel>;
  try {
    scan = scanTopLevel(view, metaEnd, syntax, stopRule(metaClass));
  } catch (error) {
    if (!(error instanceof MalformedElements)) throw error;
    throw new DosekitError('E_MALFORMED_DICOM', `${label}: the DICOM elements are inconsistent (${error.message}); the file is damaged.`, { file: label });
  }
  if (scan.outcome === 'cut') return null;
  const stop = scan.stoppedAt;
  if (stop?.tag === 0x7fe00010 && stop.end > fileByteLength) {
    throw truncated(label, `within its PixelData (7FE0,0010): ${stop.end} bytes are needed, the file has ${fileByteLength}`);
  }
  // Any element the scan stopped at must fit in the file too (random bytes after a file meta
  // stop the scan at once, with a length far past the end).
  if (stop && stop.end > fileByteLength) {
    const tag = stop.tag.toString(16).toUpperCase().padStart(8, '0');
    throw new DosekitError('E_MALFORMED_DICOM', `${label}: element (${tag.slice(0, 4)},${tag.slice(4)}) at byte ${stop.start} declares more bytes than the file has; the file is truncated or damaged. Copy or export it again.`, {
      file: label,
    });
  }
  const kept = scan.elements.filter((e) => HEADER_GROUPS.has(e.tag >>> 16) || HEADER_TAGS.has(e.tag));
  const slim = new Uint8Array(metaEnd + kept.reduce((n, e) => n + e.end - e.start, 0));
  slim.set(view.subarray(0, metaEnd));
  let at = metaEnd;
  for (const element of kept) {
    slim.set(view.subarray(element.start, element.end), at);
    at += element.end - element.start;
  }
  const read = readDicomElementsUntil(slim, label, PIXEL_DATA);
  return { ...read, reachedStopTag: scan.outcome === 'stop' };
}

/** The general path (bare datasets, deflated files): dcmjs decodes everything up to PixelData (or ROIContourSequence). */
function readUntil(view: Uint8Array, label: string, metaClass: string | undefined): DicomElementsRead {
  return readDicomElementsUntil(view, label, metaClass === RT_STRUCTURE_SET_STORAGE ? ROI_CONTOUR_SEQUENCE : PIXEL_DATA);
}

/**
 * Reads the identification and references of a DICOM object (SOP class and instance, patient,
 * study, frame of reference, referenced RT Plan and RT Structure Set), decoding only the elements
 * before PixelData (or, in an RT Structure Set, before ROIContourSequence (3006,0039)).
 *
 * `bytes` may be just the beginning of a file (give `fileByteLength`): when the header does not
 * end within them the result is `null`, and the caller reads more (or all) of the file. With the
 * whole file the result is never null. Works everywhere (browser, Node, Deno).
 * @throws DosekitError E_NOT_DICOM for bytes that are not DICOM; E_MALFORMED_DICOM for a damaged
 *   or truncated file (one that ends before its PixelData, or within it); E_MISSING_ATTRIBUTE
 *   without SOPClassUID.
 */
export function readDicomHeader(bytes: ArrayBuffer | Uint8Array, label = '<bytes>', options: ReadDicomHeaderOptions = {}): DicomHeader | null {
  const given = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const partial = given.length < (options.fileByteLength ?? given.length);
  // A bare dataset gets a file meta, so that its elements are walked (lengths checked) like any file's.
  const wrapped = hasDicmMarker(given) ? null : wrapBareDataset(given);
  const view = wrapped ? new Uint8Array(wrapped) : given;
  const fileByteLength = (options.fileByteLength ?? given.length) + (view.length - given.length);
  const meta = readFileMetaStrings(view);
  const metaClass = meta.get(0x0002);
  const syntax = meta.get(0x0010) ?? '';
  let read: DicomElementsRead | null;
  try {
    read = SCANNABLE_SYNTAXES.has(syntax) && hasDicmMarker(view) ? readScanned(view, label, syntax, metaClass, fileByteLength) : readUntil(view, label, metaClass);
  } catch (error) {
    // A prefix that ends inside an element fails to decode; more bytes may well decode.
    if (partial && isDosekitError(error) && error.code === 'E_MALFORMED_DICOM') return null;
    throw error;
  }
  if (read === null) {
    if (partial) return null;
    throw truncated(label, 'in the middle of a DICOM element of its header');
  }
  if (partial && !read.reachedStopTag) return null;
  const dataset = read.dataset;
  const sopClassUid = optionalString(dataset, 'SOPClassUID');
  if (!sopClassUid) {
    throw new DosekitError('E_MISSING_ATTRIBUTE', `${label}: SOPClassUID is missing, so the kind of DICOM object is unknown. The file is damaged or not a composite DICOM object.`, {
      file: label,
      attribute: 'SOPClassUID',
    });
  }
  const sopClass = sopClassName(sopClassUid);
  if (!read.reachedStopTag) {
    // The whole file was read without meeting the element that follows the header.
    if (PIXEL_KINDS.has(sopClass)) throw truncated(label, 'before its PixelData (7FE0,0010)');
    if (sopClass === 'rtss') throw truncated(label, 'before its StructureSetROISequence and ROIContourSequence (3006,0020 and 3006,0039)');
  }
  return Object.freeze({
    file: label,
    sopClassUid,
    sopClass,
    sopInstanceUid: optionalString(dataset, 'SOPInstanceUID') ?? '',
    modality: optionalString(dataset, 'Modality') ?? '',
    patientId: optionalString(dataset, 'PatientID') ?? '',
    studyInstanceUid: optionalString(dataset, 'StudyInstanceUID') ?? '',
    seriesInstanceUid: optionalString(dataset, 'SeriesInstanceUID') ?? '',
    frameOfReferenceUid: frameOfReference(dataset),
    referencedRtPlanUid: firstReference(dataset, 'ReferencedRTPlanSequence'),
    referencedStructureSetUid: firstReference(dataset, 'ReferencedStructureSetSequence'),
    transferSyntaxUid: read.transferSyntaxUid,
  });
}
