// SPDX-License-Identifier: BSD-3-Clause
/**
 * A straightforward DICOM RLE Lossless encoder (PS3.5 Annex G), used only to make test inputs.
 * Each row of each byte plane is PackBits-encoded separately (runs never cross a row boundary,
 * as G.3.1 requires) and every segment is padded to an even length with a zero byte.
 */

/** Options that vary the (still conformant) encoding to exercise more decoder paths. */
export interface RleEncodeOptions {
  /** Shortest run of equal bytes written as a replicate run (2..128; default 3). */
  readonly minReplicate?: number;
  /** Insert a -128 no-op control byte before every run (default false). */
  readonly noOps?: boolean;
  /** Encode each byte plane as one run sequence instead of row by row (default false). */
  readonly acrossRows?: boolean;
}

/** A growable byte buffer (test helper; simplicity over speed). */
class ByteSink {
  private bytes = new Uint8Array(256);
  length = 0;

  push(value: number): void {
    if (this.length === this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes[this.length++] = value;
  }

  pushAll(values: Uint8Array): void {
    for (const value of values) this.push(value);
  }

  result(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

/** PackBits-encodes `data` (no padding) and appends it to `sink`. */
function packBitsInto(data: Uint8Array, sink: ByteSink, options: RleEncodeOptions): void {
  const minReplicate = options.minReplicate ?? 3;
  if (!(minReplicate >= 2 && minReplicate <= 128)) throw new Error(`minReplicate ${minReplicate} out of 2..128`);
  const n = data.length;
  let i = 0;
  while (i < n) {
    // Length of the run of equal bytes starting at i (at most 128).
    let run = 1;
    while (i + run < n && run < 128 && data[i + run] === data[i]) run++;
    if (options.noOps) sink.push(0x80);
    if (run >= minReplicate) {
      sink.push(257 - run); // -(run - 1) as a byte
      sink.push(data[i]);
      i += run;
      continue;
    }
    // Literal run: extend until a replicate-worthy run starts or 128 bytes.
    let end = i;
    while (end < n && end - i < 128) {
      let ahead = 1;
      while (end + ahead < n && ahead < minReplicate && data[end + ahead] === data[end]) ahead++;
      if (ahead >= minReplicate) break;
      end++;
    }
    if (end === i) end = i + 1; // unreachable in practice; keeps progress guaranteed
    sink.push(end - i - 1);
    for (let k = i; k < end; k++) sink.push(data[k]);
    i = end;
  }
}

/** PackBits-encodes `data` on its own (no padding). */
export function packBits(data: Uint8Array, options: RleEncodeOptions = {}): Uint8Array {
  const sink = new ByteSink();
  packBitsInto(data, sink, options);
  return sink.result();
}

/**
 * Builds a 64-byte RLE header followed by the given encoded segments (each padded to even length).
 */
export function assembleRleFrame(segments: readonly Uint8Array[]): Uint8Array {
  if (segments.length > 15) throw new Error('RLE allows at most 15 segments');
  let total = 64;
  for (const segment of segments) total += segment.length + (segment.length & 1);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, segments.length, true);
  let at = 64;
  segments.forEach((segment, s) => {
    view.setUint32(4 + 4 * s, at, true);
    out.set(segment, at);
    at += segment.length + (segment.length & 1); // pad byte stays 0
  });
  return out;
}

/**
 * RLE-encodes one frame given as little-endian samples interleaved by pixel (the layout
 * `decodeRleFrame` returns). Segments: for each sample, most significant byte first.
 */
export function encodeRleFrame(
  pixels: Uint8Array,
  rows: number,
  columns: number,
  samplesPerPixel: number,
  bitsAllocated: 8 | 16 | 32,
  options: RleEncodeOptions = {},
): Uint8Array {
  const bytesPerSample = bitsAllocated / 8;
  const stride = samplesPerPixel * bytesPerSample;
  const planeBytes = rows * columns;
  if (pixels.length !== planeBytes * stride) {
    throw new Error(`expected ${planeBytes * stride} pixel bytes, got ${pixels.length}`);
  }
  const segments: Uint8Array[] = [];
  const plane = new Uint8Array(planeBytes);
  for (let sample = 0; sample < samplesPerPixel; sample++) {
    for (let msb = 0; msb < bytesPerSample; msb++) {
      const byteInSample = bytesPerSample - 1 - msb;
      for (let p = 0; p < planeBytes; p++) plane[p] = pixels[p * stride + sample * bytesPerSample + byteInSample];
      const sink = new ByteSink();
      if (options.acrossRows) {
        packBitsInto(plane, sink, options);
      } else {
        for (let r = 0; r < rows; r++) packBitsInto(plane.subarray(r * columns, (r + 1) * columns), sink, options);
      }
      segments.push(sink.result());
    }
  }
  return assembleRleFrame(segments);
}

/** Little-endian bytes of a 32-bit word, for writing headers by hand. */
export function uint32LE(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
}

/** A copy of an RLE frame with header word `word` (0 = segment count, 1..15 = offsets) set to `value`. */
export function withHeaderWord(frame: Uint8Array, word: number, value: number): Uint8Array {
  const copy = frame.slice();
  new DataView(copy.buffer).setUint32(4 * word, value >>> 0, true);
  return copy;
}
