// SPDX-License-Identifier: BSD-3-Clause
// A byte-level walk over the top-level elements of a DICOM dataset: where each one starts and
// ends, without decoding values, so that a header can be read without the bulk behind it.
import { ITEM, ITEM_DELIMITER, LONG_VRS, MAX_SEQUENCE_DEPTH, SEQUENCE_DELIMITER, SHORT_VRS, UNDEFINED_LENGTH, allZero } from './dataset-structure.js';
import { EXPLICIT_VR_BIG_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN } from './transfer-syntax.js';

/** One top-level element: tag as (group << 16 | element) >>> 0, and its byte range. */
export interface ScannedElement {
  readonly tag: number;
  readonly start: number;
  /** Where the element ends: value start + declared length (may lie beyond the bytes scanned). */
  readonly end: number;
}

/** What {@link scanTopLevel} found. */
export interface ElementScan {
  /** The top-level elements before the one the scan stopped at, in file order. */
  readonly elements: readonly ScannedElement[];
  /**
   * 'stop': `stopAt` said stop (that element is `stoppedAt`, its value not checked);
   * 'end': the dataset ends exactly at the end of the bytes, or where zero padding starts (an
   * all-zero element header); 'cut': the bytes end inside an element.
   */
  readonly outcome: 'stop' | 'end' | 'cut';
  readonly stoppedAt?: ScannedElement;
}


/** Thrown inside the scan when the bytes end before an element does. */
class Cut extends Error {}

/** Thrown when the element structure is inconsistent (not a truncation). */
export class MalformedElements extends Error {}

/**
 * Walks top-level elements from `start` (the first byte after the file meta) in `syntax`
 * (implicit VR little endian, explicit VR little or big endian; not deflated), skipping values
 * by their lengths and undefined-length sequences item by item, until `stopAt(tag)` is true or
 * the bytes end.
 * @throws MalformedElements when an undefined-length value is not made of items, or sequences nest
 *   more than MAX_SEQUENCE_DEPTH deep.
 */
export function scanTopLevel(bytes: Uint8Array, start: number, syntax: string, stopAt: (tag: number) => boolean): ElementScan {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = syntax !== EXPLICIT_VR_BIG_ENDIAN;
  const explicit = syntax !== IMPLICIT_VR_LITTLE_ENDIAN;
  const need = (at: number, count: number) => {
    if (at + count > bytes.length) throw new Cut();
  };
  const tagAt = (at: number): number => {
    need(at, 4);
    return ((view.getUint16(at, little) << 16) | view.getUint16(at + 2, little)) >>> 0;
  };
  /** The header of the element at `at`: where its value starts and its declared length. */
  const header = (at: number, tag: number): { valueStart: number; length: number } => {
    if (!explicit || tag >>> 16 === 0xfffe) {
      need(at, 8);
      return { valueStart: at + 8, length: view.getUint32(at + 4, little) };
    }
    need(at, 8);
    const vr = String.fromCharCode(bytes[at + 4], bytes[at + 5]);
    if (!LONG_VRS.has(vr) && !SHORT_VRS.has(vr)) throw new MalformedElements(`no valid value representation at byte ${at + 4}`);
    if (LONG_VRS.has(vr)) {
      need(at, 12);
      return { valueStart: at + 12, length: view.getUint32(at + 8, little) };
    }
    return { valueStart: at + 8, length: view.getUint16(at + 6, little) };
  };
  const skipItems = (at: number, depth: number): number => {
    // Bounded: each level is a stack frame here, and no real object nests more than a few.
    if (depth > MAX_SEQUENCE_DEPTH) throw new MalformedElements(`sequences are nested more than ${MAX_SEQUENCE_DEPTH} deep at byte ${at}`);
    for (;;) {
      const tag = tagAt(at);
      const { valueStart, length } = header(at, tag);
      if (tag === SEQUENCE_DELIMITER) return valueStart;
      if (tag !== ITEM) throw new MalformedElements(`expected an item (FFFE,E000) at byte ${at}`);
      at = length === UNDEFINED_LENGTH ? skipElementsOfItem(valueStart, depth) : valueStart + length;
    }
  };
  const skipElementsOfItem = (at: number, depth: number): number => {
    for (;;) {
      const tag = tagAt(at);
      if (tag === ITEM_DELIMITER) return header(at, tag).valueStart;
      at = skipElement(at, tag, depth);
    }
  };
  const skipElement = (at: number, tag: number, depth = 0): number => {
    const { valueStart, length } = header(at, tag);
    return length === UNDEFINED_LENGTH ? skipItems(valueStart, depth + 1) : valueStart + length;
  };

  const elements: ScannedElement[] = [];
  let at = start;
  try {
    while (at < bytes.length) {
      // An all-zero element header is where zero padding starts: the data ends there.
      if (allZero(bytes, at, Math.min(at + 8, bytes.length))) return { elements, outcome: 'end' };
      const tag = tagAt(at);
      if (stopAt(tag)) {
        const { valueStart, length } = header(at, tag);
        return { elements, outcome: 'stop', stoppedAt: { tag, start: at, end: length === UNDEFINED_LENGTH ? valueStart : valueStart + length } };
      }
      const end = skipElement(at, tag);
      if (end > bytes.length) throw new Cut();
      elements.push({ tag, start: at, end });
      at = end;
    }
    return { elements, outcome: 'end' };
  } catch (error) {
    if (error instanceof Cut) return { elements, outcome: 'cut' };
    throw error;
  }
}

/** Where the file meta group of Part 10 bytes ends (after "DICM"), or null when the bytes end inside it. */
export function fileMetaEnd(bytes: Uint8Array): number | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 132;
  while (at + 8 <= bytes.length && view.getUint16(at, true) === 0x0002) {
    const vr = String.fromCharCode(bytes[at + 4], bytes[at + 5]);
    if (LONG_VRS.has(vr)) {
      if (at + 12 > bytes.length) return null;
      at += 12 + view.getUint32(at + 8, true);
    } else at += 8 + view.getUint16(at + 6, true);
  }
  return at + 8 <= bytes.length || at === bytes.length ? at : null;
}
