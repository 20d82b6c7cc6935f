// SPDX-License-Identifier: BSD-3-Clause
import { describe, expect, it } from 'vitest';
import { DosekitError } from '../../src/errors.js';
import { decodeRleFrame, decodeRleFrames, splitEncapsulatedFrames } from '../../src/dicom/rle.js';
import { assembleRleFrame, encodeRleFrame, packBits, withHeaderWord, type RleEncodeOptions } from '../helpers/rle-encode.js';
import { mulberry32 } from '../helpers/point-in-path.js';

type Bits = 8 | 16 | 32;


function randomInt(random: () => number, below: number): number {
  return Math.floor(random() * below);
}

/** Uniformly random bytes (mostly literal runs). */
function randomBytes(random: () => number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let k = 0; k < length; k++) out[k] = randomInt(random, 256);
  return out;
}

/** Bytes made of runs of awkward lengths (mix of literal and replicate runs). */
function runnyBytes(random: () => number, length: number): Uint8Array {
  const lengths = [1, 1, 2, 3, 4, 126, 127, 128, 129, 130, 255, 256, 257];
  const out = new Uint8Array(length);
  let at = 0;
  while (at < length) {
    const run = lengths[randomInt(random, lengths.length)];
    const value = randomInt(random, 4) === 0 ? randomInt(random, 256) : randomInt(random, 3);
    out.fill(value, at, Math.min(length, at + run));
    at += run;
  }
  return out;
}

/** A 64-byte RLE header written out by hand: segment count, then offsets (rest zero). */
function header(count: number, ...offsets: number[]): number[] {
  const words = [count, ...offsets];
  while (words.length < 16) words.push(0);
  const bytes: number[] = [];
  for (const word of words) bytes.push(word & 0xff, (word >>> 8) & 0xff, (word >>> 16) & 0xff, (word >>> 24) & 0xff);
  return bytes;
}

function frameOf(...parts: number[][]): Uint8Array {
  return Uint8Array.from(parts.flat());
}

/** Runs `decode`; it must either return `expectedLength` bytes or throw DosekitError E_MALFORMED_DICOM. */
function decodeOrMalformed(decode: () => Uint8Array, expectedLength: number): Uint8Array | DosekitError {
  let result: Uint8Array;
  try {
    result = decode();
  } catch (error) {
    expect(error).toBeInstanceOf(DosekitError);
    expect((error as DosekitError).code).toBe('E_MALFORMED_DICOM');
    return error as DosekitError;
  }
  expect(result).toBeInstanceOf(Uint8Array);
  expect(result.length).toBe(expectedLength);
  return result;
}

function expectMalformed(decode: () => unknown, ...fragments: (string | RegExp)[]): DosekitError {
  let caught: unknown;
  try {
    decode();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(DosekitError);
  const error = caught as DosekitError;
  expect(error.code).toBe('E_MALFORMED_DICOM');
  expect(error.details.attribute).toBe('PixelData');
  for (const fragment of fragments) expect(error.message).toMatch(fragment);
  return error;
}

describe('decodeRleFrame: hand-worked examples (PS3.5 Annex G)', () => {
  it('8-bit, 1 sample, 2×3: literal run, no-op, replicate run, even padding', () => {
    // Segment 1 at byte 64:
    //   0x02 -> n = 2: copy the next 3 bytes literally: 10 11 12
    //   0x80 -> n = -128: no operation
    //   0xFE -> n = -2: repeat the next byte (7) -n + 1 = 3 times: 7 7 7
    //   0x00 -> pad byte making the segment even (never read: the plane is already full)
    const fragment = frameOf(header(1, 64), [0x02, 10, 11, 12, 0x80, 0xfe, 7, 0x00]);
    const out = decodeRleFrame(fragment, 2, 3, 1, 8);
    expect(Array.from(out)).toEqual([10, 11, 12, 7, 7, 7]);
  });

  it('16-bit, 1 sample, 1×3: the MSB segment comes first, the output is little-endian', () => {
    // Pixels 0x0102, 0x0304, 0x0506.
    // Segment 1 (high bytes) at 64: 0x02 01 03 05 -> literal 01 03 05
    // Segment 2 (low bytes)  at 68: 0x02 02 04 06 -> literal 02 04 06
    const fragment = frameOf(header(2, 64, 68), [0x02, 0x01, 0x03, 0x05], [0x02, 0x02, 0x04, 0x06]);
    const out = decodeRleFrame(fragment, 1, 3, 1, 16);
    expect(Array.from(out)).toEqual([0x02, 0x01, 0x04, 0x03, 0x06, 0x05]);
    expect(Array.from(new Uint16Array(out.buffer))).toEqual([0x0102, 0x0304, 0x0506]);
  });

  it('8-bit RGB, 1×2: one segment per sample, output interleaved R G B R G B', () => {
    // R: 0xFF (n = -1) repeat 0xFF twice               -> FF FF        (2 bytes, even)
    // G: 0x01 (n = 1) literal 00 10, then a zero pad    -> 00 10        (4 bytes with pad)
    // B: 0xFF repeat 0x20 twice                         -> 20 20
    const fragment = frameOf(header(3, 64, 66, 70), [0xff, 0xff], [0x01, 0x00, 0x10, 0x00], [0xff, 0x20]);
    const out = decodeRleFrame(fragment, 1, 2, 1 * 3, 8);
    expect(Array.from(out)).toEqual([0xff, 0x00, 0x20, 0xff, 0x10, 0x20]);
  });

  it('32-bit, 1 sample, 1×1: four segments, most significant first', () => {
    // Value 0x11223344: segments hold 11, 22, 33, 44 (each "0x00 byte" = literal of one byte).
    const fragment = frameOf(header(4, 64, 66, 68, 70), [0x00, 0x11], [0x00, 0x22], [0x00, 0x33], [0x00, 0x44]);
    const out = decodeRleFrame(fragment, 1, 1, 1, 32);
    expect(Array.from(out)).toEqual([0x44, 0x33, 0x22, 0x11]);
  });

  it('16-bit RGB, 1×1: six segments R-MSB R-LSB G-MSB G-LSB B-MSB B-LSB', () => {
    // R = 0xA1A2, G = 0xB1B2, B = 0xC1C2.
    const segments = [0xa1, 0xa2, 0xb1, 0xb2, 0xc1, 0xc2].map((byte) => [0x00, byte]);
    const fragment = frameOf(header(6, 64, 66, 68, 70, 72, 74), ...segments);
    const out = decodeRleFrame(fragment, 1, 1, 3, 16);
    expect(Array.from(out)).toEqual([0xa2, 0xa1, 0xb2, 0xb1, 0xc2, 0xc1]);
  });

  it('longest runs: 0x81 repeats 128 times, 0x7F copies 128 bytes', () => {
    // 1×257 plane: 128 × 0x2A (0x81 = -127), then 128 literal bytes 0..127 (0x7F = 127), then 0x00 + 0x99.
    const literal = Array.from({ length: 128 }, (_, k) => k);
    const fragment = frameOf(header(1, 64), [0x81, 0x2a, 0x7f, ...literal, 0x00, 0x99]);
    const out = decodeRleFrame(fragment, 1, 257, 1, 8);
    const expected = [...new Array<number>(128).fill(0x2a), ...literal, 0x99];
    expect(Array.from(out)).toEqual(expected);
  });

  it('runs may cross row boundaries when decoding', () => {
    // 2×2 plane from one replicate run of 4 (0xFD = -3).
    const fragment = frameOf(header(1, 64), [0xfd, 5]);
    expect(Array.from(decodeRleFrame(fragment, 2, 2, 1, 8))).toEqual([5, 5, 5, 5]);
  });

  it('bytes decoded past Rows × Columns are dropped (padding)', () => {
    // 1×3 plane: 0xFC (n = -4) repeats 9 five times; only 3 are kept.
    expect(Array.from(decodeRleFrame(frameOf(header(1, 64), [0xfc, 9]), 1, 3, 1, 8))).toEqual([9, 9, 9]);
    // 1×2 plane: a literal of 3 (0x02) keeps its first 2 bytes; the 16-bit case keeps both planes apart.
    const fragment = frameOf(header(2, 64, 68), [0x02, 0xa0, 0xa1, 0xa2], [0x02, 0xb0, 0xb1, 0xb2]);
    expect(Array.from(decodeRleFrame(fragment, 1, 2, 1, 16))).toEqual([0xb0, 0xa0, 0xb1, 0xa1]);
  });

  it('decodes a fragment that is a view into a larger buffer', () => {
    const bytes = frameOf([1, 2, 3], header(1, 64), [0xfe, 7, 0x80, 0x80]);
    const view = bytes.subarray(3);
    expect(Array.from(decodeRleFrame(view, 1, 3, 1, 8))).toEqual([7, 7, 7]);
  });
});

describe('decodeRleFrame: round trips through the test encoder', () => {
  const shapes: [number, number][] = [
    [1, 1],
    [1, 2],
    [2, 1],
    [3, 5],
    [7, 3],
    [17, 13],
    [33, 64],
  ];
  const variants: [string, RleEncodeOptions][] = [
    ['default', {}],
    ['replicate from 2', { minReplicate: 2 }],
    ['no-ops', { noOps: true }],
    ['runs across rows', { acrossRows: true }],
  ];
  for (const bits of [8, 16, 32] as Bits[]) {
    for (const samples of [1, 3]) {
      it(`${bits}-bit, ${samples} sample(s): random and runny data, all shapes and encoder variants`, () => {
        const random = mulberry32(bits * 100 + samples);
        for (const [rows, columns] of shapes) {
          const length = rows * columns * samples * (bits / 8);
          for (const pixels of [randomBytes(random, length), runnyBytes(random, length), new Uint8Array(length)]) {
            for (const [, options] of variants) {
              const fragment = encodeRleFrame(pixels, rows, columns, samples, bits, options);
              expect(fragment.length % 2).toBe(0);
              const out = decodeRleFrame(fragment, rows, columns, samples, bits);
              expect(out).toEqual(pixels);
            }
          }
        }
      });
    }
  }

  it('rows made of single runs of length 1, 2, 127, 128, 129 and more', () => {
    for (const width of [1, 2, 3, 127, 128, 129, 130, 255, 256, 257, 258]) {
      for (const minReplicate of [2, 3]) {
        const rows = 3;
        const pixels = new Uint8Array(rows * width);
        for (let r = 0; r < rows; r++) pixels.fill(r * 40 + 1, r * width, (r + 1) * width);
        const fragment = encodeRleFrame(pixels, rows, width, 1, 8, { minReplicate });
        expect(decodeRleFrame(fragment, rows, width, 1, 8)).toEqual(pixels);
        // Alternating values: literal runs of the same lengths.
        const alternating = pixels.map((_, k) => k & 1);
        const fragment2 = encodeRleFrame(alternating, rows, width, 1, 8, { minReplicate });
        expect(decodeRleFrame(fragment2, rows, width, 1, 8)).toEqual(alternating);
      }
    }
  });

  it('encoder sanity: packBits produces the textbook codes', () => {
    expect(Array.from(packBits(Uint8Array.from([1, 2, 3])))).toEqual([0x02, 1, 2, 3]);
    expect(Array.from(packBits(Uint8Array.from([4, 4, 4, 4])))).toEqual([0xfd, 4]);
    expect(Array.from(packBits(new Uint8Array(129).fill(6)))).toEqual([0x81, 6, 0x00, 6]);
  });

  it('16-bit CT-like values round trip through a Uint16Array view', () => {
    const random = mulberry32(42);
    const rows = 31;
    const columns = 29;
    const values = new Uint16Array(rows * columns);
    for (let k = 0; k < values.length; k++) values[k] = k % 7 === 0 ? 0 : 1000 + randomInt(random, 60);
    const pixels = new Uint8Array(values.buffer);
    const out = decodeRleFrame(encodeRleFrame(pixels, rows, columns, 1, 16), rows, columns, 1, 16);
    expect(new Uint16Array(out.buffer, out.byteOffset, out.length / 2)).toEqual(values);
  });
});

describe('decodeRleFrames', () => {
  it('decodes frames back to back into one buffer', () => {
    const random = mulberry32(7);
    const rows = 5;
    const columns = 9;
    const frameBytes = rows * columns * 3 * 2;
    const frames = [0, 1, 2, 3].map(() => runnyBytes(random, frameBytes));
    const out = decodeRleFrames(
      frames.map((pixels) => encodeRleFrame(pixels, rows, columns, 3, 16)),
      rows,
      columns,
      3,
      16,
    );
    expect(out.length).toBe(4 * frameBytes);
    frames.forEach((pixels, f) => expect(out.subarray(f * frameBytes, (f + 1) * frameBytes)).toEqual(pixels));
  });

  it('names the faulty frame (one-based) and the file', () => {
    const pixels = new Uint8Array(16).fill(3);
    const good = encodeRleFrame(pixels, 4, 4, 1, 8);
    const bad = withHeaderWord(good, 0, 2);
    const error = expectMalformed(
      () => decodeRleFrames([good, good, bad], 4, 4, 1, 8, 'ct/series.dcm'),
      /^ct\/series\.dcm: /,
      'PixelData (RLE Lossless)',
      'frame 3',
      'declares 2 segments',
      'requires 1',
    );
    expect(error.details.file).toBe('ct/series.dcm');
    expect(error.details.frame).toBe(2);
  });

  it('rejects an empty frame list', () => {
    expectMalformed(() => decodeRleFrames([], 4, 4, 1, 8), 'no frames');
  });

  it('decodes a many-frame 512×512 16-bit volume into one buffer', () => {
    const rows = 512;
    const columns = 512;
    const random = mulberry32(2024);
    const values = new Uint16Array(rows * columns);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < columns; c++) {
        const inside = (r - 256) ** 2 + (c - 256) ** 2 < 200 ** 2;
        values[r * columns + c] = inside ? 1000 + randomInt(random, 80) : 0;
      }
    }
    const pixels = new Uint8Array(values.buffer);
    const fragment = encodeRleFrame(pixels, rows, columns, 1, 16);
    const fragments = new Array<Uint8Array>(40).fill(fragment);
    const out = decodeRleFrames(fragments, rows, columns, 1, 16);
    expect(out.length).toBe(40 * pixels.length);
    for (const f of [0, 20, 39]) {
      expect(Buffer.compare(out.subarray(f * pixels.length, (f + 1) * pixels.length), pixels)).toBe(0);
    }
  });
});

describe('decodeRleFrame: malformed input', () => {
  const random = mulberry32(99);
  const rows = 4;
  const columns = 5;
  const pixels = runnyBytes(random, rows * columns * 3 * 2);
  const good = encodeRleFrame(pixels, rows, columns, 3, 16, { minReplicate: 2 });
  const decode = (fragment: Uint8Array): Uint8Array => decodeRleFrame(fragment, rows, columns, 3, 16, 'x.dcm');

  it('truncated at every offset: a correct result or E_MALFORMED_DICOM', () => {
    expect(decode(good)).toEqual(pixels);
    for (let length = 0; length < good.length; length++) {
      const result = decodeOrMalformed(() => decode(good.subarray(0, length)), pixels.length);
      // Only dropping the last segment's even-length pad byte can still decode, and then exactly.
      if (result instanceof Uint8Array) expect(result).toEqual(pixels);
    }
  });

  it('a fragment shorter than the header', () => {
    expectMalformed(() => decode(new Uint8Array(10)), 'x.dcm: PixelData (RLE Lossless) frame 1', '10 bytes, shorter than the 64-byte RLE header');
  });

  it('wrong segment counts', () => {
    for (const count of [0, 1, 5, 7, 15, 16, 0xffffffff]) {
      expectMalformed(() => decode(withHeaderWord(good, 0, count)), `declares ${count} segments`, 'requires 6');
    }
  });

  it('offsets inside the header, past the end, or not increasing', () => {
    for (const offset of [0, 4, 63]) {
      expectMalformed(() => decode(withHeaderWord(good, 1, offset)), `segment 1 of 6 starts at byte ${offset}, inside the 64-byte RLE header`);
    }
    for (const offset of [good.length, good.length + 1, 0xffffffff]) {
      expectMalformed(() => decode(withHeaderWord(good, 4, offset)), /segment 4 of 6 starts at byte \d+, beyond the end/);
    }
    const second = new DataView(good.buffer).getUint32(8, true);
    expectMalformed(() => decode(withHeaderWord(good, 3, second)), 'not increasing');
    expectMalformed(() => decode(withHeaderWord(good, 3, second - 1)), 'not increasing');
  });

  it('a segment that decodes to too few bytes', () => {
    // 1×4 plane but the segment (0xFE = repeat 3 times) only yields 3 bytes.
    expectMalformed(
      () => decodeRleFrame(frameOf(header(1, 64), [0xfe, 1]), 1, 4, 1, 8, 'short.dcm'),
      'short.dcm: PixelData (RLE Lossless) frame 1: segment 1 of 1 decodes to 3 bytes, fewer than Rows × Columns = 4',
    );
    // Only no-ops.
    expectMalformed(() => decodeRleFrame(frameOf(header(1, 64), [0x80, 0x80]), 1, 1, 1, 8), 'decodes to 0 bytes');
  });

  it('a huge Rows × Columns with a small fragment fails before allocating', () => {
    const fragment = frameOf(header(1, 64), [0x81, 1]);
    // 2 bytes of PackBits decode to at most 128 bytes.
    expect(Array.from(decodeRleFrame(fragment, 2, 64, 1, 8))).toEqual(new Array<number>(128).fill(1));
    expectMalformed(() => decodeRleFrame(fragment, 1, 129, 1, 8), 'segment 1 of 1 is 2 bytes, too short to decode to Rows × Columns = 129 bytes');
    expectMalformed(() => decodeRleFrame(fragment, 65535, 65535, 1, 8), 'too short');
    expectMalformed(() => decodeRleFrames(new Array<Uint8Array>(100000).fill(fragment), 65535, 65535, 1, 8), 'frame 1', 'too short');
  });

  it('a literal run past the end of its segment', () => {
    // Literal of 4 bytes declared, only 2 present before segment 2 starts.
    expectMalformed(
      () => decodeRleFrame(frameOf(header(2, 64, 68), [0x03, 1, 2, 3], [0x00, 9]), 1, 1, 1, 16),
      'segment 1 of 2: literal run of 4 bytes',
      'runs past the end of the segment',
    );
  });

  it('a replicate run with no byte to repeat', () => {
    expectMalformed(() => decodeRleFrame(frameOf(header(1, 64), [0x00, 1, 0xff]), 1, 3, 1, 8), 'replicate run', 'no byte to repeat');
  });

  it('impossible geometry', () => {
    const fragment = frameOf(header(1, 64), [0xfe, 1]);
    expectMalformed(() => decodeRleFrame(fragment, 0, 3, 1, 8), 'Rows 0');
    expectMalformed(() => decodeRleFrame(fragment, 1, -3, 1, 8), 'Columns -3');
    expectMalformed(() => decodeRleFrame(fragment, Number.NaN, 3, 1, 8), 'Rows NaN');
    expectMalformed(() => decodeRleFrame(fragment, 1, 3, 0, 8), 'SamplesPerPixel 0');
    expectMalformed(() => decodeRleFrame(fragment, 1, 3, 1, 12 as Bits), 'BitsAllocated 12');
    expectMalformed(() => decodeRleFrame(fragment, 1, 3, 4, 32), 'needs 16 segments');
    expectMalformed(() => decodeRleFrame(undefined as unknown as Uint8Array, 1, 3, 1, 8), 'not a byte array');
  });

  it('random byte flips: a correct-length result or E_MALFORMED_DICOM, never a hang', () => {
    const flipRandom = mulberry32(12345);
    const cases: [Uint8Array, number, number, number, Bits][] = [];
    for (const [r, c, s, b] of [
      [4, 5, 3, 16],
      [3, 7, 1, 8],
      [2, 3, 1, 32],
      [9, 11, 1, 16],
    ] as [number, number, number, Bits][]) {
      const data = runnyBytes(flipRandom, r * c * s * (b / 8));
      cases.push([encodeRleFrame(data, r, c, s, b), r, c, s, b]);
      cases.push([encodeRleFrame(randomBytes(flipRandom, data.length), r, c, s, b, { minReplicate: 2 }), r, c, s, b]);
    }
    let failures = 0;
    let successes = 0;
    for (let trial = 0; trial < 4000; trial++) {
      const [fragment, r, c, s, b] = cases[trial % cases.length];
      const copy = fragment.slice();
      const flips = 1 + randomInt(flipRandom, 4);
      for (let k = 0; k < flips; k++) {
        // Bias half of the flips into the header, where they matter most.
        const at = randomInt(flipRandom, 2) === 0 ? randomInt(flipRandom, 64) : randomInt(flipRandom, copy.length);
        copy[at] = randomInt(flipRandom, 3) === 0 ? copy[at] ^ (1 << randomInt(flipRandom, 8)) : randomInt(flipRandom, 256);
      }
      const result = decodeOrMalformed(() => decodeRleFrame(copy, r, c, s, b, 'flip.dcm'), r * c * s * (b / 8));
      if (result instanceof DosekitError) {
        failures++;
        expect(result.message).toContain('flip.dcm: PixelData (RLE Lossless) frame 1: ');
      } else {
        successes++;
      }
    }
    // Both outcomes occur (flips in unused header words or literal data still decode).
    expect(failures).toBeGreaterThan(0);
    expect(successes).toBeGreaterThan(0);
  });

  it('random garbage after a valid header never hangs or throws anything else', () => {
    const garbageRandom = mulberry32(777);
    for (let trial = 0; trial < 500; trial++) {
      const rows = 1 + randomInt(garbageRandom, 20);
      const columns = 1 + randomInt(garbageRandom, 20);
      const body = randomBytes(garbageRandom, randomInt(garbageRandom, 2 * rows * columns + 4) + 1);
      const fragment = frameOf(header(1, 64), Array.from(body));
      decodeOrMalformed(() => decodeRleFrame(fragment, rows, columns, 1, 8), rows * columns);
    }
  });
});

describe('splitEncapsulatedFrames', () => {
  const a = Uint8Array.from([1, 2]);
  const b = Uint8Array.from([3, 4, 5, 6]);
  const c = Uint8Array.from([7, 8]);
  const d = Uint8Array.from([9, 10, 11, 12, 13, 14]);

  it('one fragment per frame returns the fragments themselves', () => {
    const frames = splitEncapsulatedFrames([a, b, c], 3);
    expect(frames).toHaveLength(3);
    expect(frames[0]).toBe(a);
    expect(frames[1]).toBe(b);
    expect(frames[2]).toBe(c);
    // A Basic Offset Table is not needed then, even a wrong one.
    expect(splitEncapsulatedFrames([a, b, c], 3, Uint32Array.from([0, 1, 2]))[2]).toBe(c);
  });

  it('a single frame concatenates all fragments', () => {
    expect(Array.from(splitEncapsulatedFrames([a, b, c], 1)[0])).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(splitEncapsulatedFrames([b], 1)[0]).toBe(b);
  });

  it('uses the Basic Offset Table (offsets of item tags, 8 header bytes per item)', () => {
    // Items: a at 0 (8 + 2), b at 10 (8 + 4), c at 22 (8 + 2), d at 32.
    const frames = splitEncapsulatedFrames([a, b, c, d], 2, Uint32Array.from([0, 22]));
    expect(Array.from(frames[0])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(frames[1])).toEqual([7, 8, 9, 10, 11, 12, 13, 14]);
    const three = splitEncapsulatedFrames([a, b, c, d], 3, Uint32Array.from([0, 10, 32]));
    expect(three[0]).toBe(a);
    expect(Array.from(three[1])).toEqual([3, 4, 5, 6, 7, 8]);
    expect(three[2]).toBe(d);
  });

  it('rejects groupings it cannot make', () => {
    expectMalformed(() => splitEncapsulatedFrames([a, b, c, d], 2), 'no Basic Offset Table');
    expectMalformed(() => splitEncapsulatedFrames([a, b, c, d], 2, new Uint32Array(0)), 'no Basic Offset Table');
    expectMalformed(() => splitEncapsulatedFrames([a, b], 3, Uint32Array.from([0, 10, 22])), '2 fragments cannot hold NumberOfFrames 3');
    expectMalformed(() => splitEncapsulatedFrames([], 1, undefined, 'e.dcm'), /^e\.dcm: .*no fragments/);
    expectMalformed(() => splitEncapsulatedFrames([a, b, c, d], 0), 'NumberOfFrames 0');
    expectMalformed(() => splitEncapsulatedFrames([a, b, c, d], 2, Uint32Array.from([0, 10, 22])), '3 entries');
    expectMalformed(() => splitEncapsulatedFrames([a, b, c, d], 2, Uint32Array.from([0, 11])), 'frame 2', 'does not point at a fragment');
    expectMalformed(() => splitEncapsulatedFrames([a, b, c, d], 2, Uint32Array.from([10, 22])), 'first entry is 10');
    expectMalformed(() => splitEncapsulatedFrames([a, b, c, d], 2, Uint32Array.from([22, 0])), 'first entry is 22');
    expectMalformed(() => splitEncapsulatedFrames([a, b, c, d], 3, Uint32Array.from([0, 22, 10])), 'not increasing');
  });
});
