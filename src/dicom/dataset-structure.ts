// SPDX-License-Identifier: BSD-3-Clause
// checkDicomStructure: every element header of a DICOM Part 10 file checked against the bytes
// that hold it, before dcmjs decodes a value. dcmjs reads a value that claims more bytes than
// remain as whatever is there (a truncated file reads as if whole) and walks zero padding as
// thousands of empty elements; this walk finds where the data really ends instead.
import dcmjs from 'dcmjs';
import { DosekitError } from '../errors.js';
import { checkInflatedSize } from './inflated-size.js';
import { DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN, EXPLICIT_VR_BIG_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN } from './transfer-syntax.js';

/** Where the DICOM data of a file ends. */
export interface DicomExtent {
  /** The byte just past the last element of the dataset (the file's length when nothing follows). */
  readonly end: number;
  /** Zero bytes after `end`, ignored as padding (0 when none). */
  readonly paddingBytes: number;
  /** True when PixelData (7FE0,0010) is a top-level element. */
  readonly hasPixelData: boolean;
}

/** Sequences nested deeper than this are refused (real objects nest a handful of levels). */
export const MAX_SEQUENCE_DEPTH = 64;

/** Element codes and VR classes of the DICOM encoding (PS3.5 7.1 and 7.5), shared with the header scan. */
export const UNDEFINED_LENGTH = 0xffffffff;
export const ITEM = 0xfffee000;
export const ITEM_DELIMITER = 0xfffee00d;
export const SEQUENCE_DELIMITER = 0xfffee0dd;
const PIXEL_DATA = 0x7fe00010;
export const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
export const SHORT_VRS = new Set(['AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'PN', 'SH', 'SL', 'SS', 'ST', 'TM', 'UI', 'UL', 'US']);
/** VRs that may have an undefined length in explicit VR: sequences, and encapsulated pixel data. */
const UNDEFINED_LENGTH_VRS = new Set(['SQ', 'UN', 'OB', 'OW']);

let sequenceTags: Set<number> | undefined;

/** Tags that dcmjs's dictionary calls sequences: how dcmjs reads a defined-length implicit VR element. */
function isSequenceTag(tag: number): boolean {
  if (!sequenceTags) {
    sequenceTags = new Set();
    const entries = Object.values((dcmjs.data.DicomMetaDictionary as unknown as { nameMap: Record<string, { tag: string; vr: string }> }).nameMap);
    for (const { tag: text, vr } of entries) {
      const match = /^\(([0-9A-F]{4}),([0-9A-F]{4})\)$/i.exec(text);
      if (vr === 'SQ' && match) sequenceTags.add(Number.parseInt(match[1] + match[2], 16) >>> 0);
    }
  }
  return sequenceTags.has(tag);
}

function tagText(tag: number): string {
  const hex = tag.toString(16).toUpperCase().padStart(8, '0');
  return `(${hex.slice(0, 4)},${hex.slice(4)})`;
}

/** True when bytes[from, to) are all zero (word by word where aligned: padding can be 200 MB). */
/** True when bytes[from, to) are all zero (read a word at a time: padding can be hundreds of MB). */
export function allZero(bytes: Uint8Array, from: number, to: number): boolean {
  let i = from;
  while (i < to && (bytes.byteOffset + i) % 4 !== 0) if (bytes[i++] !== 0) return false;
  const words = Math.floor((to - i) / 4);
  if (words > 0) {
    const view = new Uint32Array(bytes.buffer, bytes.byteOffset + i, words);
    for (let k = 0; k < words; k += 1) if (view[k] !== 0) return false;
    i += words * 4;
  }
  while (i < to) if (bytes[i++] !== 0) return false;
  return true;
}

/** A structural fault: where, and what. */
class Fault extends Error {
  constructor(
    readonly at: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Walks the elements of [start, limit) in one transfer syntax, items and sequences included,
 * checking each declared length against the bytes of its container.
 */
class Walker {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #little: boolean;
  readonly #explicit: boolean;

  constructor(bytes: Uint8Array, syntax: string) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#little = syntax !== EXPLICIT_VR_BIG_ENDIAN;
    this.#explicit = syntax !== IMPLICIT_VR_LITTLE_ENDIAN;
  }

  tagAt(at: number): number {
    return ((this.#view.getUint16(at, this.#little) << 16) | this.#view.getUint16(at + 2, this.#little)) >>> 0;
  }

  /** The header of the element at `at` (which must fit before `limit`). */
  header(at: number, limit: number): { tag: number; vr: string; valueStart: number; length: number } {
    if (at + 8 > limit) throw new Fault(at, `an element header needs 8 bytes, only ${limit - at} remain`);
    const tag = this.tagAt(at);
    if (!this.#explicit || tag >>> 16 === 0xfffe) {
      return { tag, vr: '', valueStart: at + 8, length: this.#view.getUint32(at + 4, this.#little) };
    }
    const vr = String.fromCharCode(this.#bytes[at + 4], this.#bytes[at + 5]);
    if (LONG_VRS.has(vr)) {
      if (at + 12 > limit) throw new Fault(at, `the header of element ${tagText(tag)} (VR ${vr}) needs 12 bytes, only ${limit - at} remain`);
      return { tag, vr, valueStart: at + 12, length: this.#view.getUint32(at + 8, this.#little) };
    }
    if (!SHORT_VRS.has(vr)) throw new Fault(at, `element ${tagText(tag)} has no valid value representation (found "${printable(vr)}")`);
    return { tag, vr, valueStart: at + 8, length: this.#view.getUint16(at + 6, this.#little) };
  }

  /** One element at `at` inside [.., limit): returns where it ends. */
  element(at: number, limit: number, depth: number): number {
    const { tag, vr, valueStart, length } = this.header(at, limit);
    if (tag >>> 16 === 0xfffe) throw new Fault(at, `an item or delimiter ${tagText(tag)} where an element was expected`);
    if (length === UNDEFINED_LENGTH) {
      if (this.#explicit && !UNDEFINED_LENGTH_VRS.has(vr)) throw new Fault(at, `element ${tagText(tag)} (VR ${vr}) has an undefined length, which only sequences and encapsulated pixel data may have`);
      if (tag === PIXEL_DATA && depth === 0) return this.fragments(valueStart, limit);
      // An undefined-length UN is a sequence encoded in implicit VR little endian (PS3.5 6.2.2).
      const inner = vr === 'UN' ? new Walker(this.#bytes, IMPLICIT_VR_LITTLE_ENDIAN) : this;
      return inner.items(valueStart, limit, null, depth + 1, tag);
    }
    const end = valueStart + length;
    if (end > limit) {
      throw new Fault(at, `element ${tagText(tag)}${vr ? ` (VR ${vr})` : ''} declares ${length} bytes, only ${limit - valueStart} remain${limit === this.#bytes.length ? ' in the file' : ' in its item'}`);
    }
    const sequence = this.#explicit ? vr === 'SQ' : isSequenceTag(tag);
    if (sequence) this.items(valueStart, end, end, depth + 1, tag);
    return end;
  }

  /** The items of a sequence from `at`: up to `end` (defined length) or its delimiter. */
  items(at: number, limit: number, end: number | null, depth: number, owner: number): number {
    if (depth > MAX_SEQUENCE_DEPTH) throw new Fault(at, `sequences are nested more than ${MAX_SEQUENCE_DEPTH} deep (inside ${tagText(owner)})`);
    for (;;) {
      if (end !== null && at === end) return at;
      const { tag, valueStart, length } = this.header(at, limit);
      if (tag === SEQUENCE_DELIMITER) {
        if (end === null) return valueStart;
        throw new Fault(at, `a sequence delimiter inside the defined-length sequence ${tagText(owner)}`);
      }
      if (tag !== ITEM) throw new Fault(at, `sequence ${tagText(owner)} holds ${tagText(tag)} where an item (FFFE,E000) was expected`);
      if (length === UNDEFINED_LENGTH) {
        at = this.elementsUntilDelimiter(valueStart, limit, depth);
      } else {
        const itemEnd = valueStart + length;
        if (itemEnd > limit) throw new Fault(at, `an item of sequence ${tagText(owner)} declares ${length} bytes, only ${limit - valueStart} remain`);
        let inner = valueStart;
        while (inner < itemEnd) inner = this.element(inner, itemEnd, depth);
        at = itemEnd;
      }
    }
  }

  /** The elements of an undefined-length item, through its item delimiter. */
  elementsUntilDelimiter(at: number, limit: number, depth: number): number {
    for (;;) {
      if (at + 8 <= limit && this.tagAt(at) === ITEM_DELIMITER) return at + 8;
      at = this.element(at, limit, depth);
    }
  }

  /** Encapsulated pixel data: defined-length fragment items through the sequence delimiter. */
  fragments(at: number, limit: number): number {
    for (;;) {
      const { tag, valueStart, length } = this.header(at, limit);
      if (tag === SEQUENCE_DELIMITER) return valueStart;
      if (tag !== ITEM) throw new Fault(at, `encapsulated PixelData holds ${tagText(tag)} where a fragment item (FFFE,E000) was expected`);
      if (length === UNDEFINED_LENGTH || valueStart + length > limit) {
        throw new Fault(at, `a PixelData fragment declares ${length === UNDEFINED_LENGTH ? 'an undefined length' : `${length} bytes`}, only ${limit - valueStart} remain`);
      }
      at = valueStart + length;
    }
  }
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function malformed(file: string, at: number, what: string, wayOut: string): DosekitError {
  return new DosekitError('E_MALFORMED_DICOM', `${file}: at byte ${at}, ${what}. ${wayOut}`, { file, offset: at });
}

/** E_MALFORMED_DICOM for a top-level element that is cut or damaged, or bytes after the data that are not padding. */
function appended(file: string, at: number, left: number, why: string): DosekitError {
  return malformed(
    file,
    at,
    `the ${left} bytes left do not form a complete DICOM element and are not zero padding (${why})`,
    'The file is truncated or damaged, or has something appended after its data: copy or export it again.',
  );
}

/** The end of the file meta group (explicit VR little endian, announced by its group length). */
function fileMetaEnd(bytes: Uint8Array, file: string): number {
  const walker = new Walker(bytes, '1.2.840.10008.1.2.1');
  const { tag, vr, valueStart, length } = walker.header(132, bytes.length);
  if (tag !== 0x00020000 || vr !== 'UL' || length !== 4 || valueStart + 4 > bytes.length) {
    throw malformed(file, 132, 'the file meta does not start with FileMetaInformationGroupLength (0002,0000) UL', 'The file is damaged; export it again.');
  }
  const end = valueStart + 4 + new DataView(bytes.buffer, bytes.byteOffset + valueStart, 4).getUint32(0, true);
  if (end > bytes.length) throw malformed(file, 132, `the file meta announces ${end - valueStart - 4} bytes, the file has ${bytes.length - valueStart - 4} after it`, 'The file is truncated; copy it again.');
  let at = valueStart + 4;
  while (at < end) {
    const element = walker.header(at, end);
    if (element.tag >>> 16 !== 0x0002) throw malformed(file, at, `element ${tagText(element.tag)} inside the file meta, which holds only group 0002`, 'The file meta group length is wrong; the file is damaged.');
    if (element.length === UNDEFINED_LENGTH || element.valueStart + element.length > end) {
      throw malformed(file, at, `file meta element ${tagText(element.tag)} runs past the end of the file meta (byte ${end})`, 'The file is damaged; export it again.');
    }
    at = element.valueStart + element.length;
  }
  return end;
}

/**
 * Checks the element structure of DICOM Part 10 `bytes` (preamble, "DICM", file meta, dataset in
 * `syntax`) and returns where the data ends. Every declared length must fit in the bytes of its
 * container (file, sequence or item), undefined lengths must be made of items, explicit VRs must
 * be valid, sequences may nest at most {@link MAX_SEQUENCE_DEPTH} deep. After the last top-level
 * element, zero bytes are padding (reported in `paddingBytes`); anything else is refused. A
 * deflated dataset is not walked (only its file meta): its end is the end of the bytes, and what it
 * inflates to is checked against the memory ceiling (E_TOO_LARGE) without being kept. `added`:
 * bytes put before the file's own (a file meta given to a bare dataset), left out of the offsets
 * in messages.
 * @throws DosekitError E_MALFORMED_DICOM naming the byte offset and the element.
 */
export function checkDicomStructure(bytes: Uint8Array, syntax: string, file: string, added = 0): DicomExtent {
  let at: number;
  try {
    at = fileMetaEnd(bytes, file);
  } catch (error) {
    if (error instanceof Fault) throw malformed(file, error.at, `the file meta is damaged: ${error.message}`, 'Export the file again.');
    throw error;
  }
  if (syntax === DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN) {
    // Not walked, but its inflated size is bounded before anything inflates it whole.
    checkInflatedSize(bytes.subarray(at), file);
    return { end: bytes.length, paddingBytes: 0, hasPixelData: false };
  }
  const walker = new Walker(bytes, syntax);
  let hasPixelData = false;
  while (at < bytes.length) {
    // Zero bytes where an element would start: padding when they run to the end of the file.
    // (An all-zero element header is never meaningful data, so it cannot start anything else.)
    if (allZero(bytes, at, Math.min(at + 8, bytes.length))) {
      if (allZero(bytes, at, bytes.length)) return { end: at, paddingBytes: bytes.length - at, hasPixelData };
      throw appended(file, at - added, bytes.length - at, 'they start with zero bytes but do not stay zero');
    }
    try {
      if (at + 4 <= bytes.length && walker.tagAt(at) === PIXEL_DATA) hasPixelData = true;
      at = walker.element(at, bytes.length, 0);
    } catch (error) {
      if (!(error instanceof Fault)) throw error;
      throw appended(file, at - added, bytes.length - at, error.at === at ? error.message : `at byte ${error.at - added}, ${error.message}`);
    }
  }
  return { end: at, paddingBytes: 0, hasPixelData };
}
