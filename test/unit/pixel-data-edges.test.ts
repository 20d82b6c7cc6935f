// SPDX-License-Identifier: BSD-3-Clause
/**
 * readPixelFormat and readPixels on hand-built reads (a naturalized dataset, a transfer syntax):
 * which attributes make the format; the byte sources the pixel data may arrive as; the exact-size
 * rule (Rows x Columns x NumberOfFrames x SamplesPerPixel x BitsAllocated/8 bytes, one pad byte
 * making an odd count even, a zero tail shorter than the data with a warning); byte order; signed,
 * unsigned and float arrays; the memory ceiling; RLE Lossless frames. Every expected value is
 * written out by hand from the bytes the test stores (little endian unless the syntax is explicit
 * VR big endian, PS3.5 7.3).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readPixelFormat, readPixels } from '../../src/dicom/pixel-data.js';
import type { DicomRead } from '../../src/dicom/read.js';
import { EXPLICIT_VR_BIG_ENDIAN, EXPLICIT_VR_LITTLE_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN, RLE_LOSSLESS } from '../../src/dicom/transfer-syntax.js';
import type { DosekitError } from '../../src/errors.js';
import { dosekitError } from '../helpers/errors.js';

type Dataset = Record<string, unknown>;

function makeRead(dataset: Dataset, syntax: string = IMPLICIT_VR_LITTLE_ENDIAN, pixelDataView?: Uint8Array): DicomRead {
  return { dataset, transferSyntaxUid: syntax, file: 'p.dcm', warnings: [], byteLength: 0, ...(pixelDataView ? { pixelDataView } : {}) };
}

/** Reads the format and the pixels of `dataset`. */
function pixelsOf(dataset: Dataset, syntax: string = IMPLICIT_VR_LITTLE_ENDIAN, frames = 1): { pixels: ReturnType<typeof readPixels>; read: DicomRead } {
  const read = makeRead(dataset, syntax);
  return { pixels: readPixels(read, readPixelFormat(read, frames)), read };
}

function image(rows: number, columns: number, bits: number, pixelData: unknown, extra: Dataset = {}): Dataset {
  return { Rows: rows, Columns: columns, BitsAllocated: bits, PixelData: pixelData, ...extra };
}

function buffer(...bytes: number[]): ArrayBuffer {
  return Uint8Array.from(bytes).buffer;
}

function errorOf(dataset: Dataset, syntax: string = IMPLICIT_VR_LITTLE_ENDIAN, frames = 1): DosekitError {
  return dosekitError(() => pixelsOf(dataset, syntax, frames));
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('readPixelFormat', () => {
  it('takes Rows, Columns, BitsAllocated; SamplesPerPixel defaults to 1 and PixelRepresentation to 0', () => {
    const read = makeRead(image(3, 4, 16, buffer()));
    expect(readPixelFormat(read, 7)).toStrictEqual({ rows: 3, columns: 4, frames: 7, samplesPerPixel: 1, bitsAllocated: 16, pixelRepresentation: 0, floatPixels: false });
    const rgbSigned = makeRead(image(2, 5, 8, buffer(), { SamplesPerPixel: 3, PixelRepresentation: 1 }));
    expect(readPixelFormat(rgbSigned, 1)).toStrictEqual({ rows: 2, columns: 5, frames: 1, samplesPerPixel: 3, bitsAllocated: 8, pixelRepresentation: 1, floatPixels: false });
  });

  it('integer PixelData: BitsAllocated 8, 16 and 32 are read; 1, 12, 24 and 64 are E_MALFORMED_DICOM on BitsAllocated', () => {
    for (const bits of [8, 16, 32]) expect(readPixelFormat(makeRead(image(1, 1, bits, buffer())), 1).bitsAllocated).toBe(bits);
    for (const bits of [1, 12, 24, 64]) {
      const error = dosekitError(() => readPixelFormat(makeRead(image(1, 1, bits, buffer())), 1));
      expect(error.code, String(bits)).toBe('E_MALFORMED_DICOM');
    }
  });

  it('FloatPixelData is 32-bit float and DoubleFloatPixelData 64-bit float whatever BitsAllocated says (or without it)', () => {
    const float = readPixelFormat(makeRead({ Rows: 1, Columns: 2, FloatPixelData: buffer() }), 1);
    expect(float.bitsAllocated).toBe(32);
    expect(float.floatPixels).toBe(true);
    const float16 = readPixelFormat(makeRead({ Rows: 1, Columns: 2, BitsAllocated: 16, FloatPixelData: buffer() }), 1);
    expect(float16.bitsAllocated).toBe(32);
    const double = readPixelFormat(makeRead({ Rows: 1, Columns: 2, DoubleFloatPixelData: buffer() }), 1);
    expect(double.bitsAllocated).toBe(64);
    expect(double.floatPixels).toBe(true);
  });

  it('a located PixelData element makes the pixels integer even if the dataset also holds FloatPixelData', () => {
    const view = Uint8Array.of(0x34, 0x12);
    const read = makeRead({ Rows: 1, Columns: 1, BitsAllocated: 16, FloatPixelData: buffer(0, 0, 0xc0, 0x3f) }, IMPLICIT_VR_LITTLE_ENDIAN, view);
    const format = readPixelFormat(read, 1);
    expect(format.floatPixels).toBe(false);
    expect(format.bitsAllocated).toBe(16);
    expect(Array.from(readPixels(read, format))).toEqual([0x1234]);
  });
});

describe('readPixels: array types and values (little endian)', () => {
  it('8 bits: the bytes themselves', () => {
    const { pixels } = pixelsOf(image(1, 3, 8, buffer(0, 0x7f, 0xff)));
    expect(pixels).toBeInstanceOf(Uint8Array);
    expect(Array.from(pixels)).toEqual([0, 127, 255]);
  });

  it('16 bits: Uint16Array for PixelRepresentation 0, Int16Array for 1', () => {
    const bytes = [0x00, 0x00, 0x01, 0x00, 0x00, 0x80, 0xff, 0xff, 0x34, 0x12];
    const unsigned = pixelsOf(image(1, 5, 16, buffer(...bytes), { PixelRepresentation: 0 })).pixels;
    expect(unsigned).toBeInstanceOf(Uint16Array);
    expect(Array.from(unsigned)).toEqual([0, 1, 0x8000, 0xffff, 0x1234]);
    const signed = pixelsOf(image(1, 5, 16, buffer(...bytes), { PixelRepresentation: 1 })).pixels;
    expect(signed).toBeInstanceOf(Int16Array);
    expect(Array.from(signed)).toEqual([0, 1, -32768, -1, 0x1234]);
  });

  it('32 bits: Uint32Array for PixelRepresentation 0, Int32Array for 1', () => {
    const bytes = [0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x80, 0x04, 0x03, 0x02, 0x01];
    const unsigned = pixelsOf(image(3, 1, 32, buffer(...bytes))).pixels;
    expect(unsigned).toBeInstanceOf(Uint32Array);
    expect(Array.from(unsigned)).toEqual([0xffffffff, 0x80000000, 0x01020304]);
    const signed = pixelsOf(image(3, 1, 32, buffer(...bytes), { PixelRepresentation: 1 })).pixels;
    expect(signed).toBeInstanceOf(Int32Array);
    expect(Array.from(signed)).toEqual([-1, -2147483648, 0x01020304]);
  });

  it('FloatPixelData: Float32Array; DoubleFloatPixelData: Float64Array (IEEE 754 bytes written by hand)', () => {
    // 1.5 = 0x3FC00000, -2 = 0xC0000000 (binary32); 1.5 = 0x3FF8000000000000 (binary64).
    const float = pixelsOf({ Rows: 1, Columns: 2, FloatPixelData: buffer(0, 0, 0xc0, 0x3f, 0, 0, 0, 0xc0) }).pixels;
    expect(float).toBeInstanceOf(Float32Array);
    expect(Array.from(float)).toEqual([1.5, -2]);
    const double = pixelsOf({ Rows: 1, Columns: 1, DoubleFloatPixelData: buffer(0, 0, 0, 0, 0, 0, 0xf8, 0x3f) }).pixels;
    expect(double).toBeInstanceOf(Float64Array);
    expect(Array.from(double)).toEqual([1.5]);
  });

  it('frames and samples multiply the count', () => {
    const bytes = Array.from({ length: 2 * 2 * 3 * 2 * 2 }, (_, k) => k);
    const { pixels } = pixelsOf(image(2, 2, 16, buffer(...bytes), { SamplesPerPixel: 3 }), IMPLICIT_VR_LITTLE_ENDIAN, 2);
    expect(pixels.length).toBe(24);
    expect(pixels[0]).toBe(0x0100);
    expect(pixels[23]).toBe(47 * 256 + 46);
  });
});

describe('readPixels: explicit VR big endian swaps each value', () => {
  it('16 bits, unsigned and signed', () => {
    const bytes = [0x01, 0x02, 0xff, 0xfe, 0x80, 0x00];
    expect(Array.from(pixelsOf(image(1, 3, 16, buffer(...bytes)), EXPLICIT_VR_BIG_ENDIAN).pixels)).toEqual([0x0102, 0xfffe, 0x8000]);
    expect(Array.from(pixelsOf(image(1, 3, 16, buffer(...bytes), { PixelRepresentation: 1 }), EXPLICIT_VR_BIG_ENDIAN).pixels)).toEqual([0x0102, -2, -32768]);
  });

  it('32 bits and floats', () => {
    expect(Array.from(pixelsOf(image(1, 2, 32, buffer(0x01, 0x02, 0x03, 0x04, 0x80, 0, 0, 0x05)), EXPLICIT_VR_BIG_ENDIAN).pixels)).toEqual([0x01020304, 0x80000005]);
    expect(Array.from(pixelsOf({ Rows: 1, Columns: 2, FloatPixelData: buffer(0x3f, 0xc0, 0, 0, 0xc0, 0, 0, 0) }, EXPLICIT_VR_BIG_ENDIAN).pixels)).toEqual([1.5, -2]);
    expect(Array.from(pixelsOf({ Rows: 1, Columns: 1, DoubleFloatPixelData: buffer(0x3f, 0xf8, 0, 0, 0, 0, 0, 0) }, EXPLICIT_VR_BIG_ENDIAN).pixels)).toEqual([1.5]);
  });

  it('the pad byte and a zero tail are not swapped into the values', () => {
    // 3 bytes of 8-bit values + pad; 16-bit values followed by a zero tail of 2 bytes.
    expect(Array.from(pixelsOf(image(1, 3, 8, buffer(1, 2, 3, 0)), EXPLICIT_VR_BIG_ENDIAN).pixels)).toEqual([1, 2, 3]);
    const { pixels, read } = pixelsOf(image(1, 2, 16, buffer(0x12, 0x34, 0x56, 0x78, 0, 0)), EXPLICIT_VR_BIG_ENDIAN);
    expect(Array.from(pixels)).toEqual([0x1234, 0x5678]);
    expect(read.warnings.map((w) => w.code)).toEqual(['W_PIXEL_DATA_PADDING']);
  });

  it('8 bits have no byte order: the values are the stored bytes, not a copy', () => {
    const stored = Uint8Array.of(9, 8, 7, 6);
    const { pixels } = pixelsOf(image(2, 2, 8, stored), EXPLICIT_VR_BIG_ENDIAN);
    expect(Array.from(pixels)).toEqual([9, 8, 7, 6]);
    expect(pixels.buffer).toBe(stored.buffer);
  });

  it('little endian syntaxes are not swapped', () => {
    for (const syntax of [IMPLICIT_VR_LITTLE_ENDIAN, EXPLICIT_VR_LITTLE_ENDIAN]) {
      expect(Array.from(pixelsOf(image(1, 1, 16, buffer(0x01, 0x02)), syntax).pixels), syntax).toEqual([0x0201]);
    }
  });
});

describe('readPixels: where the bytes come from', () => {
  it('an aligned Uint8Array is used in place (no copy), at its own offset', () => {
    const backing = Uint8Array.of(0xee, 0xee, 0x01, 0x00, 0x02, 0x00, 0xee, 0xee);
    const stored = backing.subarray(2, 6);
    const { pixels } = pixelsOf(image(1, 2, 16, stored));
    expect(Array.from(pixels)).toEqual([1, 2]);
    expect(pixels.buffer).toBe(backing.buffer);
    expect(pixels.byteOffset).toBe(2);
  });

  it('a Uint8Array at an offset that is not a multiple of the value size is copied, values intact', () => {
    const backing = Uint8Array.of(0xee, 0x01, 0x00, 0x00, 0x80, 0xee, 0xee, 0xee);
    const { pixels } = pixelsOf(image(1, 2, 16, backing.subarray(1, 5)));
    expect(Array.from(pixels)).toEqual([1, 0x8000]);
    const { pixels: pixels32 } = pixelsOf(image(1, 1, 32, backing.subarray(1, 5)));
    expect(Array.from(pixels32)).toEqual([0x80000001]);
    const even = pixelsOf(image(1, 1, 32, backing.subarray(2, 6))).pixels;
    expect(Array.from(even)).toEqual([0xee800000]);
  });

  it('an ArrayBuffer, a Node Buffer, a DataView and other typed arrays give their bytes (not element values)', () => {
    expect(Array.from(pixelsOf(image(1, 2, 16, buffer(0x01, 0x02, 0x03, 0x04))).pixels)).toEqual([0x0201, 0x0403]);
    expect(Array.from(pixelsOf(image(1, 2, 16, Buffer.from([0x01, 0x02, 0x03, 0x04]))).pixels)).toEqual([0x0201, 0x0403]);
    const words = new Uint16Array([0xaaaa, 0x0201, 0x0403]).subarray(1);
    expect(Array.from(pixelsOf(image(1, 2, 16, words)).pixels)).toEqual([0x0201, 0x0403]);
    const view = new DataView(buffer(0xff, 0x01, 0x02, 0x03, 0x04), 1, 4);
    expect(Array.from(pixelsOf(image(1, 4, 8, view)).pixels)).toEqual([1, 2, 3, 4]);
  });

  it('several parts (an array, or an array of arrays) are joined in order', () => {
    expect(Array.from(pixelsOf(image(1, 3, 16, [buffer(0x01, 0x00, 0x02), buffer(0x00), buffer(0x03, 0x00)])).pixels)).toEqual([1, 2, 3]);
    expect(Array.from(pixelsOf(image(1, 3, 16, [[buffer(0x01, 0x00), Uint8Array.of(0x02, 0x00, 0x03, 0x00)]])).pixels)).toEqual([1, 2, 3]);
    expect(Array.from(pixelsOf(image(1, 2, 16, [buffer(0x05, 0x00, 0x06, 0x00)])).pixels)).toEqual([5, 6]);
  });

  it('a located PixelData view is used as it is', () => {
    const view = Uint8Array.of(0x01, 0x00, 0x02, 0x00);
    const read = makeRead({ Rows: 1, Columns: 2, BitsAllocated: 16 }, IMPLICIT_VR_LITTLE_ENDIAN, view);
    const pixels = readPixels(read, readPixelFormat(read, 1));
    expect(Array.from(pixels)).toEqual([1, 2]);
    expect(pixels.buffer).toBe(view.buffer);
  });

  it('no PixelData (absent or null): E_MISSING_ATTRIBUTE', () => {
    expect(errorOf({ Rows: 1, Columns: 1, BitsAllocated: 8 }).code).toBe('E_MISSING_ATTRIBUTE');
    expect(errorOf(image(1, 1, 8, null)).code).toBe('E_MISSING_ATTRIBUTE');
  });

  it('a value that is not bytes: E_MALFORMED_DICOM naming the element, before any size check', () => {
    for (const value of ['\u0001\u0002', 258, [buffer(1), 'x'], { length: 2 }]) {
      const error = errorOf(image(1, 2, 8, value));
      expect(error.code, JSON.stringify(value)).toBe('E_MALFORMED_DICOM');
      expect(error.details.attribute).toBe('PixelData');
      expect(error.details.expectedBytes).toBeUndefined();
    }
    const float = errorOf({ Rows: 1, Columns: 1, FloatPixelData: 'abcd' });
    expect(float.code).toBe('E_MALFORMED_DICOM');
    expect(float.details.attribute).toBe('FloatPixelData');
    const double = errorOf({ Rows: 1, Columns: 1, DoubleFloatPixelData: 'abcdefgh' });
    expect(double.details.attribute).toBe('DoubleFloatPixelData');
  });
});

describe('readPixels: the exact-size rule', () => {
  const bytes = (n: number, fill = 1): ArrayBuffer => new Uint8Array(n).fill(fill).buffer;

  it('exactly the described size reads silently', () => {
    const { pixels, read } = pixelsOf(image(3, 5, 8, bytes(15)));
    expect(pixels.length).toBe(15);
    expect(read.warnings).toEqual([]);
  });

  it('an odd count with one pad byte reads silently, cut to the count', () => {
    const { pixels, read } = pixelsOf(image(3, 5, 8, [bytes(15, 7), buffer(0)]));
    expect(pixels.length).toBe(15);
    expect(Array.from(pixels).every((v) => v === 7)).toBe(true);
    expect(read.warnings).toEqual([]);
  });

  it('an even count with one byte more is not a pad byte: zero reads with a warning, non-zero is refused', () => {
    const { pixels, read } = pixelsOf(image(2, 2, 8, [bytes(4), buffer(0)]));
    expect(pixels.length).toBe(4);
    expect(read.warnings.map((w) => w.code)).toEqual(['W_PIXEL_DATA_PADDING']);
    expect(errorOf(image(2, 2, 8, [bytes(4), buffer(9)])).code).toBe('E_MALFORMED_DICOM');
  });

  it('an odd count with two bytes more: a zero tail with a warning, else refused', () => {
    const { read } = pixelsOf(image(3, 5, 8, [bytes(15), buffer(0, 0)]));
    expect(read.warnings.map((w) => w.code)).toEqual(['W_PIXEL_DATA_PADDING']);
    expect(errorOf(image(3, 5, 8, [bytes(15), buffer(0, 5)])).code).toBe('E_MALFORMED_DICOM');
  });

  it('a zero tail one byte shorter than the data reads, with a warning naming both counts; as long as the data it is refused', () => {
    const { pixels, read } = pixelsOf(image(2, 4, 16, [bytes(16), bytes(15, 0)]));
    expect(pixels.length).toBe(8);
    expect(Array.from(pixels).every((v) => v === 0x0101)).toBe(true);
    expect(read.warnings).toHaveLength(1);
    const [warning] = read.warnings;
    expect(warning.code).toBe('W_PIXEL_DATA_PADDING');
    expect(warning.file).toBe('p.dcm');
    expect(warning.message).toContain('p.dcm');
    expect(warning.message).toContain('PixelData has 15 zero bytes after the 16');
    const error = errorOf(image(2, 4, 16, [bytes(16), bytes(16, 0)]));
    expect(error.code).toBe('E_MALFORMED_DICOM');
    expect(error.message).toContain('PixelData has 32 bytes');
  });

  it('a tail refused for one non-zero byte, first or last', () => {
    for (const at of [0, 5, 9]) {
      const tail = new Uint8Array(10);
      tail[at] = 1;
      const error = errorOf(image(4, 4, 16, [bytes(32), tail.buffer]));
      expect(error.code, String(at)).toBe('E_MALFORMED_DICOM');
      expect(error.message).toContain('not zero padding');
    }
  });

  it('short data is refused, even by one byte and even when what is there is zero', () => {
    for (const [rows, columns, bits, have] of [
      [3, 5, 8, 14],
      [2, 2, 16, 7],
      [2, 2, 16, 6],
      [1, 2, 32, 4],
      [1, 1, 8, 0],
    ]) {
      const error = errorOf(image(rows, columns, bits, new ArrayBuffer(have)));
      expect(error.code, `${rows}x${columns}x${bits} with ${have}`).toBe('E_MALFORMED_DICOM');
      expect(error.message).toContain('truncated');
      expect(error.message).toContain(`PixelData has ${have} bytes`);
    }
  });

  it('the refusal spells out the product of the attributes (SamplesPerPixel only when it is not 1)', () => {
    const gray = errorOf(image(3, 5, 16, bytes(20)), IMPLICIT_VR_LITTLE_ENDIAN, 2);
    expect(gray.message).toContain('Rows 3 x Columns 5 x NumberOfFrames 2 x BitsAllocated 16/8 = 60 bytes');
    expect(gray.message).not.toContain('SamplesPerPixel');
    const rgb = errorOf(image(3, 5, 8, bytes(20), { SamplesPerPixel: 3 }));
    expect(rgb.message).toContain('Rows 3 x Columns 5 x NumberOfFrames 1 x SamplesPerPixel 3 x BitsAllocated 8/8 = 45 bytes');
  });
});

describe('readPixels: the memory ceiling', () => {
  it('native pixels over the ceiling: E_TOO_LARGE naming the file and the size; at the ceiling they read', () => {
    vi.stubEnv('DOSEKIT_MAX_MEMORY', '100');
    expect(pixelsOf(image(5, 10, 16, new ArrayBuffer(100))).pixels.length).toBe(50);
    const error = errorOf(image(6, 10, 16, new ArrayBuffer(120)));
    expect(error.code).toBe('E_TOO_LARGE');
    expect(error.details.file).toBe('p.dcm');
    expect(error.details.attribute).toBe('PixelData');
    expect(error.message).toContain('p.dcm: the pixel data (6 x 10 x 1)');
  });

  it('native pixels that are also short: the size mismatch is reported, not the ceiling', () => {
    vi.stubEnv('DOSEKIT_MAX_MEMORY', '100');
    expect(errorOf(image(6, 10, 16, new ArrayBuffer(100))).code).toBe('E_MALFORMED_DICOM');
  });

  it('RLE pixels over the ceiling are refused before decoding', () => {
    vi.stubEnv('DOSEKIT_MAX_MEMORY', '100');
    // A valid frame of 11 x 10 8-bit pixels: one segment, 0x93 (n = -109) repeats the 4 that follows 110 times.
    const fragment = rleFrame([0x93, 4]);
    const error = errorOf(image(11, 10, 8, [fragment.buffer]), RLE_LOSSLESS);
    expect(error.code).toBe('E_TOO_LARGE');
    expect(error.message).toContain('p.dcm: the pixel data (11 x 10 x 1)');
    vi.stubEnv('DOSEKIT_MAX_MEMORY', '110');
    expect(Array.from(pixelsOf(image(11, 10, 8, [fragment.buffer]), RLE_LOSSLESS).pixels)).toEqual(new Array<number>(110).fill(4));
  });
});

/** One RLE frame with a single segment at byte 64 (PS3.5 G.5: segment count, then offsets). */
function rleFrame(segment: number[]): Uint8Array {
  const out = new Uint8Array(64 + segment.length);
  out[0] = 1;
  out[4] = 64;
  out.set(segment, 64);
  return out;
}

/** One RLE frame of two segments (MSB plane first), offsets written by hand. */
function rleFrame2(high: number[], low: number[]): Uint8Array {
  const out = new Uint8Array(64 + high.length + low.length);
  out[0] = 2;
  out[4] = 64;
  out[8] = 64 + high.length;
  out.set(high, 64);
  out.set(low, 64 + high.length);
  return out;
}

describe('readPixels: RLE Lossless', () => {
  it('one fragment per frame: frames in order', () => {
    // Frame 1: literal 1 2 (0x01); frame 2: 0xFF repeats 9 twice.
    const frames = [rleFrame([0x01, 1, 2]), rleFrame([0xff, 9])];
    const { pixels } = pixelsOf(image(1, 2, 8, frames.map((f) => f.buffer)), RLE_LOSSLESS, 2);
    expect(Array.from(pixels)).toEqual([1, 2, 9, 9]);
  });

  it('one frame in two fragments: joined before decoding', () => {
    const frame = rleFrame([0x01, 1, 2]);
    const { pixels } = pixelsOf(image(1, 2, 8, [frame.subarray(0, 40).slice().buffer, frame.subarray(40).slice().buffer]), RLE_LOSSLESS, 1);
    expect(Array.from(pixels)).toEqual([1, 2]);
  });

  it('16-bit signed: the MSB segment first, an Int16Array of the values', () => {
    // Values -2 (0xFFFE) and 0x0102: MSB plane FF 01, LSB plane FE 02.
    const frame = rleFrame2([0x01, 0xff, 0x01], [0x01, 0xfe, 0x02]);
    const signed = pixelsOf(image(1, 2, 16, [frame.buffer], { PixelRepresentation: 1 }), RLE_LOSSLESS).pixels;
    expect(signed).toBeInstanceOf(Int16Array);
    expect(Array.from(signed)).toEqual([-2, 0x0102]);
    expect(Array.from(pixelsOf(image(1, 2, 16, [frame.buffer]), RLE_LOSSLESS).pixels)).toEqual([0xfffe, 0x0102]);
  });

  it('more fragments than frames and no Basic Offset Table: E_MALFORMED_DICOM', () => {
    const frame = rleFrame([0x01, 1, 2]);
    expect(errorOf(image(1, 2, 8, [frame.buffer, frame.buffer, frame.buffer]), RLE_LOSSLESS, 2).code).toBe('E_MALFORMED_DICOM');
  });
});
