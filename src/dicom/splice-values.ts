// SPDX-License-Identifier: BSD-3-Clause
/**
 * Puts long text values into encoded DICOM bytes. dcmjs writes each element value through a stream
 * of 256-byte chunks that it searches linearly on every byte, so a value of a few hundred kB (the
 * DVHData of a finely binned DVH) takes seconds to minutes; writing a short placeholder and splicing
 * the real bytes in afterwards takes milliseconds.
 */
import { readFileMetaStrings } from './contour-data.js';
import { IMPLICIT_VR_LITTLE_ENDIAN } from './transfer-syntax.js';

/** Largest value length an explicit VR element with a 16-bit length field can hold. */
const EXPLICIT_SHORT_LENGTH_LIMIT = 0xfffe;

/** The bytes of a text value as DICOM stores it: ASCII, padded with a space to an even length. */
export function textValueBytes(text: string): Uint8Array {
  const length = text.length + (text.length % 2);
  const out = new Uint8Array(length).fill(0x20);
  for (let i = 0; i < text.length; i += 1) out[i] = text.charCodeAt(i) & 0x7f;
  return out;
}

/**
 * Replaces, in order, each element `tag` of VR `vr` whose value is exactly `placeholder` (an
 * even-length ASCII text) by the matching entry of `values` (already padded, see
 * {@link textValueBytes}), fixing its length field. Works for explicit and implicit VR little endian,
 * inside sequences too: dcmjs writes sequences and items with undefined length, so no enclosing
 * length changes. The caller must have chosen implicit VR when a value exceeds 0xFFFE bytes.
 * @throws Error when the placeholders found do not match `values` one to one, or a value is too long
 *   for explicit VR (both are dosekit bugs, never bad input).
 */
export function spliceTextValues(bytes: Uint8Array, tag: number, vr: string, placeholder: string, values: readonly Uint8Array[]): Uint8Array {
  const explicit = readFileMetaStrings(bytes).get(0x0010) !== IMPLICIT_VR_LITTLE_ENDIAN;
  const header = (length: number): number[] => {
    const t = [(tag >>> 16) & 0xff, (tag >>> 24) & 0xff, tag & 0xff, (tag >>> 8) & 0xff];
    return explicit
      ? [...t, vr.charCodeAt(0), vr.charCodeAt(1), length & 0xff, (length >>> 8) & 0xff]
      : [...t, length & 0xff, (length >>> 8) & 0xff, (length >>> 16) & 0xff, (length >>> 24) & 0xff];
  };
  const pattern = Uint8Array.from([...header(placeholder.length), ...textValueBytes(placeholder)]);
  const found: number[] = [];
  outer: for (let i = 132; i + pattern.length <= bytes.length && found.length < values.length; i += 1) {
    for (let k = 0; k < pattern.length; k += 1) if (bytes[i + k] !== pattern[k]) continue outer;
    found.push(i);
    i += pattern.length - 1;
  }
  if (found.length !== values.length) throw new Error(`found ${found.length} of ${values.length} placeholder values of tag ${tag.toString(16)} in the encoded bytes`);
  const parts: Uint8Array[] = [];
  let from = 0;
  found.forEach((at, i) => {
    const value = values[i]!;
    if (explicit && value.length > EXPLICIT_SHORT_LENGTH_LIMIT) throw new Error(`a ${value.length}-byte value cannot be written in explicit VR; encode in implicit VR`);
    parts.push(bytes.subarray(from, at), Uint8Array.from(header(value.length)), value);
    from = at + pattern.length;
  });
  parts.push(bytes.subarray(from));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
