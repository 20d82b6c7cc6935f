// SPDX-License-Identifier: BSD-3-Clause
/**
 * Builds DICOM Part 10 bytes for tests. dcmjs encodes the ordinary elements; the parts dcmjs
 * gets wrong or cannot control are done here by hand:
 *
 * - Explicit VR Big Endian: dcmjs writes tags, lengths and binary VRs (US, UL, FD, AT...) big
 *   endian, but copies OB/OW values verbatim, so the little-endian pixel bytes of a source file
 *   would land unchanged in a "big endian" file (and dcmjs does not swap them on reading either).
 *   `encodeDataset` byte-swaps Pixel Data per BitsAllocated (8: none, 16: pairs, 32: quads)
 *   before handing it to dcmjs, which makes the file conformant: every stored value is big endian.
 * - Deflated Explicit VR Little Endian: dcmjs cannot deflate; the explicit LE dataset is
 *   raw-deflated (RFC 1951) with node:zlib.
 * - Encapsulated Pixel Data (RLE Lossless, and dummy JPEG files): written by hand after the
 *   dcmjs-written elements, with an empty or filled Basic Offset Table and one or more fragments
 *   per frame, so tests control the exact layout.
 *
 * Test helper only: nothing in src/ imports it.
 */
import dcmjs from 'dcmjs';
import { deflateRawSync } from 'node:zlib';
import { encodeRleFrame, type RleEncodeOptions } from './rle-encode.js';

// ---- dcmjs access (src/dicom/dcmjs.d.ts declares only what src uses) --------------------

/** A dcmjs naturalized dataset (keyword -> value; `_vrMap` for data-dependent VRs). */
export type NaturalDataset = Record<string, unknown>;

/** One element of a dcmjs (denaturalized) dataset. */
export interface DcmjsElement {
  vr: string;
  Value?: unknown[];
  _rawValue?: unknown;
}

/** Tag ('7FE00010') -> element. */
export type DcmjsDataset = Record<string, DcmjsElement>;

interface DcmjsDicomDict {
  meta: DcmjsDataset;
  dict: DcmjsDataset;
  write(options?: Record<string, unknown>): ArrayBuffer;
}

interface DcmjsData {
  DicomMessage: { readFile(buffer: ArrayBuffer, options?: Record<string, unknown>): DcmjsDicomDict };
  DicomMetaDictionary: {
    naturalizeDataset(dataset: DcmjsDataset): NaturalDataset;
    denaturalizeDataset(dataset: NaturalDataset): DcmjsDataset;
  };
  DicomDict: new (meta: DcmjsDataset) => DcmjsDicomDict;
}

interface Logger {
  getLevel(): number;
  setLevel(level: number | string, persist?: boolean): void;
  getLogger(name: string): Logger;
}

const dcmjsData = (dcmjs as unknown as { data: DcmjsData }).data;
const dcmjsLog = (dcmjs as unknown as { log: Logger }).log;

/**
 * Runs `work` with dcmjs's console logging silenced (it reports e.g. "Invalid vr type ox" for
 * every implicit VR Pixel Data). Levels are restored afterwards, so a redirect installed by
 * src/dicom/dcmjs-log.ts keeps working.
 */
function quietly<T>(work: () => T): T {
  const loggers = [dcmjsLog, dcmjsLog.getLogger('validation.dcmjs')];
  const levels = loggers.map((logger) => logger.getLevel());
  for (const logger of loggers) logger.setLevel('silent', false);
  try {
    return work();
  } finally {
    loggers.forEach((logger, i) => logger.setLevel(levels[i], false));
  }
}

// ---- constants ----------------------------------------------------------------------------

export const TransferSyntax = {
  ImplicitVRLittleEndian: '1.2.840.10008.1.2',
  ExplicitVRLittleEndian: '1.2.840.10008.1.2.1',
  DeflatedExplicitVRLittleEndian: '1.2.840.10008.1.2.1.99',
  ExplicitVRBigEndian: '1.2.840.10008.1.2.2',
  RLELossless: '1.2.840.10008.1.2.5',
  JPEGBaseline: '1.2.840.10008.1.2.4.50',
  JPEG2000Lossless: '1.2.840.10008.1.2.4.90',
  JPEG2000: '1.2.840.10008.1.2.4.91',
} as const;

export const SopClass = {
  CTImage: '1.2.840.10008.5.1.4.1.1.2',
  RTDose: '1.2.840.10008.5.1.4.1.1.481.2',
  RTStructureSet: '1.2.840.10008.5.1.4.1.1.481.3',
  RTPlan: '1.2.840.10008.5.1.4.1.1.481.5',
} as const;

const UNENCAPSULATED = new Set<string>([
  TransferSyntax.ImplicitVRLittleEndian,
  TransferSyntax.ExplicitVRLittleEndian,
  TransferSyntax.DeflatedExplicitVRLittleEndian,
  TransferSyntax.ExplicitVRBigEndian,
]);

const PIXEL_DATA = '7FE00010';
const BITS_ALLOCATED = '00280100';
const PREAMBLE_AND_MAGIC = 132;
/** A UID root for test objects (not registered; only used in generated test files). */
const TEST_UID_ROOT = '2.25.1234567890';
let uidCounter = 0;

/** A fresh, valid UID for test objects. */
export function testUid(): string {
  uidCounter += 1;
  return `${TEST_UID_ROOT}.${Date.now() % 1_000_000}.${uidCounter}`;
}

// ---- byte utilities -----------------------------------------------------------------------

/** An ArrayBuffer holding exactly `bytes` (copied unless it already is one whole buffer). */
export function toArrayBuffer(bytes: ArrayBuffer | ArrayBufferView): ArrayBuffer {
  if (bytes instanceof ArrayBuffer) return bytes;
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return view.slice().buffer;
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A copy of `bytes` with every `bytesPerSample`-byte group reversed (LE <-> BE). */
export function swapBytes(bytes: Uint8Array, bytesPerSample: number): Uint8Array {
  if (bytesPerSample <= 1) return bytes.slice();
  if (bytes.length % bytesPerSample !== 0) throw new Error(`swapBytes: ${bytes.length} bytes is not a multiple of ${bytesPerSample}`);
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += bytesPerSample) {
    for (let b = 0; b < bytesPerSample; b += 1) out[i + b] = bytes[i + bytesPerSample - 1 - b];
  }
  return out;
}

/** Little-endian bytes of typed-array samples (a copy). */
export function littleEndianBytes(values: Uint8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array): Uint8Array {
  // Node on every supported platform is little endian; assert rather than assume.
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('big-endian host');
  return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
}

/** Length of preamble + "DICM" + file meta group of a Part 10 file. */
export function metaEnd(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (String.fromCharCode(...bytes.subarray(128, 132)) !== 'DICM') throw new Error('metaEnd: no DICM marker');
  // (0002,0000) UL 4 <length>
  if (view.getUint16(132, true) !== 0x0002 || view.getUint16(134, true) !== 0x0000) throw new Error('metaEnd: no group length first');
  return PREAMBLE_AND_MAGIC + 12 + view.getUint32(140, true);
}

/** Byte offsets where `pattern` occurs in `bytes` (at most `limit`). */
export function findBytes(bytes: Uint8Array, pattern: readonly number[], limit = Infinity): number[] {
  const hits: number[] = [];
  outer: for (let i = 0; i + pattern.length <= bytes.length && hits.length < limit; i += 1) {
    for (let k = 0; k < pattern.length; k += 1) if (bytes[i + k] !== pattern[k]) continue outer;
    hits.push(i);
  }
  return hits;
}

/** Little-endian bytes of tag (gggg,eeee), as they appear in a little-endian file. */
export function tagBytesLE(group: number, element: number): number[] {
  return [group & 0xff, group >> 8, element & 0xff, element >> 8];
}

// ---- reading with dcmjs -------------------------------------------------------------------

/** The dcmjs meta + dataset of Part 10 bytes (values copied, so they may be edited). */
export function readDicomDict(bytes: ArrayBuffer | Uint8Array): { meta: DcmjsDataset; dict: DcmjsDataset } {
  const buffer = toArrayBuffer(bytes);
  const read = quietly(() => dcmjsData.DicomMessage.readFile(buffer, { noCopy: false }));
  return { meta: read.meta, dict: read.dict };
}

/** The naturalized meta and dataset of Part 10 bytes. */
export function naturalize(bytes: ArrayBuffer | Uint8Array): { meta: NaturalDataset; dataset: NaturalDataset } {
  const { meta, dict } = readDicomDict(bytes);
  return quietly(() => ({
    meta: dcmjsData.DicomMetaDictionary.naturalizeDataset(meta),
    dataset: dcmjsData.DicomMetaDictionary.naturalizeDataset(dict),
  }));
}

/** The transfer syntax UID in the file meta of Part 10 bytes. */
export function transferSyntaxOf(bytes: Uint8Array): string {
  const value = readDicomDict(bytes).meta['00020010']?.Value?.[0];
  return typeof value === 'string' ? value.replace(/\0+$/, '').trim() : '';
}

// ---- writing ------------------------------------------------------------------------------

/** How encapsulated Pixel Data is laid out (PS3.5 A.4). */
export interface EncapsulationOptions {
  /** 'empty' (zero-length Basic Offset Table item, the default) or 'filled' (one entry per frame). */
  readonly offsetTable?: 'empty' | 'filled';
  /** Fragments each frame is split into (default 1, the only layout RLE Lossless allows). */
  readonly fragmentsPerFrame?: number;
}

/**
 * The bytes of an encapsulated (7FE0,0010) OB element, explicit VR little endian: tag, VR,
 * undefined length, Basic Offset Table item, one or more fragment items per frame, sequence
 * delimiter. Fragments are padded to even length (PS3.5 A.4).
 */
export function encapsulatePixelData(frames: readonly Uint8Array[], options: EncapsulationOptions = {}): Uint8Array {
  const perFrame = options.fragmentsPerFrame ?? 1;
  if (!(Number.isInteger(perFrame) && perFrame >= 1)) throw new Error(`fragmentsPerFrame ${perFrame}`);
  const fragmentsByFrame = frames.map((frame) => {
    const even = frame.length % 2 === 0 ? frame : concatBytes([frame, new Uint8Array(1)]);
    const parts: Uint8Array[] = [];
    // Split at even positions so that every fragment keeps an even length.
    const step = Math.max(2, Math.ceil(even.length / perFrame / 2) * 2);
    for (let at = 0; at < even.length || parts.length === 0; at += step) parts.push(even.subarray(at, Math.min(even.length, at + step)));
    return parts;
  });
  const item = (length: number): Uint8Array => {
    const bytes = new Uint8Array(8);
    const view = new DataView(bytes.buffer);
    view.setUint16(0, 0xfffe, true);
    view.setUint16(2, 0xe000, true);
    view.setUint32(4, length, true);
    return bytes;
  };
  const offsets: number[] = [];
  let position = 0;
  for (const parts of fragmentsByFrame) {
    offsets.push(position);
    for (const part of parts) position += 8 + part.length;
  }
  const table = new Uint8Array(options.offsetTable === 'filled' ? 4 * frames.length : 0);
  if (options.offsetTable === 'filled') offsets.forEach((offset, k) => new DataView(table.buffer).setUint32(4 * k, offset, true));
  const header = Uint8Array.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0, 0, 0xff, 0xff, 0xff, 0xff]);
  const delimiter = Uint8Array.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);
  const pieces: Uint8Array[] = [header, item(table.length), table];
  for (const parts of fragmentsByFrame) for (const part of parts) pieces.push(item(part.length), part);
  pieces.push(delimiter);
  return concatBytes(pieces);
}

/** Options of {@link encodeDataset}. */
export interface EncodeOptions extends EncapsulationOptions {
  /**
   * For encapsulated transfer syntaxes: the compressed frames written as Pixel Data (the
   * dataset's own Pixel Data element is dropped). Required for encapsulated syntaxes.
   */
  readonly encapsulatedFrames?: readonly Uint8Array[];
  /**
   * Explicit VR Big Endian only: 'swap' (default) byte-swaps Pixel Data per BitsAllocated so the
   * file is conformant; 'as-is' keeps the little-endian bytes, as plain dcmjs would write them.
   */
  readonly bigEndianPixelData?: 'swap' | 'as-is';
}

function elementNumber(element: DcmjsElement | undefined): number | undefined {
  const value = element?.Value?.[0];
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(number) ? number : undefined;
}

function asBytes(value: unknown): Uint8Array {
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new Error(`expected binary Pixel Data, got ${Object.prototype.toString.call(value)}`);
}

/** The (uncompressed, source byte order) Pixel Data bytes of a dcmjs dataset. */
export function pixelDataBytes(dict: DcmjsDataset): Uint8Array {
  const values = dict[PIXEL_DATA]?.Value;
  if (!values || values.length === 0) throw new Error('no Pixel Data');
  return concatBytes(values.map(asBytes));
}

/**
 * Writes a dcmjs meta + dataset as Part 10 bytes in `transferSyntaxUid` (see the file comment
 * for what is done by hand). Neither input is modified.
 */
export function encodeDataset(meta: DcmjsDataset, dict: DcmjsDataset, transferSyntaxUid: string, options: EncodeOptions = {}): Uint8Array {
  const outMeta: DcmjsDataset = { ...meta, '00020010': { vr: 'UI', Value: [transferSyntaxUid] } };
  delete outMeta['00020000'];
  const outDict: DcmjsDataset = { ...dict };
  const encapsulated = !UNENCAPSULATED.has(transferSyntaxUid);
  if (encapsulated) {
    if (!options.encapsulatedFrames) throw new Error(`encodeDataset: ${transferSyntaxUid} needs options.encapsulatedFrames`);
    delete outDict[PIXEL_DATA];
    const after = Object.keys(outDict).filter((tag) => tag.toUpperCase() > PIXEL_DATA);
    if (after.length > 0) throw new Error(`encodeDataset: elements after Pixel Data (${after.join(', ')}) are not supported`);
  } else if (transferSyntaxUid === TransferSyntax.ExplicitVRBigEndian && outDict[PIXEL_DATA] && options.bigEndianPixelData !== 'as-is') {
    const bits = elementNumber(outDict[BITS_ALLOCATED]) ?? 8;
    const swapped = swapBytes(pixelDataBytes(outDict), Math.max(1, bits / 8));
    outDict[PIXEL_DATA] = { vr: outDict[PIXEL_DATA].vr === 'OB' && bits > 8 ? 'OW' : outDict[PIXEL_DATA].vr, Value: [swapped.buffer] };
  }
  const dicomDict = new dcmjsData.DicomDict(outMeta);
  dicomDict.dict = outDict;
  // dcmjs writes any syntax it does not know (deflated, RLE, JPEG) as explicit VR little endian.
  let bytes: Uint8Array = new Uint8Array(quietly(() => dicomDict.write({ allowInvalidVRLength: true })));
  if (transferSyntaxUid === TransferSyntax.DeflatedExplicitVRLittleEndian) {
    const end = metaEnd(bytes);
    bytes = concatBytes([bytes.subarray(0, end), new Uint8Array(deflateRawSync(bytes.subarray(end)))]);
  }
  if (encapsulated) bytes = concatBytes([bytes, encapsulatePixelData(options.encapsulatedFrames!, options)]);
  return bytes;
}

/** A minimal file meta for a dataset (SOP class/instance taken from the dataset). */
export function fileMeta(dataset: NaturalDataset, transferSyntaxUid: string): DcmjsDataset {
  return {
    '00020001': { vr: 'OB', Value: [new Uint8Array([0, 1]).buffer] },
    '00020002': { vr: 'UI', Value: [String(dataset.SOPClassUID ?? SopClass.RTDose)] },
    '00020003': { vr: 'UI', Value: [String(dataset.SOPInstanceUID ?? testUid())] },
    '00020010': { vr: 'UI', Value: [transferSyntaxUid] },
    '00020012': { vr: 'UI', Value: [`${TEST_UID_ROOT}.1`] },
    '00020013': { vr: 'SH', Value: ['DOSEKIT_TEST'] },
  };
}

/** dcmjs's denaturalized form of a naturalized dataset. */
export function denaturalize(dataset: NaturalDataset): DcmjsDataset {
  return quietly(() => dcmjsData.DicomMetaDictionary.denaturalizeDataset(dataset));
}

/**
 * Writes a naturalized dataset as Part 10 bytes. Binary values (PixelData) must be ArrayBuffers
 * holding little-endian samples; `_vrMap` should give PixelData's VR ('OW' or 'OB').
 */
export function writeDataset(dataset: NaturalDataset, transferSyntaxUid: string = TransferSyntax.ImplicitVRLittleEndian, options: EncodeOptions = {}): Uint8Array {
  return encodeDataset(fileMeta(dataset, transferSyntaxUid), denaturalize(dataset), transferSyntaxUid, options);
}

/** Rows/Columns/frames/BitsAllocated/SamplesPerPixel of a dcmjs dataset. */
export function pixelLayout(dict: DcmjsDataset): { rows: number; columns: number; frames: number; bitsAllocated: 8 | 16 | 32; samplesPerPixel: number } {
  const rows = elementNumber(dict['00280010']);
  const columns = elementNumber(dict['00280011']);
  const bits = elementNumber(dict[BITS_ALLOCATED]);
  if (rows === undefined || columns === undefined || (bits !== 8 && bits !== 16 && bits !== 32)) throw new Error('pixelLayout: Rows/Columns/BitsAllocated missing or unsupported');
  return { rows, columns, frames: elementNumber(dict['00280008']) ?? 1, bitsAllocated: bits, samplesPerPixel: elementNumber(dict['00280002']) ?? 1 };
}

/** RLE-encodes the little-endian Pixel Data of a dcmjs dataset, one RLE frame per frame. */
export function rleFrames(dict: DcmjsDataset, rle: RleEncodeOptions = {}): Uint8Array[] {
  const { rows, columns, frames, bitsAllocated, samplesPerPixel } = pixelLayout(dict);
  const frameBytes = rows * columns * samplesPerPixel * (bitsAllocated / 8);
  const pixels = pixelDataBytes(dict);
  if (pixels.length < frameBytes * frames) throw new Error(`rleFrames: ${pixels.length} pixel bytes, ${frameBytes * frames} needed`);
  const out: Uint8Array[] = [];
  for (let f = 0; f < frames; f += 1) {
    out.push(encodeRleFrame(pixels.subarray(f * frameBytes, (f + 1) * frameBytes), rows, columns, samplesPerPixel, bitsAllocated, rle));
  }
  return out;
}

/** A stand-in "compressed" frame for syntaxes dosekit refuses: a JPEG SOI/EOI-framed blob. */
function dummyCompressedFrames(frames: number): Uint8Array[] {
  return Array.from({ length: frames }, () => Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 0xff, 0xd9]));
}

/** Options of {@link rewriteWithTransferSyntax}. */
export interface RewriteOptions extends EncodeOptions {
  /** Options for the RLE encoder (RLE Lossless only). */
  readonly rle?: RleEncodeOptions;
}

/**
 * Re-encodes a Part 10 file (any syntax dcmjs reads that keeps pixels uncompressed and little
 * endian: implicit/explicit LE, deflated) in another transfer syntax:
 * implicit/explicit VR LE, deflated, explicit VR BE (pixels swapped), RLE Lossless (pixels
 * encoded by test/helpers/rle-encode.ts), or any other encapsulated syntax with placeholder
 * fragments (only good for testing that the syntax is refused).
 */
export function rewriteWithTransferSyntax(bytes: ArrayBuffer | Uint8Array, transferSyntaxUid: string, options: RewriteOptions = {}): Uint8Array {
  const { meta, dict } = readDicomDict(bytes);
  const source = typeof meta['00020010']?.Value?.[0] === 'string' ? String(meta['00020010'].Value[0]).replace(/\0+$/, '') : '';
  if (!UNENCAPSULATED.has(source) || source === TransferSyntax.ExplicitVRBigEndian) {
    throw new Error(`rewriteWithTransferSyntax: source syntax ${source} is not uncompressed little endian`);
  }
  let frames = options.encapsulatedFrames;
  if (!frames && !UNENCAPSULATED.has(transferSyntaxUid) && dict[PIXEL_DATA]) {
    frames = transferSyntaxUid === TransferSyntax.RLELossless ? rleFrames(dict, options.rle) : dummyCompressedFrames(pixelLayout(dict).frames);
  }
  return encodeDataset(meta, dict, transferSyntaxUid, { ...options, encapsulatedFrames: frames });
}

/**
 * The dataset of a Part 10 file without preamble and file meta (what some systems write).
 * The file is first re-encoded in `transferSyntaxUid` (implicit or explicit VR LE).
 */
export function toBareDataset(bytes: Uint8Array, transferSyntaxUid: string = TransferSyntax.ImplicitVRLittleEndian): Uint8Array {
  if (transferSyntaxUid !== TransferSyntax.ImplicitVRLittleEndian && transferSyntaxUid !== TransferSyntax.ExplicitVRLittleEndian) {
    throw new Error('toBareDataset: a bare dataset is implicit or explicit VR little endian');
  }
  const rewritten = transferSyntaxOf(bytes) === transferSyntaxUid ? bytes : rewriteWithTransferSyntax(bytes, transferSyntaxUid);
  return rewritten.slice(metaEnd(rewritten));
}

// ---- synthetic datasets -------------------------------------------------------------------

const COMMON_PATIENT = {
  PatientName: [{ Alphabetic: 'Test^Synthetic' }],
  PatientID: 'DOSEKIT-TEST',
  PatientBirthDate: '',
  PatientSex: 'O',
  StudyDate: '20240101',
  StudyTime: '120000',
  AccessionNumber: '',
  ReferringPhysicianName: '',
  StudyID: '1',
};

/** Options of {@link syntheticDoseDataset}. */
export interface SyntheticDoseOptions {
  readonly rows?: number;
  readonly columns?: number;
  readonly frames?: number;
  readonly bitsAllocated?: 16 | 32;
  /** ImagePositionPatient (mm). */
  readonly origin?: readonly [number, number, number];
  readonly orientation?: readonly number[];
  /** PixelSpacing [row spacing, column spacing] (mm). */
  readonly pixelSpacing?: readonly [number, number];
  /** GridFrameOffsetVector (default 0, 2.5, 5...). */
  readonly frameOffsets?: readonly number[];
  readonly doseGridScaling?: number;
  /** Stored value of voxel (column, row, frame); default a smooth blob peaking near 60000 (16-bit) or 3e6 (32-bit). */
  readonly value?: (column: number, row: number, frame: number) => number;
}

/** Stored pixel values of a synthetic dose in frame-major order. */
export function syntheticDosePixels(options: SyntheticDoseOptions = {}): Uint16Array | Uint32Array {
  const rows = options.rows ?? 12;
  const columns = options.columns ?? 16;
  const frames = options.frames ?? 5;
  const bits = options.bitsAllocated ?? 32;
  const peak = bits === 16 ? 60000 : 3_000_000;
  const value =
    options.value ??
    ((c: number, r: number, f: number) => {
      const dx = (c - columns / 2) / columns;
      const dy = (r - rows / 2) / rows;
      const dz = (f - frames / 2) / Math.max(1, frames);
      return Math.round(peak * Math.exp(-6 * (dx * dx + dy * dy + dz * dz)));
    });
  const out = bits === 16 ? new Uint16Array(rows * columns * frames) : new Uint32Array(rows * columns * frames);
  for (let f = 0; f < frames; f += 1) for (let r = 0; r < rows; r += 1) for (let c = 0; c < columns; c += 1) out[(f * rows + r) * columns + c] = value(c, r, f);
  return out;
}

/** A small, valid, head-first-supine RT Dose as a naturalized dataset. */
export function syntheticDoseDataset(options: SyntheticDoseOptions = {}): NaturalDataset {
  const rows = options.rows ?? 12;
  const columns = options.columns ?? 16;
  const frames = options.frames ?? 5;
  const bits = options.bitsAllocated ?? 32;
  const pixels = syntheticDosePixels({ ...options, rows, columns, frames, bitsAllocated: bits });
  return {
    ...COMMON_PATIENT,
    SOPClassUID: SopClass.RTDose,
    SOPInstanceUID: testUid(),
    StudyInstanceUID: `${TEST_UID_ROOT}.10`,
    SeriesInstanceUID: testUid(),
    FrameOfReferenceUID: `${TEST_UID_ROOT}.11`,
    Modality: 'RTDOSE',
    Manufacturer: 'dosekit tests',
    SeriesNumber: 1,
    InstanceNumber: 1,
    ImagePositionPatient: [...(options.origin ?? [-20, -15, -5])],
    ImageOrientationPatient: [...(options.orientation ?? [1, 0, 0, 0, 1, 0])],
    PositionReferenceIndicator: '',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    NumberOfFrames: frames,
    FrameIncrementPointer: 0x3004000c,
    Rows: rows,
    Columns: columns,
    PixelSpacing: [...(options.pixelSpacing ?? [2.5, 2])],
    BitsAllocated: bits,
    BitsStored: bits,
    HighBit: bits - 1,
    PixelRepresentation: 0,
    DoseUnits: 'GY',
    DoseType: 'PHYSICAL',
    DoseSummationType: 'PLAN',
    GridFrameOffsetVector: [...(options.frameOffsets ?? Array.from({ length: frames }, (_, k) => 2.5 * k))],
    DoseGridScaling: options.doseGridScaling ?? (bits === 16 ? 1e-3 : 2e-5),
    PixelData: littleEndianBytes(pixels).buffer,
    _vrMap: { PixelData: 'OW' },
  };
}

/** Part 10 bytes of {@link syntheticDoseDataset} after `edit` (which may delete or change attributes). */
export function makeSyntheticDose(
  options: SyntheticDoseOptions = {},
  edit: (dataset: NaturalDataset) => void = () => {},
  transferSyntaxUid: string = TransferSyntax.ImplicitVRLittleEndian,
): Uint8Array {
  const dataset = syntheticDoseDataset(options);
  edit(dataset);
  return writeDataset(dataset, transferSyntaxUid);
}

/** Options of {@link makeRleDose}. */
export interface RleDoseOptions extends SyntheticDoseOptions, EncapsulationOptions {
  readonly rle?: RleEncodeOptions;
}

/**
 * An RLE Lossless RT Dose: the synthetic dose (or `dataset`, whose PixelData holds little-endian
 * samples) with each frame RLE-encoded into its own fragment (or `fragmentsPerFrame` fragments)
 * and an empty or filled Basic Offset Table.
 */
export function makeRleDose(options: RleDoseOptions = {}, dataset: NaturalDataset = syntheticDoseDataset(options)): Uint8Array {
  const dict = denaturalize(dataset);
  return encodeDataset(fileMeta(dataset, TransferSyntax.RLELossless), dict, TransferSyntax.RLELossless, {
    ...options,
    encapsulatedFrames: rleFrames(dict, options.rle),
  });
}

/**
 * The example RT Dose (or any RT Dose naturalized dataset) reduced to the frames
 * [firstFrame, firstFrame + frames): PixelData, NumberOfFrames, GridFrameOffsetVector and the
 * z of ImagePositionPatient are adjusted; everything else (DVHs, references) is kept.
 */
export function cropDoseFrames(dataset: NaturalDataset, firstFrame: number, frames: number): NaturalDataset {
  const rows = Number(dataset.Rows);
  const columns = Number(dataset.Columns);
  const bytesPerVoxel = Number(dataset.BitsAllocated) / 8;
  const total = Number(dataset.NumberOfFrames ?? 1);
  if (firstFrame < 0 || frames < 1 || firstFrame + frames > total) throw new Error(`cropDoseFrames: frames ${firstFrame}+${frames} of ${total}`);
  const offsets = (dataset.GridFrameOffsetVector as number[]).map(Number);
  const position = (dataset.ImagePositionPatient as number[]).map(Number);
  const orientation = (dataset.ImageOrientationPatient as number[]).map(Number);
  // Head-first orientations have a +z slice normal (see src/model/orientation.ts).
  const normalZ = orientation[0] * orientation[4] - orientation[1] * orientation[3];
  const relative = offsets[0] === 0;
  const base = relative ? offsets[firstFrame] : offsets[firstFrame] - offsets[0];
  const pixels = asBytes(Array.isArray(dataset.PixelData) ? dataset.PixelData[0] : dataset.PixelData);
  const frameBytes = rows * columns * bytesPerVoxel;
  return {
    ...dataset,
    NumberOfFrames: frames,
    ImagePositionPatient: [position[0], position[1], position[2] + normalZ * base],
    GridFrameOffsetVector: offsets.slice(firstFrame, firstFrame + frames).map((o) => (relative ? o - base : o)),
    PixelData: pixels.slice(firstFrame * frameBytes, (firstFrame + frames) * frameBytes).buffer,
    _vrMap: { ...(dataset._vrMap as object), PixelData: 'OW' },
  };
}

/**
 * A copy of a 32-bit RT Dose dataset stored in 16 bits: values rescaled to 0..65535 and
 * DoseGridScaling adjusted so doses stay (nearly) the same.
 */
export function toSixteenBitDose(dataset: NaturalDataset): NaturalDataset {
  const pixels = asBytes(Array.isArray(dataset.PixelData) ? dataset.PixelData[0] : dataset.PixelData);
  const source = new Uint32Array(pixels.slice().buffer);
  let max = 1;
  for (const v of source) if (v > max) max = v;
  const factor = 65535 / max;
  const out = Uint16Array.from(source, (v) => Math.round(v * factor));
  return {
    ...dataset,
    BitsAllocated: 16,
    BitsStored: 16,
    HighBit: 15,
    DoseGridScaling: Number(dataset.DoseGridScaling) / factor,
    PixelData: littleEndianBytes(out).buffer,
    _vrMap: { ...(dataset._vrMap as object), PixelData: 'OW' },
  };
}

/** Options of {@link syntheticCtDataset}. */
export interface SyntheticCtOptions {
  readonly rows?: number;
  readonly columns?: number;
  /** Stored values (rows x columns, row-major); default a ramp through negative values. */
  readonly values?: readonly number[];
  /** 1 (default): signed Int16; 0: unsigned Uint16. */
  readonly pixelRepresentation?: 0 | 1;
}

/** A small axial CT image (16-bit) as a naturalized dataset. */
export function syntheticCtDataset(options: SyntheticCtOptions = {}): NaturalDataset {
  const rows = options.rows ?? 4;
  const columns = options.columns ?? 6;
  const signed = (options.pixelRepresentation ?? 1) === 1;
  const count = rows * columns;
  const values = options.values ?? Array.from({ length: count }, (_, i) => (signed ? [-32768, -1024, -1000, -1, 0, 1, 255, 256, 1000, 32767][i % 10] : i * 1000));
  if (values.length !== count) throw new Error(`syntheticCtDataset: ${values.length} values for ${rows}x${columns}`);
  const pixels = signed ? Int16Array.from(values) : Uint16Array.from(values);
  return {
    ...COMMON_PATIENT,
    SOPClassUID: SopClass.CTImage,
    SOPInstanceUID: testUid(),
    StudyInstanceUID: `${TEST_UID_ROOT}.10`,
    SeriesInstanceUID: testUid(),
    FrameOfReferenceUID: `${TEST_UID_ROOT}.11`,
    Modality: 'CT',
    ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
    PatientPosition: 'HFS',
    ImagePositionPatient: [-10, -10, 0],
    ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
    SliceThickness: 3,
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: rows,
    Columns: columns,
    PixelSpacing: [1, 1],
    BitsAllocated: 16,
    BitsStored: 16,
    HighBit: 15,
    PixelRepresentation: signed ? 1 : 0,
    RescaleIntercept: signed ? 0 : -1024,
    RescaleSlope: 1,
    WindowCenter: 40,
    WindowWidth: 400,
    PixelData: littleEndianBytes(pixels).buffer,
    _vrMap: { PixelData: 'OW' },
  };
}

/** One synthetic ROI: a square contour of `halfWidthMm` on each z. */
export interface SyntheticRoi {
  readonly number: number;
  readonly name: string;
  readonly zMm: readonly number[];
  readonly centerMm?: readonly [number, number];
  readonly halfWidthMm?: number;
  readonly type?: string;
  readonly color?: readonly [number, number, number];
}

/** A small RT Structure Set (square contours) as a naturalized dataset. */
export function syntheticStructureSetDataset(rois: readonly SyntheticRoi[] = [
  { number: 1, name: 'BODY', zMm: [-5, -2.5, 0, 2.5, 5], halfWidthMm: 15, type: 'EXTERNAL', color: [0, 255, 0] },
  { number: 2, name: 'PTV', zMm: [-2.5, 0, 2.5], halfWidthMm: 5, type: 'PTV', color: [255, 0, 0] },
]): NaturalDataset {
  const frameOfReferenceUid = `${TEST_UID_ROOT}.11`;
  return {
    ...COMMON_PATIENT,
    SOPClassUID: SopClass.RTStructureSet,
    SOPInstanceUID: testUid(),
    StudyInstanceUID: `${TEST_UID_ROOT}.10`,
    SeriesInstanceUID: testUid(),
    Modality: 'RTSTRUCT',
    Manufacturer: 'dosekit tests',
    StructureSetLabel: 'TEST',
    StructureSetDate: '20240101',
    StructureSetTime: '120000',
    ReferencedFrameOfReferenceSequence: [{ FrameOfReferenceUID: frameOfReferenceUid }],
    StructureSetROISequence: rois.map((roi) => ({
      ROINumber: roi.number,
      ReferencedFrameOfReferenceUID: frameOfReferenceUid,
      ROIName: roi.name,
      ROIGenerationAlgorithm: 'MANUAL',
    })),
    ROIContourSequence: rois.map((roi) => {
      const [cx, cy] = roi.centerMm ?? [0, 0];
      const h = roi.halfWidthMm ?? 5;
      return {
        ReferencedROINumber: roi.number,
        ROIDisplayColor: [...(roi.color ?? [255, 255, 0])],
        ContourSequence: roi.zMm.map((z) => ({
          ContourGeometricType: 'CLOSED_PLANAR',
          NumberOfContourPoints: 4,
          ContourData: [cx - h, cy - h, z, cx + h, cy - h, z, cx + h, cy + h, z, cx - h, cy + h, z],
        })),
      };
    }),
    RTROIObservationsSequence: rois.map((roi, i) => ({
      ObservationNumber: i + 1,
      ReferencedROINumber: roi.number,
      RTROIInterpretedType: roi.type ?? 'ORGAN',
      ROIInterpreter: '',
    })),
  };
}
