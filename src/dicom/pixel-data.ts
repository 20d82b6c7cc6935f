// SPDX-License-Identifier: BSD-3-Clause
import { DosekitError } from '../errors.js';
import type { PixelArray } from '../model/dose-grid.js';
import type { DicomRead } from './read.js';
import { type ReadContext, optionalNumber, requiredNumber } from './naturalized.js';
import { decodeRleFrames, splitEncapsulatedFrames } from './rle.js';
import { EXPLICIT_VR_BIG_ENDIAN, RLE_LOSSLESS } from './transfer-syntax.js';
import { checkMemory } from '../limits.js';

/** How the stored pixel values are laid out. */
export interface PixelFormat {
  readonly rows: number;
  readonly columns: number;
  readonly frames: number;
  readonly samplesPerPixel: number;
  readonly bitsAllocated: number;
  /** 0 unsigned, 1 two's complement. */
  readonly pixelRepresentation: number;
  readonly floatPixels: boolean;
}

function asBytes(part: unknown): Uint8Array | null {
  if (part instanceof Uint8Array) return part;
  if (Object.prototype.toString.call(part) === '[object ArrayBuffer]') return new Uint8Array(part as ArrayBuffer);
  if (ArrayBuffer.isView(part)) return new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
  return null;
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Reads Rows/Columns/BitsAllocated... of a dataset that carries pixel data. */
export function readPixelFormat(read: DicomRead, frames: number): PixelFormat {
  const ctx: ReadContext = { file: read.file };
  const ds = read.dataset;
  const floatPixels = !read.pixelDataView && (ds.FloatPixelData !== undefined || ds.DoubleFloatPixelData !== undefined);
  const bitsAllocated = floatPixels ? (ds.DoubleFloatPixelData !== undefined ? 64 : 32) : requiredNumber(ds, 'BitsAllocated', ctx, 'bits per stored pixel');
  // 64 bits only as DoubleFloatPixelData: integer PixelData is 8, 16 or 32 bits.
  if (!(floatPixels ? [32, 64] : [8, 16, 32]).includes(bitsAllocated)) {
    throw new DosekitError('E_MALFORMED_DICOM', `${read.file}: BitsAllocated is ${bitsAllocated}; dosekit reads 8, 16 or 32 bit pixels.`, { file: read.file, attribute: 'BitsAllocated' });
  }
  return {
    rows: requiredNumber(ds, 'Rows', ctx, 'number of pixel rows'),
    columns: requiredNumber(ds, 'Columns', ctx, 'number of pixel columns'),
    frames,
    samplesPerPixel: optionalNumber(ds, 'SamplesPerPixel', ctx) ?? 1,
    bitsAllocated,
    pixelRepresentation: optionalNumber(ds, 'PixelRepresentation', ctx) ?? 0,
    floatPixels,
  };
}

function pixelBytes(read: DicomRead, format: PixelFormat, expectedBytes: number): Uint8Array {
  // Found where it was exactly the described size (or one pad byte more) and cut to it.
  if (read.pixelDataView) return read.pixelDataView;
  const ds = read.dataset;
  const keyword = ds.PixelData !== undefined ? 'PixelData' : ds.FloatPixelData !== undefined ? 'FloatPixelData' : 'DoubleFloatPixelData';
  const raw = ds[keyword];
  if (raw === undefined || raw === null) {
    throw new DosekitError('E_MISSING_ATTRIBUTE', `${read.file}: PixelData is missing; the file holds no dose or image values.`, { file: read.file, attribute: 'PixelData' });
  }
  const parts = (Array.isArray(raw) ? raw : [raw]).map((p) => (Array.isArray(p) ? concat(p.map(asBytes).filter((b): b is Uint8Array => b !== null)) : asBytes(p)));
  if (parts.some((p) => p === null)) {
    throw new DosekitError('E_MALFORMED_DICOM', `${read.file}: ${keyword} has an unexpected encoding.`, { file: read.file, attribute: keyword });
  }
  const buffers = parts as Uint8Array[];
  if (read.transferSyntaxUid === RLE_LOSSLESS) {
    const frames = buffers.length === format.frames ? buffers : splitEncapsulatedFrames(buffers, format.frames, undefined, read.file);
    return decodeRleFrames(frames, format.rows, format.columns, format.samplesPerPixel, format.bitsAllocated as 8 | 16 | 32, read.file);
  }
  return exactPayload(read, format, concat(buffers), expectedBytes, keyword);
}

/** True when bytes[from, to) are all zero. */
function zeroFrom(bytes: Uint8Array, from: number): boolean {
  for (let i = from; i < bytes.length; i += 1) if (bytes[i] !== 0) return false;
  return true;
}

/**
 * The pixel bytes Rows x Columns x frames x SamplesPerPixel x BitsAllocated/8 describe, exactly.
 * Besides, accepted: one pad byte making an odd count even (PS3.5 7.1.1), silently; and zero bytes
 * after the data, fewer than the data itself, with a warning. A longer zero tail is refused
 * because it is what a wrong BitsAllocated (twice or four times the bytes) or a doubled frame
 * count looks like when the dose is zero in its second half.
 */
function exactPayload(read: DicomRead, format: PixelFormat, bytes: Uint8Array, expectedBytes: number, keyword: string): Uint8Array {
  const actual = bytes.length;
  if (actual === expectedBytes || (actual === expectedBytes + 1 && expectedBytes % 2 === 1)) return bytes.subarray(0, expectedBytes);
  const extra = actual - expectedBytes;
  if (extra > 0 && extra < expectedBytes && zeroFrom(bytes, expectedBytes)) {
    read.warnings.push({
      code: 'W_PIXEL_DATA_PADDING',
      message: `${read.file}: ${keyword} has ${extra} zero bytes after the ${expectedBytes} that Rows x Columns x NumberOfFrames x BitsAllocated/8 describe; they were ignored.`,
      file: read.file,
    });
    return bytes.subarray(0, expectedBytes);
  }
  const described =
    `Rows ${format.rows} x Columns ${format.columns} x NumberOfFrames ${format.frames}` +
    `${format.samplesPerPixel !== 1 ? ` x SamplesPerPixel ${format.samplesPerPixel}` : ''} x BitsAllocated ${format.bitsAllocated}/8 = ${expectedBytes} bytes`;
  const why =
    extra < 0
      ? 'the file is truncated or one of those attributes is wrong'
      : 'the bytes beyond are not zero padding, so one of those attributes is wrong (or the file is damaged)';
  throw new DosekitError('E_MALFORMED_DICOM', `${read.file}: ${keyword} has ${actual} bytes, but ${described}; ${why}. Export the file again.`, {
    file: read.file,
    attribute: keyword,
    expectedBytes,
    actualBytes: actual,
    rows: format.rows,
    columns: format.columns,
    frames: format.frames,
    bitsAllocated: format.bitsAllocated,
  });
}

/**
 * The stored pixel values as a typed array in native order. A view of the file's bytes when
 * alignment and byte order allow (no copy); otherwise exactly one copy.
 */
export function readPixels(read: DicomRead, format: PixelFormat): PixelArray {
  const bytesPerSample = format.bitsAllocated / 8;
  const count = format.rows * format.columns * format.frames * format.samplesPerPixel;
  const expectedBytes = count * bytesPerSample;
  const memoryCheck = (): void =>
    checkMemory(expectedBytes, `${read.file}: the pixel data (${format.rows} x ${format.columns} x ${format.frames})`, undefined, { file: read.file, attribute: 'PixelData' });
  // Decoded (RLE) or swapped (big endian) pixels are a second copy as large as this. Native
  // pixels are already in memory: their size is checked against the attributes first, so that a
  // header describing more than the file holds is E_MALFORMED_DICOM, not E_TOO_LARGE.
  const encapsulated = read.transferSyntaxUid === RLE_LOSSLESS;
  if (encapsulated) memoryCheck();
  let bytes = pixelBytes(read, format, expectedBytes);
  if (!encapsulated) memoryCheck();
  if (read.transferSyntaxUid === EXPLICIT_VR_BIG_ENDIAN && bytesPerSample > 1) {
    const swapped = new Uint8Array(expectedBytes);
    for (let i = 0; i < expectedBytes; i += bytesPerSample) {
      for (let b = 0; b < bytesPerSample; b += 1) swapped[i + b] = bytes[i + bytesPerSample - 1 - b];
    }
    bytes = swapped;
  } else if (bytes.byteOffset % bytesPerSample !== 0) {
    bytes = bytes.slice();
  }
  const { buffer, byteOffset } = bytes;
  const signed = format.pixelRepresentation === 1;
  switch (format.bitsAllocated) {
    case 8:
      return bytes;
    case 16:
      return signed ? new Int16Array(buffer, byteOffset, count) : new Uint16Array(buffer, byteOffset, count);
    case 32:
      if (format.floatPixels) return new Float32Array(buffer, byteOffset, count);
      return signed ? new Int32Array(buffer, byteOffset, count) : new Uint32Array(buffer, byteOffset, count);
    default:
      return new Float64Array(buffer, byteOffset, count);
  }
}
