// SPDX-License-Identifier: BSD-3-Clause
import dcmjs from 'dcmjs';
import { DosekitError, isDosekitError } from '../errors.js';
import type { DosekitWarning } from '../warnings.js';
import { hideContourData, locateContourData, locateContourImageSequences, parseDecimalStrings, readFileMetaStrings, restoreContourData } from './contour-data.js';
import { checkDicomStructure } from './dataset-structure.js';
import { withDcmjsWarnings } from './dcmjs-log.js';
import type { NaturalDataset } from './naturalized.js';
import {
  DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
  EXPLICIT_VR_LITTLE_ENDIAN,
  IMPLICIT_VR_LITTLE_ENDIAN,
  assertSupportedTransferSyntax,
} from './transfer-syntax.js';

/** A DICOM file decoded into a naturalized dataset. Internal to src/dicom. */
export interface DicomRead {
  readonly dataset: NaturalDataset;
  readonly transferSyntaxUid: string;
  /** The label used in messages: a path, or `<bytes>` when read from memory. */
  readonly file: string;
  readonly warnings: DosekitWarning[];
  readonly byteLength: number;
  /**
   * Native (not encapsulated) PixelData as a view of the input bytes, when it could be located
   * without copying; otherwise undefined and the dataset's PixelData holds dcmjs's copy. With
   * `ownsBytes`, values at an offset that is not a multiple of their sample size were moved down
   * to the aligned offset in the input bytes (over the end of their element header).
   */
  readonly pixelDataView?: Uint8Array;
}

interface DcmjsDicomDict {
  meta: Record<string, { Value?: unknown[] }>;
  dict: Record<string, unknown>;
}

const PREAMBLE_LENGTH = 128;
const PIXEL_DATA_TAG = '7FE00010';

function headerNumber(dict: Record<string, unknown>, tag: string): number | undefined {
  const element = dict[tag] as { Value?: unknown[] } | undefined;
  const value = element?.Value?.[0];
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Finds native PixelData when it is the last element of the file (as conformant writers put
 * it): its header must sit exactly `expected` bytes before the end (or before one pad byte).
 * Returns the view; 'no-pixels' when the header describes no image (nothing was skipped);
 * null when the pixels are elsewhere or encapsulated, and dcmjs must read everything.
 */
function locatePixelData(bytes: Uint8Array, dicomDict: DcmjsDicomDict): Uint8Array | 'no-pixels' | null {
  const dict = dicomDict.dict;
  const syntax = String(dicomDict.meta?.['00020010']?.Value?.[0] ?? '').replace(/\0+$/, '').trim();
  const rows = headerNumber(dict, '00280010');
  const columns = headerNumber(dict, '00280011');
  const bits = headerNumber(dict, '00280100');
  if (rows === undefined && columns === undefined) return 'no-pixels';
  if (rows === undefined || columns === undefined || bits === undefined) return null;
  const frames = headerNumber(dict, '00280008') ?? 1;
  const samples = headerNumber(dict, '00280002') ?? 1;
  const expected = rows * columns * frames * samples * (bits / 8);
  if (!Number.isInteger(expected) || expected <= 0) return null;
  const bigEndian = syntax === '1.2.840.10008.1.2.2';
  const explicit = syntax !== IMPLICIT_VR_LITTLE_ENDIAN;
  const headerLength = explicit ? 12 : 8;
  for (const padding of [0, 1]) {
    const start = bytes.length - padding - expected - headerLength;
    if (start < PREAMBLE_LENGTH + 4) continue;
    const tagOk = bigEndian
      ? bytes[start] === 0x7f && bytes[start + 1] === 0xe0 && bytes[start + 2] === 0x00 && bytes[start + 3] === 0x10
      : bytes[start] === 0xe0 && bytes[start + 1] === 0x7f && bytes[start + 2] === 0x10 && bytes[start + 3] === 0x00;
    if (!tagOk) continue;
    if (explicit && !(bytes[start + 4] === 0x4f && (bytes[start + 5] === 0x57 || bytes[start + 5] === 0x42))) continue;
    const declared = new DataView(bytes.buffer, bytes.byteOffset + start + headerLength - 4, 4).getUint32(0, !bigEndian);
    if (declared !== expected + padding) continue;
    return bytes.subarray(start + headerLength, start + headerLength + expected);
  }
  return null;
}

/**
 * Pixel data whose offset in the file is not a multiple of its sample size cannot be viewed as
 * 16/32/64-bit values; a copy of a 300 MB RT Dose would double its memory. In bytes this reader
 * owns, move the values down over the last bytes of their element header (already decoded) to
 * the aligned offset instead, in place. Big-endian data is swapped into a copy anyway.
 */
function alignInPlace(located: Uint8Array, dicomDict: DcmjsDicomDict): Uint8Array {
  const syntax = String(dicomDict.meta?.['00020010']?.Value?.[0] ?? '').replace(/\0+$/, '').trim();
  const bytesPerSample = (headerNumber(dicomDict.dict, '00280100') ?? 8) / 8;
  const shift = located.byteOffset % bytesPerSample;
  if (shift === 0 || syntax === '1.2.840.10008.1.2.2') return located;
  const whole = new Uint8Array(located.buffer);
  const target = located.byteOffset - shift;
  whole.copyWithin(target, located.byteOffset, located.byteOffset + located.length);
  return whole.subarray(target, target + located.length);
}

function isArrayBuffer(value: unknown): value is ArrayBuffer {
  // instanceof fails across realms (workers, test sandboxes); the tag does not.
  return Object.prototype.toString.call(value) === '[object ArrayBuffer]';
}

function toArrayBuffer(bytes: ArrayBuffer | Uint8Array): ArrayBuffer {
  if (isArrayBuffer(bytes)) return bytes;
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && isArrayBuffer(bytes.buffer)) return bytes.buffer;
  return bytes.slice().buffer as ArrayBuffer;
}

function hasDicmMagic(view: Uint8Array): boolean {
  return view.length >= PREAMBLE_LENGTH + 4 && view[128] === 0x44 && view[129] === 0x49 && view[130] === 0x43 && view[131] === 0x4d;
}

/**
 * Some systems write a bare dataset (no preamble, no file meta). Such a file starts with a
 * group 0008 element; give it a minimal file meta so the normal reader can take it. Null when
 * `view` does not start like one. Internal to src/dicom.
 */
export function wrapBareDataset(view: Uint8Array): ArrayBuffer | null {
  if (view.length < 8 || view[0] !== 0x08 || view[1] !== 0x00) return null;
  const vr = String.fromCharCode(view[4], view[5]);
  const explicit = /^[A-Z]{2}$/.test(vr);
  const syntax = explicit ? EXPLICIT_VR_LITTLE_ENDIAN : IMPLICIT_VR_LITTLE_ENDIAN;
  const uid = syntax.length % 2 === 0 ? syntax : `${syntax}\0`;
  // (0002,0010) UI, explicit VR little endian, as every file meta is.
  const element = new Uint8Array(8 + uid.length);
  element.set([0x02, 0x00, 0x10, 0x00, 0x55, 0x49, uid.length & 0xff, uid.length >> 8]);
  for (let i = 0; i < uid.length; i += 1) element[8 + i] = uid.charCodeAt(i);
  const groupLength = new Uint8Array(12);
  groupLength.set([0x02, 0x00, 0x00, 0x00, 0x55, 0x4c, 4, 0]);
  new DataView(groupLength.buffer).setUint32(8, element.length, true);
  const out = new Uint8Array(PREAMBLE_LENGTH + 4 + groupLength.length + element.length + view.length);
  out.set([0x44, 0x49, 0x43, 0x4d], PREAMBLE_LENGTH);
  out.set(groupLength, PREAMBLE_LENGTH + 4);
  out.set(element, PREAMBLE_LENGTH + 4 + groupLength.length);
  out.set(view, PREAMBLE_LENGTH + 4 + groupLength.length + element.length);
  return out.buffer;
}

function syntaxOf(dicomDict: DcmjsDicomDict, file: string): string {
  const syntaxValue = dicomDict.meta?.['00020010']?.Value?.[0];
  const transferSyntaxUid = typeof syntaxValue === 'string' ? syntaxValue.replace(/\0+$/, '').trim() : '';
  if (!transferSyntaxUid) {
    throw new DosekitError('E_MISSING_ATTRIBUTE', `${file}: the file meta has no TransferSyntaxUID (0002,0010); the file is damaged.`, {
      file,
      attribute: 'TransferSyntaxUID',
    });
  }
  assertSupportedTransferSyntax(transferSyntaxUid, file);
  return transferSyntaxUid;
}

/** Decimal-string attributes whose value every later number depends on. */
const CHECKED_DECIMAL_STRINGS: Record<string, string> = {
  '3004000E': 'DoseGridScaling',
  '00280030': 'PixelSpacing',
  '00200032': 'ImagePositionPatient',
  '00200037': 'ImageOrientationPatient',
  '3004000C': 'GridFrameOffsetVector',
  '00180050': 'SliceThickness',
  '00281052': 'RescaleIntercept',
  '00281053': 'RescaleSlope',
};
const DECIMAL_STRING = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/**
 * dcmjs drops every character but digits, '.', '+', '-' and 'e' before parsing a decimal
 * string ("2,5" would read as 25) and turns what it cannot parse into null (which would read as
 * absent). For the attributes that scale or place every voxel, put the stored text back when it
 * is not a decimal number, so that reading the attribute fails with E_MALFORMED_DICOM naming it,
 * when (and only when) something uses it.
 */
function restoreInvalidDecimalStrings(dict: Record<string, unknown>, dataset: NaturalDataset): void {
  for (const [tag, keyword] of Object.entries(CHECKED_DECIMAL_STRINGS)) {
    const element = dict[tag] as { _rawValue?: unknown[] } | undefined;
    const raw = element?._rawValue;
    if (!Array.isArray(raw)) continue;
    const texts = raw.map((value) => (value === null || value === undefined ? '' : String(value).replace(/\0+$/, '')));
    if (texts.some((text) => typeof text === 'string' && text.trim() !== '' && !DECIMAL_STRING.test(text))) {
      dataset[keyword] = texts.map((text) => (DECIMAL_STRING.test(text) ? Number(text) : `not a number: ${text}`));
    }
  }
}

function naturalize(dicomDict: DcmjsDicomDict, file: string): NaturalDataset {
  try {
    const dataset = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dicomDict.dict) as NaturalDataset;
    restoreInvalidDecimalStrings(dicomDict.dict, dataset);
    return dataset;
  } catch (error) {
    throw new DosekitError('E_MALFORMED_DICOM', `${file}: cannot interpret the DICOM elements: ${describeFailure(error)}.`, { file }, { cause: error });
  }
}

const RT_STRUCTURE_SET_STORAGE = '1.2.840.10008.5.1.4.1.1.481.3';

/** For a little-endian RT Structure Set: the copy with ContourData hidden and the parsed values. */
function contourFastPath(bytes: Uint8Array): { hidden: Uint8Array; parsed: Float64Array[] } | null {
  const meta = readFileMetaStrings(bytes);
  if (meta.get(0x0002) !== RT_STRUCTURE_SET_STORAGE) return null;
  const syntax = meta.get(0x0010);
  if (syntax !== IMPLICIT_VR_LITTLE_ENDIAN && syntax !== EXPLICIT_VR_LITTLE_ENDIAN) return null;
  const explicit = syntax === EXPLICIT_VR_LITTLE_ENDIAN;
  const values = locateContourData(bytes, 132, explicit);
  if (!values || values.length === 0) return null;
  const parsed: Float64Array[] = [];
  for (const v of values) {
    const numbers = parseDecimalStrings(bytes, v.valueOffset, v.valueLength);
    if (!numbers) return null;
    parsed.push(numbers);
  }
  return { hidden: hideContourData(bytes, values, explicit, locateContourImageSequences(bytes, 132, explicit)), parsed };
}

function describeFailure(error: unknown): string {
  if (error instanceof RangeError) return 'the data ends before an element it announces (truncated or damaged file)';
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

/**
 * Decodes DICOM Part 10 bytes into a naturalized dataset. Pixel data stays a view of `bytes`
 * (no copy). `ownsBytes`: nobody else uses `bytes` (a file just read), so unaligned pixel data
 * may be moved in place rather than copied later. Any failure is a DosekitError naming `file`.
 */
export function readDicom(bytes: ArrayBuffer | Uint8Array, file = '<bytes>', options: { fastContourData?: boolean; ownsBytes?: boolean } = {}): DicomRead {
  const view = isArrayBuffer(bytes) ? new Uint8Array(bytes) : (bytes as Uint8Array);
  if (view.length === 0) {
    throw new DosekitError('E_NOT_DICOM', `${file}: the file is empty; expected a DICOM Part 10 file.`, { file });
  }
  let buffer: ArrayBuffer;
  if (hasDicmMagic(view)) {
    buffer = toArrayBuffer(bytes);
  } else {
    const wrapped = wrapBareDataset(view);
    if (!wrapped) {
      throw new DosekitError(
        'E_NOT_DICOM',
        `${file}: not a DICOM file (no "DICM" marker after the 128-byte preamble, and it does not start like a bare dataset). Check that the path points at a .dcm file.`,
        { file },
      );
    }
    buffer = wrapped;
  }

  // Every length checked against the bytes that hold it before dcmjs decodes anything; the data
  // ends where its last element does, and zero padding after it is left out.
  const declaredSyntax = readFileMetaStrings(new Uint8Array(buffer)).get(0x0010) ?? '';
  // Known before the walk: the walk reads every syntax but deflate as explicit VR little endian.
  if (declaredSyntax) assertSupportedTransferSyntax(declaredSyntax, file);
  // A bare dataset was given a file meta: offsets in messages are the file's own.
  const added = buffer.byteLength - view.length;
  const extent = checkDicomStructure(new Uint8Array(buffer), declaredSyntax, file, added);
  const fileWarnings: DosekitWarning[] = extent.paddingBytes > 0 ? [paddingWarning(file, extent.paddingBytes, extent.end - added)] : [];
  const data = new Uint8Array(buffer, 0, extent.end);
  // dcmjs reads to the end of the buffer it is given: where it would reach the padding, it gets a
  // copy without it (made only then, since a copy of a large RT Dose doubles its memory).
  let dataBuffer: ArrayBuffer | undefined = extent.end === buffer.byteLength ? buffer : undefined;
  const withoutPadding = (): ArrayBuffer => (dataBuffer ??= buffer.slice(0, extent.end));

  const warnings: DosekitWarning[] = [];
  const fastContours = options.fastContourData === false ? null : contourFastPath(data);
  const parse = (options: Record<string, unknown>, source: ArrayBuffer): DcmjsDicomDict => {
    try {
      return withDcmjsWarnings(file, warnings, () => dcmjs.data.DicomMessage.readFile(source, { noCopy: true, ...options }) as DcmjsDicomDict);
    } catch (error) {
      if (isDosekitError(error)) throw error;
      throw new DosekitError('E_MALFORMED_DICOM', `${file}: cannot decode the DICOM data: ${describeFailure(error)}.`, { file }, { cause: error });
    }
  };
  // dcmjs copies PixelData; for a large RT Dose that doubles the memory. Read the header only,
  // then take the pixel data as a view of the input when it is where a conformant file puts it.
  if (fastContours) {
    // A structure set: let dcmjs read the copy whose ContourData is hidden, then restore it.
    const dict = parse({}, fastContours.hidden.buffer as ArrayBuffer);
    const dataset = naturalize(dict, file);
    if (restoreContourData(dataset, fastContours.parsed)) {
      return { dataset, transferSyntaxUid: syntaxOf(dict, file), file, warnings: [...fileWarnings, ...warnings], byteLength: view.length };
    }
    warnings.length = 0;
  }
  // Stopping at a top-level PixelData, dcmjs never reaches the padding after it.
  let dicomDict = parse({ untilTag: PIXEL_DATA_TAG, includeUntilTagValue: false }, extent.hasPixelData ? buffer : withoutPadding());
  const located = locatePixelData(data, dicomDict);
  if (located === null) {
    warnings.length = 0;
    dicomDict = parse({}, withoutPadding());
  }
  // Bytes nobody else sees (a file read for this call, or a copy made here) may be rearranged.
  const owned = options.ownsBytes === true || buffer !== view.buffer;
  const pixelDataView = located instanceof Uint8Array ? (owned ? alignInPlace(located, dicomDict) : located) : undefined;
  const transferSyntaxUid = syntaxOf(dicomDict, file);
  const dataset = naturalize(dicomDict, file);
  return { dataset, transferSyntaxUid, file, warnings: [...fileWarnings, ...warnings], byteLength: view.length, ...(pixelDataView ? { pixelDataView } : {}) };
}

/** The warning for zero bytes after the end of the DICOM data. */
function paddingWarning(file: string, paddingBytes: number, end: number): DosekitWarning {
  return {
    code: 'W_TRAILING_PADDING',
    message: `${file}: ${paddingBytes} zero bytes after the end of the DICOM data (byte ${end}) were ignored as padding.`,
    file,
  };
}

/** What {@link readDicomElementsUntil} decoded. Internal to src/dicom. */
export interface DicomElementsRead {
  readonly dataset: NaturalDataset;
  /** The transfer syntax UID of the file meta ('' when absent; not checked for support). */
  readonly transferSyntaxUid: string;
  /** True when decoding reached the top-level `stopTag` (everything before it was read whole). */
  readonly reachedStopTag: boolean;
  readonly warnings: DosekitWarning[];
}

/**
 * Decodes the top-level elements before `stopTag` (a tag such as '7FE00010'), for reading a
 * header without the bulk data behind it. `bytes` may be only the beginning of a file: then
 * `reachedStopTag` says whether the decoded elements are complete. The transfer syntax is not
 * checked for support (a header can be read from a compressed image).
 * @throws DosekitError E_NOT_DICOM (no DICOM marker, not a bare dataset) or E_MALFORMED_DICOM.
 */
export function readDicomElementsUntil(bytes: ArrayBuffer | Uint8Array, file: string, stopTag: string): DicomElementsRead {
  const view = isArrayBuffer(bytes) ? new Uint8Array(bytes) : (bytes as Uint8Array);
  if (view.length === 0) throw new DosekitError('E_NOT_DICOM', `${file}: the file is empty; expected a DICOM Part 10 file.`, { file });
  const buffer = hasDicmMagic(view) ? toArrayBuffer(bytes) : wrapBareDataset(view);
  if (!buffer) {
    throw new DosekitError('E_NOT_DICOM', `${file}: not a DICOM file (no "DICM" marker after the 128-byte preamble, and it does not start like a bare dataset).`, { file });
  }
  // dcmjs inflates a deflated dataset whole whatever untilTag says: bound what it inflates to first.
  if (readFileMetaStrings(new Uint8Array(buffer)).get(0x0010) === DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN) checkDicomStructure(new Uint8Array(buffer), DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN, file);
  const warnings: DosekitWarning[] = [];
  let dicomDict: DcmjsDicomDict;
  try {
    dicomDict = withDcmjsWarnings(file, warnings, () => dcmjs.data.DicomMessage.readFile(buffer, { noCopy: true, untilTag: stopTag, includeUntilTagValue: false }) as DcmjsDicomDict);
  } catch (error) {
    if (isDosekitError(error)) throw error;
    throw new DosekitError('E_MALFORMED_DICOM', `${file}: cannot decode the DICOM data: ${describeFailure(error)}.`, { file }, { cause: error });
  }
  const reachedStopTag = Object.prototype.hasOwnProperty.call(dicomDict.dict, stopTag);
  delete dicomDict.dict[stopTag];
  const syntaxValue = dicomDict.meta?.['00020010']?.Value?.[0];
  const transferSyntaxUid = typeof syntaxValue === 'string' ? syntaxValue.replace(/\0+$/, '').trim() : '';
  return { dataset: naturalize(dicomDict, file), transferSyntaxUid, reachedStopTag, warnings };
}
