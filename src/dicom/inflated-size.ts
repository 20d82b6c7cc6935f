// SPDX-License-Identifier: BSD-3-Clause
/**
 * The size a deflated dataset inflates to, bounded: a few hundred KB of deflate can stand for
 * gigabytes of zeros, and dcmjs inflates a Deflated Explicit VR Little Endian dataset whole, with
 * no limit, before reading an element. So the stream is inflated here first, in small pieces that
 * are counted and dropped, and refused once it passes the memory ceiling; only then does dcmjs
 * get it. (pako is the inflater dcmjs itself uses; dosekit names it as its own dependency.)
 */
import { Inflate } from 'pako';
import { checkMemory } from '../limits.js';

/** Input bytes given to the inflater at a time (its output arrives in pieces of the same size). */
const PIECE_BYTES = 1 << 16;

/**
 * Inflates the raw deflate stream `deflated` without keeping its output, and returns how many
 * bytes it inflates to (what a damaged or cut stream gives before it fails).
 * @throws DosekitError E_TOO_LARGE (naming `file`) as soon as the count passes the memory ceiling.
 */
export function checkInflatedSize(deflated: Uint8Array, file: string, memoryLimitBytes?: number): number {
  let inflatedBytes = 0;
  const inflater = new Inflate({ raw: true, chunkSize: PIECE_BYTES });
  inflater.onData = (piece: Uint8Array) => {
    inflatedBytes += piece.length;
    checkMemory(inflatedBytes, `${file}: inflating its deflated dataset (Deflated Explicit VR Little Endian)`, memoryLimitBytes, { file, attribute: 'TransferSyntaxUID' });
  };
  // The end of the stream (or a fault in it) is left to the reader that decodes it for real.
  inflater.onEnd = () => undefined;
  for (let at = 0; at < deflated.length && inflater.err === 0 && !inflater.ended; at += PIECE_BYTES) {
    const end = Math.min(at + PIECE_BYTES, deflated.length);
    inflater.push(deflated.subarray(at, end), end === deflated.length);
  }
  return inflatedBytes;
}
