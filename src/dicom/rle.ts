// SPDX-License-Identifier: BSD-3-Clause
/**
 * DICOM RLE Lossless (transfer syntax 1.2.840.10008.1.2.5) decoding, per DICOM PS3.5 Annex G.
 *
 * An RLE frame is one encapsulated fragment (several fragments are joined by
 * {@link splitEncapsulatedFrames}) that starts with a 64-byte header of 16 little-endian uint32:
 * the number of segments (1..15), then the byte offset of each segment from the start of the
 * fragment (unused offsets are 0). Each segment is a byte plane of Rows × Columns bytes
 * compressed with the PackBits scheme:
 *
 * - control byte n in 0..127: the next n + 1 bytes are copied literally;
 * - n in -127..-1: the next byte is repeated -n + 1 times;
 * - n = -128: no operation.
 *
 * Segments are ordered per sample (sample 1 first, e.g. R, G, B), and within a sample the most
 * significant byte segment comes first (PS3.5 G.2, the "Composite Pixel Code"). So a 16-bit RGB
 * frame has six segments: R-MSB, R-LSB, G-MSB, G-LSB, B-MSB, B-LSB.
 *
 * The decoder writes native DICOM uncompressed layout: little-endian samples, interleaved by pixel
 * (`R G B R G B …`, i.e. Planar Configuration 0 order). The segments themselves fix how samples are
 * encoded, so the Planar Configuration (0028,0006) attribute does not change decoding; callers must
 * treat the output as Planar Configuration 0 whatever that attribute says.
 */
import { DosekitError } from '../errors.js';

const HEADER_BYTES = 64;
const MAX_SEGMENTS = 15;
const ATTRIBUTE = 'PixelData';

/** Geometry shared by every frame of one image. */
interface FrameGeometry {
  readonly rows: number;
  readonly columns: number;
  readonly samplesPerPixel: number;
  readonly bytesPerSample: number;
  /** Rows × Columns: decoded length of one segment. */
  readonly planeBytes: number;
  /** Decoded length of one frame. */
  readonly frameBytes: number;
  /** Number of segments every frame must declare. */
  readonly segments: number;
}

function malformed(file: string | undefined, frame: number | undefined, what: string): DosekitError {
  const where = frame === undefined ? 'PixelData (RLE Lossless)' : `PixelData (RLE Lossless) frame ${frame + 1}`;
  const details: { file?: string; attribute: string; frame?: number } = { attribute: ATTRIBUTE };
  if (file !== undefined) details.file = file;
  if (frame !== undefined) details.frame = frame;
  return new DosekitError('E_MALFORMED_DICOM', `${file ? `${file}: ` : ''}${where}: ${what}`, details);
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function checkGeometry(
  rows: number,
  columns: number,
  samplesPerPixel: number,
  bitsAllocated: number,
  file: string | undefined,
): FrameGeometry {
  if (!isPositiveInteger(rows) || !isPositiveInteger(columns)) {
    throw malformed(file, undefined, `image size Rows ${String(rows)} × Columns ${String(columns)} is not a positive integer size`);
  }
  if (!isPositiveInteger(samplesPerPixel)) {
    throw malformed(file, undefined, `SamplesPerPixel ${String(samplesPerPixel)} is not a positive integer`);
  }
  if (bitsAllocated !== 8 && bitsAllocated !== 16 && bitsAllocated !== 32) {
    throw malformed(file, undefined, `BitsAllocated ${String(bitsAllocated)} cannot be RLE Lossless decoded (8, 16 or 32 required)`);
  }
  const bytesPerSample = bitsAllocated / 8;
  const segments = samplesPerPixel * bytesPerSample;
  if (segments > MAX_SEGMENTS) {
    throw malformed(
      file,
      undefined,
      `SamplesPerPixel ${samplesPerPixel} × BitsAllocated ${bitsAllocated} needs ${segments} segments, more than the ${MAX_SEGMENTS} RLE allows`,
    );
  }
  const planeBytes = rows * columns;
  const frameBytes = planeBytes * segments;
  if (!Number.isSafeInteger(frameBytes)) {
    throw malformed(file, undefined, `image size Rows ${rows} × Columns ${columns} is too large`);
  }
  return { rows, columns, samplesPerPixel, bytesPerSample, planeBytes, frameBytes, segments };
}

function allocate(bytes: number, file: string | undefined): Uint8Array {
  try {
    return new Uint8Array(bytes);
  } catch (cause) {
    throw new DosekitError(
      'E_TOO_LARGE',
      `${file ? `${file}: ` : ''}PixelData (RLE Lossless): cannot allocate ${bytes} bytes for the decoded pixels`,
      file === undefined ? { attribute: ATTRIBUTE, bytes } : { file, attribute: ATTRIBUTE, bytes },
      { cause },
    );
  }
}

function readUint32LE(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}


/**
 * Decodes one PackBits segment `src[start, end)` into `count` bytes written at
 * `out[outStart + k * stride]` for k = 0..count-1. Bytes decoded beyond `count` (padding) are
 * discarded unless they make a whole row (`rowBytes`) or more; running out of input before `count`
 * bytes, or a literal run past `end`, is an error.
 * Every iteration consumes at least one input byte, so the loop always terminates, and nothing is
 * written outside the `count` target positions.
 */
function decodeSegment(
  src: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  outStart: number,
  stride: number,
  count: number,
  rowBytes: number,
  file: string | undefined,
  frame: number,
  segment: number,
  segments: number,
): void {
  let i = start;
  let o = outStart;
  let produced = 0;
  while (produced < count && i < end) {
    const control = src[i++];
    if (control < 128) {
      // Literal run: the next control + 1 bytes are copied.
      const length = control + 1;
      if (i + length > end) {
        throw malformed(
          file,
          frame,
          `segment ${segment + 1} of ${segments}: literal run of ${length} bytes at byte ${i - 1} of the fragment runs past the end of the segment (byte ${end})`,
        );
      }
      const take = length < count - produced ? length : count - produced;
      if (stride === 1) {
        const stop = i + take;
        for (let k = i; k < stop; k++) out[o++] = src[k];
      } else {
        const stop = i + take;
        for (let k = i; k < stop; k++) {
          out[o] = src[k];
          o += stride;
        }
      }
      produced += take;
      i += length;
    } else if (control > 128) {
      // Replicate run: the next byte is repeated 257 - control times (-n + 1 for n = control - 256).
      if (i >= end) {
        throw malformed(
          file,
          frame,
          `segment ${segment + 1} of ${segments}: replicate run at byte ${i - 1} of the fragment has no byte to repeat before the end of the segment (byte ${end})`,
        );
      }
      const value = src[i++];
      const length = 257 - control;
      const take = length < count - produced ? length : count - produced;
      if (stride === 1) {
        out.fill(value, o, o + take);
        o += take;
      } else {
        const stop = o + take * stride;
        for (; o < stop; o += stride) out[o] = value;
      }
      produced += take;
    }
    // control === 128 (n = -128) is a no-op.
  }
  if (produced < count) {
    throw malformed(
      file,
      frame,
      `segment ${segment + 1} of ${segments} decodes to ${produced} bytes, fewer than Rows × Columns = ${count}`,
    );
  }
  // Remaining input is padding (the standard pads segments to an even length), or the end of a
  // run that overshot the plane. Runs that would decode a whole row more mean the frame is larger
  // than Rows × Columns: the header is wrong, and the values would land in the wrong pixels.
  let beyond = 0;
  while (i < end && beyond < rowBytes) {
    const control = src[i++];
    if (control < 128) {
      if (i + control + 1 > end) break; // an incomplete literal run: the pad byte
      beyond += control + 1;
      i += control + 1;
    } else if (control > 128) {
      if (i >= end) break;
      i += 1;
      beyond += 257 - control;
    }
  }
  if (beyond >= rowBytes) {
    throw malformed(
      file,
      frame,
      `segment ${segment + 1} of ${segments} decodes to at least ${count + beyond} bytes, a row or more beyond Rows × Columns = ${count}; Rows or Columns is wrong`,
    );
  }
}

/**
 * Validates one frame's RLE header and returns its segment offsets. Done for every frame before
 * the output is allocated, so a malformed file never causes a large allocation. A segment of L
 * bytes decodes to at most 64 × L bytes (each 2-byte replicate run yields 128), which bounds what
 * a short fragment can claim.
 */
function readHeader(fragment: Uint8Array, geometry: FrameGeometry, frame: number, file: string | undefined): number[] {
  if (!(fragment instanceof Uint8Array)) {
    throw malformed(file, frame, 'the frame data is not a byte array');
  }
  const length = fragment.length;
  if (length < HEADER_BYTES) {
    throw malformed(file, frame, `the fragment is ${length} bytes, shorter than the ${HEADER_BYTES}-byte RLE header`);
  }
  const segments = geometry.segments;
  const declared = readUint32LE(fragment, 0);
  if (declared !== segments) {
    throw malformed(
      file,
      frame,
      `the RLE header declares ${declared} segments but SamplesPerPixel ${geometry.samplesPerPixel} × BitsAllocated ${geometry.bytesPerSample * 8} requires ${segments}`,
    );
  }
  const offsets = new Array<number>(segments);
  let previous = -1;
  for (let s = 0; s < segments; s++) {
    const offset = readUint32LE(fragment, 4 + 4 * s);
    if (offset < HEADER_BYTES) {
      throw malformed(file, frame, `segment ${s + 1} of ${segments} starts at byte ${offset}, inside the ${HEADER_BYTES}-byte RLE header`);
    }
    if (offset >= length) {
      throw malformed(file, frame, `segment ${s + 1} of ${segments} starts at byte ${offset}, beyond the end of the ${length}-byte fragment`);
    }
    if (offset <= previous) {
      throw malformed(
        file,
        frame,
        `segment offsets are not increasing: segment ${s + 1} starts at byte ${offset}, segment ${s} at byte ${previous}`,
      );
    }
    offsets[s] = offset;
    previous = offset;
  }
  for (let s = 0; s < segments; s++) {
    const size = (s + 1 < segments ? offsets[s + 1] : length) - offsets[s];
    if (size * 64 < geometry.planeBytes) {
      throw malformed(
        file,
        frame,
        `segment ${s + 1} of ${segments} is ${size} bytes, too short to decode to Rows × Columns = ${geometry.planeBytes} bytes`,
      );
    }
  }
  return offsets;
}

/** Decodes one frame (header already validated) into `out[outOffset, outOffset + geometry.frameBytes)`. */
function decodeFrameInto(
  fragment: Uint8Array,
  offsets: readonly number[],
  geometry: FrameGeometry,
  out: Uint8Array,
  outOffset: number,
  frame: number,
  file: string | undefined,
): void {
  const segments = geometry.segments;
  const bytesPerSample = geometry.bytesPerSample;
  const stride = geometry.samplesPerPixel * bytesPerSample;
  for (let s = 0; s < segments; s++) {
    const sample = Math.floor(s / bytesPerSample);
    // Segments run most significant byte first; the output is little-endian.
    const byteInSample = bytesPerSample - 1 - (s % bytesPerSample);
    const end = s + 1 < segments ? offsets[s + 1] : fragment.length;
    decodeSegment(
      fragment,
      offsets[s],
      end,
      out,
      outOffset + sample * bytesPerSample + byteInSample,
      stride,
      geometry.planeBytes,
      geometry.columns,
      file,
      frame,
      s,
      segments,
    );
  }
}

/**
 * Decodes one RLE Lossless frame (PS3.5 Annex G).
 *
 * @param fragment - The frame's encapsulated data: the 64-byte RLE header followed by its segments
 *   (see {@link splitEncapsulatedFrames} for frames spread over several fragments).
 * @param rows - Rows (0028,0010).
 * @param columns - Columns (0028,0011).
 * @param samplesPerPixel - Samples per Pixel (0028,0002); at most 15 / (BitsAllocated / 8).
 * @param bitsAllocated - Bits Allocated (0028,0100): 8, 16 or 32.
 * @param file - The file being read, named in error messages.
 * @param frameIndex - Zero-based frame number, named (one-based) in error messages.
 * @returns `rows × columns × samplesPerPixel × bitsAllocated / 8` bytes: little-endian samples
 *   interleaved by pixel (`R G B R G B …`, Planar Configuration 0 order), as in an uncompressed
 *   little-endian Pixel Data element.
 * @throws DosekitError `E_MALFORMED_DICOM` for a malformed header or segment (wrong segment count,
 *   bad offsets, a segment decoding to fewer than Rows × Columns bytes, a literal run past the
 *   segment end) or impossible geometry; `E_TOO_LARGE` when the output cannot be allocated.
 *   Segments that decode to fewer than a row more than Rows × Columns bytes are truncated
 *   (trailing padding, an overshooting last run); a row or more beyond is E_MALFORMED_DICOM.
 */
export function decodeRleFrame(
  fragment: Uint8Array,
  rows: number,
  columns: number,
  samplesPerPixel: number,
  bitsAllocated: 8 | 16 | 32,
  file?: string,
  frameIndex = 0,
): Uint8Array {
  const geometry = checkGeometry(rows, columns, samplesPerPixel, bitsAllocated, file);
  const offsets = readHeader(fragment, geometry, frameIndex, file);
  const out = allocate(geometry.frameBytes, file);
  decodeFrameInto(fragment, offsets, geometry, out, 0, frameIndex, file);
  return out;
}

/**
 * Decodes every frame of an RLE Lossless image into one preallocated buffer, frames concatenated
 * in order, so no per-frame copies are ever held.
 *
 * @param fragmentsPerFrame - One byte array per frame, each starting with its RLE header (as
 *   returned by {@link splitEncapsulatedFrames}).
 * @param rows - Rows (0028,0010).
 * @param columns - Columns (0028,0011).
 * @param samplesPerPixel - Samples per Pixel (0028,0002).
 * @param bitsAllocated - Bits Allocated (0028,0100): 8, 16 or 32.
 * @param file - The file being read, named in error messages.
 * @returns `frames × rows × columns × samplesPerPixel × bitsAllocated / 8` bytes; each frame laid
 *   out as by {@link decodeRleFrame} (little-endian, interleaved by pixel).
 * @throws DosekitError `E_MALFORMED_DICOM` naming the faulty frame (see {@link decodeRleFrame});
 *   `E_TOO_LARGE` when the output cannot be allocated.
 */
export function decodeRleFrames(
  fragmentsPerFrame: readonly Uint8Array[],
  rows: number,
  columns: number,
  samplesPerPixel: number,
  bitsAllocated: 8 | 16 | 32,
  file?: string,
): Uint8Array {
  const geometry = checkGeometry(rows, columns, samplesPerPixel, bitsAllocated, file);
  if (!Array.isArray(fragmentsPerFrame) || fragmentsPerFrame.length === 0) {
    throw malformed(file, undefined, 'there are no frames to decode');
  }
  const frames = fragmentsPerFrame.length;
  const total = geometry.frameBytes * frames;
  if (!Number.isSafeInteger(total)) {
    throw malformed(file, undefined, `${frames} frames of Rows ${rows} × Columns ${columns} are too large`);
  }
  const headers = new Array<number[]>(frames);
  for (let f = 0; f < frames; f++) headers[f] = readHeader(fragmentsPerFrame[f], geometry, f, file);
  const out = allocate(total, file);
  for (let f = 0; f < frames; f++) {
    decodeFrameInto(fragmentsPerFrame[f], headers[f], geometry, out, f * geometry.frameBytes, f, file);
  }
  return out;
}

function concatenate(parts: readonly Uint8Array[], file: string | undefined): Uint8Array {
  if (parts.length === 1) return parts[0];
  let total = 0;
  for (const part of parts) total += part.length;
  const out = allocate(total, file);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Groups the fragments of an encapsulated Pixel Data element (PS3.5 A.4) into frames.
 *
 * - As many fragments as frames: one fragment per frame (the usual case, and the only one the
 *   standard allows for RLE Lossless); the Basic Offset Table is not needed.
 * - One frame: all fragments are concatenated.
 * - Otherwise the Basic Offset Table groups them: entry k is the offset of frame k's first fragment
 *   item tag, measured from the first fragment's item tag, each fragment item taking 8 header bytes
 *   plus its length.
 *
 * Frames made of a single fragment are returned as the same array (no copy).
 *
 * @param fragments - The fragment item values after the Basic Offset Table item, in order.
 * @param frames - Number of Frames (0028,0008); 1 when absent.
 * @param basicOffsetTable - The Basic Offset Table item's values; absent or empty when unused.
 * @param file - The file being read, named in error messages.
 * @returns One byte array per frame.
 * @throws DosekitError `E_MALFORMED_DICOM` when the fragments cannot be grouped into `frames` frames.
 */
export function splitEncapsulatedFrames(
  fragments: readonly Uint8Array[],
  frames: number,
  basicOffsetTable?: Uint32Array,
  file?: string,
): Uint8Array[] {
  if (!isPositiveInteger(frames)) {
    throw malformed(file, undefined, `NumberOfFrames ${String(frames)} is not a positive integer`);
  }
  const count = Array.isArray(fragments) ? fragments.length : 0;
  if (count === 0) throw malformed(file, undefined, 'the encapsulated Pixel Data has no fragments');
  for (let k = 0; k < count; k++) {
    if (!(fragments[k] instanceof Uint8Array)) throw malformed(file, undefined, `fragment ${k + 1} is not a byte array`);
  }
  if (count === frames) return fragments.slice();
  if (count < frames) {
    throw malformed(file, undefined, `${count} fragments cannot hold NumberOfFrames ${frames} frames`);
  }
  if (frames === 1) return [concatenate(fragments, file)];
  if (basicOffsetTable === undefined || basicOffsetTable.length === 0) {
    throw malformed(
      file,
      undefined,
      `${count} fragments for NumberOfFrames ${frames} and no Basic Offset Table to tell which fragments make up each frame`,
    );
  }
  if (basicOffsetTable.length !== frames) {
    throw malformed(file, undefined, `the Basic Offset Table has ${basicOffsetTable.length} entries for NumberOfFrames ${frames}`);
  }
  // Fragment index by the offset of its item tag.
  const indexByOffset = new Map<number, number>();
  let position = 0;
  for (let k = 0; k < count; k++) {
    indexByOffset.set(position, k);
    position += 8 + fragments[k].length;
  }
  const firsts = new Array<number>(frames);
  for (let f = 0; f < frames; f++) {
    const offset = basicOffsetTable[f];
    const index = indexByOffset.get(offset);
    if (index === undefined) {
      throw malformed(file, f, `Basic Offset Table entry ${offset} does not point at a fragment item`);
    }
    if (f === 0 ? index !== 0 : index <= firsts[f - 1]) {
      throw malformed(
        file,
        f,
        f === 0
          ? `the Basic Offset Table's first entry is ${offset}, not 0`
          : `Basic Offset Table entries are not increasing (${basicOffsetTable[f - 1]} then ${offset})`,
      );
    }
    firsts[f] = index;
  }
  const result = new Array<Uint8Array>(frames);
  for (let f = 0; f < frames; f++) {
    const stop = f + 1 < frames ? firsts[f + 1] : count;
    result[f] = concatenate(fragments.slice(firsts[f], stop), file);
  }
  return result;
}
