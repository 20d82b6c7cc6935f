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
  if (![8, 16, 32, 64].includes(bitsAllocated)) {
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
  const bytes = concat(buffers);
  if (bytes.length < expectedBytes) {
    throw new DosekitError(
      'E_MALFORMED_DICOM',
      `${read.file}: ${keyword} has ${bytes.length} bytes but Rows x Columns x frames x BitsAllocated needs ${expectedBytes}; the file is truncated or its header is wrong.`,
      { file: read.file, attribute: keyword },
    );
  }
  return bytes.length === expectedBytes ? bytes : bytes.subarray(0, expectedBytes);
}

/**
 * The stored pixel values as a typed array in native order. A view of the file's bytes when
 * alignment and byte order allow (no copy); otherwise exactly one copy.
 */
export function readPixels(read: DicomRead, format: PixelFormat): PixelArray {
  const bytesPerSample = format.bitsAllocated / 8;
  const count = format.rows * format.columns * format.frames * format.samplesPerPixel;
  const expectedBytes = count * bytesPerSample;
  // Decoded (RLE) or swapped (big endian) pixels are a second copy as large as this.
  checkMemory(expectedBytes, `${read.file}: the pixel data (${format.rows} x ${format.columns} x ${format.frames})`, undefined, { file: read.file, attribute: 'PixelData' });
  let bytes = pixelBytes(read, format, expectedBytes);
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
