// SPDX-License-Identifier: BSD-3-Clause
/**
 * RLE Lossless (PS3.5 Annex G) decoding at its edges: every byte of the header's little-endian
 * words, the 15-segment limit, the segment-size bound (a PackBits segment of L bytes decodes to at
 * most 64 × L), PackBits streams that end exactly at, one byte before and a row past the plane,
 * padding after the plane, the segment a short segment must not borrow from, the sizes too large
 * to hold, and what the errors name. Every fragment is written out byte by byte here, with its
 * decoded bytes.
 */
import { describe, expect, it } from 'vitest';
import { decodeRleFrame, decodeRleFrames, splitEncapsulatedFrames } from '../../src/dicom/rle.js';
import type { DosekitError } from '../../src/errors.js';
import { dosekitError } from '../helpers/errors.js';

/** A 64-byte RLE header: the segment count, then the offsets (little-endian uint32 each; the rest zero). */
function header(count: number, ...offsets: number[]): number[] {
  const words = [count, ...offsets];
  while (words.length < 16) words.push(0);
  return words.flatMap((w) => [w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, (w >>> 24) & 0xff]);
}

function bytes(...parts: number[][]): Uint8Array {
  return Uint8Array.from(parts.flat());
}

function malformed(work: () => unknown): DosekitError {
  const error = dosekitError(work);
  expect(error.code).toBe('E_MALFORMED_DICOM');
  expect(error.details.attribute).toBe('PixelData');
  return error;
}

describe('header words are little-endian uint32, all four bytes', () => {
  const segment = [0xfe, 5]; // 0xFE (n = -2): 5 three times.

  it('a segment count with a non-zero second, third or fourth byte is not 1', () => {
    for (const count of [0x00000101, 0x00010001, 0x01000001]) {
      const error = malformed(() => decodeRleFrame(bytes(header(count, 64), segment), 1, 3, 1, 8));
      expect(error.message, count.toString(16)).toContain(`declares ${count} segments`);
    }
  });

  it('an offset past byte 255 (second byte) decodes from there; the bytes between are skipped', () => {
    const gap = new Array<number>(300 - 64).fill(0xaa);
    expect(Array.from(decodeRleFrame(bytes(header(1, 300), gap, segment), 1, 3, 1, 8))).toEqual([5, 5, 5]);
  });

  it('an offset past byte 65535 (third byte) decodes from there', () => {
    const offset = 0x010044;
    const fragment = new Uint8Array(offset + 2);
    fragment.set(header(1, offset));
    fragment.set(segment, offset);
    expect(Array.from(decodeRleFrame(fragment, 1, 3, 1, 8))).toEqual([5, 5, 5]);
  });

  it('a fragment of exactly 64 bytes is a whole header, with no room for its segment', () => {
    const error = malformed(() => decodeRleFrame(bytes(header(1, 64)), 1, 1, 1, 8));
    expect(error.message).toContain('segment 1 of 1 starts at byte 64, beyond the end of the 64-byte fragment');
    expect(malformed(() => decodeRleFrame(bytes(header(1, 64)).subarray(0, 63), 1, 1, 1, 8)).message).toContain('63 bytes, shorter than the 64-byte RLE header');
  });

  it('offsets whose high bytes put them past a short fragment are refused', () => {
    for (const offset of [0x00000140, 0x00010040, 0x01000040, 0x80000040]) {
      const error = malformed(() => decodeRleFrame(bytes(header(1, offset), segment, new Array<number>(100).fill(0x80)), 1, 3, 1, 8));
      expect(error.message, offset.toString(16)).toContain(`starts at byte ${offset}, beyond the end`);
    }
  });
});

describe('geometry limits', () => {
  it('15 segments (15 samples of 8 bits, 7 of 16 bits) decode; 16 are refused', () => {
    // 1 pixel, 15 samples: segment k is 0x00 (literal of 1) then the sample value 10 + k.
    const offsets = Array.from({ length: 15 }, (_, k) => 64 + 2 * k);
    const segments = Array.from({ length: 15 }, (_, k) => [0x00, 10 + k]);
    const fifteen = bytes(header(15, ...offsets), ...segments);
    expect(Array.from(decodeRleFrame(fifteen, 1, 1, 15, 8))).toEqual(Array.from({ length: 15 }, (_, k) => 10 + k));
    // 7 samples of 16 bits: 14 segments, MSB then LSB per sample; sample k = (10+2k) << 8 | (11+2k).
    const fourteen = bytes(header(14, ...offsets.slice(0, 14)), ...segments.slice(0, 14));
    expect(Array.from(decodeRleFrame(fourteen, 1, 1, 7, 16))).toEqual(Array.from({ length: 14 }, (_, k) => (k % 2 === 0 ? 11 + k : 9 + k)));
    expect(malformed(() => decodeRleFrame(fifteen, 1, 1, 16, 8)).message).toContain('needs 16 segments');
    expect(malformed(() => decodeRleFrame(fifteen, 1, 1, 8, 16)).message).toContain('needs 16 segments');
  });

  it('Rows × Columns × segments beyond 2^53: refused as too large before the header is read', () => {
    const fragment = bytes(header(1, 64), [0xfe, 5]);
    const error = malformed(() => decodeRleFrame(fragment, 2 ** 30, 2 ** 30, 1, 8));
    expect(error.message).toContain('is too large');
    expect(error.details.frame).toBeUndefined();
  });

  it('frames × frame size beyond 2^53 is refused as too large; one that cannot be allocated is E_TOO_LARGE', () => {
    // One 8-bit segment of 2^26 bytes may claim 64 × 2^26 = 2^32 decoded bytes: Rows 2^16 × Columns 2^16.
    const fragment = new Uint8Array(64 + 2 ** 26);
    fragment.set(header(1, 64));
    const many = new Array<Uint8Array>(2 ** 21 + 1).fill(fragment); // 2^53 + 2^32 bytes
    const tooMany = malformed(() => decodeRleFrames(many, 2 ** 16, 2 ** 16, 1, 8));
    expect(tooMany.message).toContain('frames of Rows 65536 × Columns 65536 are too large');
    const huge = new Array<Uint8Array>(2 ** 18).fill(fragment); // 2^50 bytes: a safe integer, but no machine has it
    const error = dosekitError(() => decodeRleFrames(huge, 2 ** 16, 2 ** 16, 1, 8, 'big.dcm'));
    expect(error.code).toBe('E_TOO_LARGE');
  });

  it('not an array of frames: E_MALFORMED_DICOM', () => {
    malformed(() => decodeRleFrames(undefined as unknown as Uint8Array[], 1, 1, 1, 8));
    malformed(() => decodeRleFrames('ab' as unknown as Uint8Array[], 1, 1, 1, 8));
  });
});

describe('the segment-size bound: L bytes decode to at most 64 × L', () => {
  it('applies to the first of two segments, measured up to the second', () => {
    // 16 bits, 1 × 128: MSB segment 0x81 01 (1 × 128), LSB segment 0x81 02 (2 × 128).
    const ok = bytes(header(2, 64, 66), [0x81, 0x01], [0x81, 0x02]);
    const out = decodeRleFrame(ok, 1, 128, 1, 16);
    expect(out.length).toBe(256);
    expect(Array.from(out.subarray(0, 4))).toEqual([0x02, 0x01, 0x02, 0x01]);
    expect(Array.from(out.subarray(252))).toEqual([0x02, 0x01, 0x02, 0x01]);
    // 1 × 129: the 2-byte MSB segment can hold only 128, however long the LSB segment.
    const first = bytes(header(2, 64, 66), [0x81, 0x01], [0x81, 0x02, 0x00, 0x02, 0x00, 0x00]);
    expect(malformed(() => decodeRleFrame(first, 1, 129, 1, 16)).message).toContain('segment 1 of 2 is 2 bytes, too short');
  });

  it('applies to the last segment, measured up to the end of the fragment', () => {
    const last = bytes(header(2, 64, 68), [0x81, 0x01, 0x00, 0x01], [0x81, 0x02]);
    expect(malformed(() => decodeRleFrame(last, 1, 129, 1, 16)).message).toContain('segment 2 of 2 is 2 bytes, too short');
  });
});

describe('PackBits at the end of the plane', () => {
  const decode8 = (segment: number[], rows: number, columns: number): number[] => Array.from(decodeRleFrame(bytes(header(1, 64), segment), rows, columns, 1, 8));

  it('a short segment does not borrow the next segment\'s bytes', () => {
    // 16 bits, 1 × 2: MSB segment 0x00 05 decodes one byte; the LSB segment starts with a literal of 2.
    const fragment = bytes(header(2, 64, 66), [0x00, 0x05], [0x01, 0x01, 0x02, 0x00]);
    expect(malformed(() => decodeRleFrame(fragment, 1, 2, 1, 16)).message).toContain('segment 1 of 2 decodes to 1 bytes, fewer than');
  });

  it('a literal run ending on the segment\'s last byte is complete', () => {
    expect(decode8([0x02, 7, 8, 9], 1, 3)).toEqual([7, 8, 9]);
    expect(decode8([0xff, 6, 0x00, 9], 1, 3)).toEqual([6, 6, 9]);
  });

  it('no-op bytes (0x80) after the plane are padding', () => {
    expect(decode8([0xff, 7, 0x80, 0x80], 1, 2)).toEqual([7, 7]);
    expect(decode8([0x80, 0xff, 7, 0x80], 1, 2)).toEqual([7, 7]);
  });

  it('a zero pad byte after the plane is padding even when a row is one byte', () => {
    expect(decode8([0x80, 0xfe, 7, 0x00], 3, 1)).toEqual([7, 7, 7]);
    expect(decode8([0x02, 1, 2, 3, 0x00], 3, 1)).toEqual([1, 2, 3]);
  });

  it('a replicate control with no value after the plane is padding', () => {
    expect(decode8([0xff, 7, 0xff], 1, 2)).toEqual([7, 7]);
    expect(decode8([0xff, 7, 0x81], 1, 2)).toEqual([7, 7]);
  });

  it('runs after the plane that decode less than a row are dropped', () => {
    // Row of 4: after the plane, a replicate of 2, then a literal of 1 (3 < 4).
    expect(decode8([0xfd, 7, 0xff, 8, 0x00, 9], 1, 4)).toEqual([7, 7, 7, 7]);
    // Row of 3: a literal of 2 after the plane.
    expect(decode8([0xfe, 7, 0x01, 1, 2], 1, 3)).toEqual([7, 7, 7]);
    // A run that overshoots the plane by less than a row.
    expect(decode8([0x00, 1, 0xfd, 2], 1, 4)).toEqual([1, 2, 2, 2]);
  });

  it('runs after the plane that decode exactly a row, or more, are refused', () => {
    for (const [segment, columns] of [
      [[0xff, 7, 0x01, 1, 2], 2], // literal of 2 = one row of 2
      [[0xff, 7, 0xff, 8], 2], // replicate of 2
      [[0xff, 7, 0xfd, 9], 2], // replicate of 4
      [[0xfd, 7, 0xff, 8, 0x01, 1, 2], 4], // replicate of 2 + literal of 2
      [[0x00, 7, 0x00, 8], 1], // literal of 1 = a row of 1
      [[0x00, 7, 0x80, 0xff, 8], 1], // no-op, then a replicate of 2
    ] as [number[], number][]) {
      const error = malformed(() => decode8(segment, 1, columns));
      expect(error.message, segment.join(' ')).toContain('a row or more beyond Rows × Columns');
    }
  });
});

describe('what the errors name', () => {
  const short = bytes(header(1, 64), [0xfe, 1]); // decodes 3 bytes

  it('the file and the one-based frame, in the message and the details', () => {
    const error = malformed(() => decodeRleFrame(short, 1, 4, 1, 8, 'a.dcm', 4));
    expect(error.message.startsWith('a.dcm: PixelData (RLE Lossless) frame 5: ')).toBe(true);
    expect(error.details).toStrictEqual({ attribute: 'PixelData', file: 'a.dcm', frame: 4 });
  });

  it('no file: none in the message or the details; the frame defaults to the first', () => {
    const error = malformed(() => decodeRleFrame(short, 1, 4, 1, 8));
    expect(error.message.startsWith('PixelData (RLE Lossless) frame 1: ')).toBe(true);
    expect(error.details).toStrictEqual({ attribute: 'PixelData', frame: 0 });
  });

  it('a geometry error names no frame', () => {
    const error = malformed(() => decodeRleFrame(short, 0, 4, 1, 8, 'g.dcm'));
    expect(error.message.startsWith('g.dcm: PixelData (RLE Lossless): ')).toBe(true);
    expect(error.details).toStrictEqual({ attribute: 'PixelData', file: 'g.dcm' });
  });

  it('decodeRleFrames names the frame whose segment is short', () => {
    const good = bytes(header(1, 64), [0xfd, 1]);
    const error = malformed(() => decodeRleFrames([good, good, short], 1, 4, 1, 8, 'm.dcm'));
    expect(error.details.frame).toBe(2);
    expect(error.message).toContain('frame 3');
  });
});

describe('splitEncapsulatedFrames refusals', () => {
  const a = Uint8Array.of(1, 2);
  const b = Uint8Array.of(3, 4, 5, 6);
  const c = Uint8Array.of(7, 8);
  const d = Uint8Array.of(9, 10, 11, 12, 13, 14);

  it('fragments that are not an array, or hold something other than bytes', () => {
    malformed(() => splitEncapsulatedFrames(undefined as unknown as Uint8Array[], 1));
    malformed(() => splitEncapsulatedFrames('ab' as unknown as Uint8Array[], 1));
    malformed(() => splitEncapsulatedFrames([a, [3, 4] as unknown as Uint8Array], 2));
    malformed(() => splitEncapsulatedFrames([a, b, 'cd' as unknown as Uint8Array], 1));
  });

  it('NumberOfFrames that is not a positive integer', () => {
    for (const frames of [1.5, Number.NaN, -1, Infinity]) malformed(() => splitEncapsulatedFrames([a], frames));
  });

  it('a Basic Offset Table naming the same fragment twice', () => {
    // Item tags at 0 (a), 10 (b), 22 (c), 32 (d).
    const error = malformed(() => splitEncapsulatedFrames([a, b, c, d], 3, Uint32Array.from([0, 10, 10]), 's.dcm'));
    expect(error.message).toContain('not increasing');
    expect(error.details.frame).toBe(2);
    // The same table without the repeat groups them.
    const frames = splitEncapsulatedFrames([a, b, c, d], 3, Uint32Array.from([0, 10, 22]));
    expect(frames.map((f) => Array.from(f))).toEqual([[1, 2], [3, 4, 5, 6], [7, 8, 9, 10, 11, 12, 13, 14]]);
  });
});
