// SPDX-License-Identifier: BSD-3-Clause
// A fast path for ContourData (3006,0050). dcmjs turns every decimal string of a structure set
// into a number through regular expressions, about 100 ms for the example's 77 000 points.
// Here the elements are located in the raw bytes, hidden from dcmjs under a private tag it reads
// as raw bytes, and parsed straight from ASCII. The result is checked against dcmjs in tests.

/** Where one ContourData value lies in the file. */
export interface ContourDataValue {
  /** Offset of the element tag. */
  readonly tagOffset: number;
  readonly valueOffset: number;
  readonly valueLength: number;
}

/** The tag ContourData is renamed to while dcmjs reads the file (an unknown one, read raw). */
export const HIDDEN_CONTOUR_DATA_KEY = '30060051';
/** The tag ContourImageSequence is renamed to (its references to image slices are not used). */
export const HIDDEN_IMAGE_SEQUENCE_KEY = '30060017';

/**
 * Finds ContourData elements of a little-endian dataset by their tag bytes, validating each
 * candidate's header (VR and length within the file). Returns null when anything is ambiguous,
 * so the caller uses the ordinary path.
 */
export function locateContourData(bytes: Uint8Array, start: number, explicitVr: boolean): ContourDataValue[] | null {
  const found: ContourDataValue[] = [];
  const end = bytes.length - 8;
  for (let i = start; i < end; i += 1) {
    if (bytes[i] !== 0x06 || bytes[i + 1] !== 0x30 || bytes[i + 2] !== 0x50 || bytes[i + 3] !== 0x00) continue;
    let valueOffset: number;
    let valueLength: number;
    if (explicitVr) {
      if (bytes[i + 4] !== 0x44 || bytes[i + 5] !== 0x53) return null; // 'DS'
      valueLength = bytes[i + 6] | (bytes[i + 7] << 8);
      valueOffset = i + 8;
    } else {
      valueLength = (bytes[i + 4] | (bytes[i + 5] << 8) | (bytes[i + 6] << 16)) + bytes[i + 7] * 0x1000000;
      valueOffset = i + 8;
    }
    if (valueOffset + valueLength > bytes.length) return null;
    found.push({ tagOffset: i, valueOffset, valueLength });
    i = valueOffset + valueLength - 1;
  }
  return found;
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * Parses a backslash-separated decimal string value into numbers, exactly as Number() would
 * (a mantissa below 2^53 divided or multiplied by an exact power of ten is correctly rounded;
 * anything longer goes through Number()). Returns null on a character a DS may not hold.
 */
export function parseDecimalStrings(bytes: Uint8Array, offset: number, length: number): Float64Array | null {
  let count = length > 0 ? 1 : 0;
  for (let i = offset; i < offset + length; i += 1) if (bytes[i] === 0x5c) count += 1;
  const out = new Float64Array(count);
  let index = 0;
  let i = offset;
  const end = offset + length;
  while (index < count) {
    while (i < end && bytes[i] === 0x20) i += 1;
    const tokenStart = i;
    let negative = false;
    if (bytes[i] === 0x2d || bytes[i] === 0x2b) {
      negative = bytes[i] === 0x2d;
      i += 1;
    }
    let mantissa = 0;
    let digits = 0;
    let fraction = 0;
    let seenPoint = false;
    let slow = false;
    for (; i < end; i += 1) {
      const c = bytes[i];
      if (c >= 0x30 && c <= 0x39) {
        mantissa = mantissa * 10 + (c - 0x30);
        digits += 1;
        if (seenPoint) fraction += 1;
      } else if (c === 0x2e && !seenPoint) seenPoint = true;
      else break;
    }
    if (i < end && (bytes[i] === 0x65 || bytes[i] === 0x45)) {
      slow = true;
      i += 1;
      if (bytes[i] === 0x2d || bytes[i] === 0x2b) i += 1;
      while (i < end && bytes[i] >= 0x30 && bytes[i] <= 0x39) i += 1;
    }
    const tokenEnd = i;
    while (i < end && (bytes[i] === 0x20 || bytes[i] === 0x00)) i += 1;
    if (i < end && bytes[i] !== 0x5c) return null;
    i += 1;
    if (digits === 0) return null;
    let value: number;
    if (slow || digits > 15 || fraction > 22) {
      let text = '';
      for (let k = tokenStart; k < tokenEnd; k += 1) text += String.fromCharCode(bytes[k]);
      value = Number(text);
      if (!Number.isFinite(value)) return null;
    } else {
      value = mantissa / POW10[fraction];
      if (negative) value = -value;
    }
    out[index] = value;
    index += 1;
  }
  return out;
}

/**
 * ContourImageSequence items (one per contour, referencing CT slices dosekit does not need):
 * defined-length occurrences, so that dcmjs can be spared from parsing them into streams.
 */
export function locateContourImageSequences(bytes: Uint8Array, start: number, explicitVr: boolean): number[] {
  const found: number[] = [];
  const end = bytes.length - 12;
  for (let i = start; i < end; i += 1) {
    if (bytes[i] !== 0x06 || bytes[i + 1] !== 0x30 || bytes[i + 2] !== 0x16 || bytes[i + 3] !== 0x00) continue;
    const lengthOffset = explicitVr ? i + 8 : i + 4;
    if (explicitVr && (bytes[i + 4] !== 0x53 || bytes[i + 5] !== 0x51)) continue; // 'SQ'
    const length = (bytes[lengthOffset] | (bytes[lengthOffset + 1] << 8) | (bytes[lengthOffset + 2] << 16)) + bytes[lengthOffset + 3] * 0x1000000;
    if (length === 0xffffffff || lengthOffset + 4 + length > bytes.length) continue;
    found.push(i);
    i = lengthOffset + 3 + length;
  }
  return found;
}

/**
 * A copy of `bytes` in which every located ContourData element is renamed to
 * (3006,0051), which dcmjs does not know and so reads as raw bytes. In explicit VR the VR is
 * changed to LT (same header layout) for the same reason.
 */
export function hideContourData(bytes: Uint8Array, values: readonly ContourDataValue[], explicitVr: boolean, imageSequences: readonly number[] = []): Uint8Array {
  const copy = bytes.slice();
  // ContourImageSequence -> (3006,0017), read raw (explicit VR: SQ -> UN, the same header layout).
  for (const offset of imageSequences) {
    copy[offset + 2] = 0x17;
    if (explicitVr) {
      copy[offset + 4] = 0x55; // 'U'
      copy[offset + 5] = 0x4e; // 'N'
    }
  }
  for (const v of values) {
    copy[v.tagOffset + 2] = 0x51;
    if (explicitVr) {
      copy[v.tagOffset + 4] = 0x4c; // 'L'
      copy[v.tagOffset + 5] = 0x54; // 'T'
    }
  }
  return copy;
}

/** Reads the string elements of the file meta group (always explicit VR little endian). */
export function readFileMetaStrings(bytes: Uint8Array): Map<number, string> {
  const out = new Map<number, string>();
  let i = 132;
  while (i + 8 <= bytes.length && bytes[i] === 0x02 && bytes[i + 1] === 0x00) {
    const element = bytes[i + 2] | (bytes[i + 3] << 8);
    const vr = String.fromCharCode(bytes[i + 4], bytes[i + 5]);
    let length: number;
    let valueOffset: number;
    if (vr === 'OB' || vr === 'OW' || vr === 'UN' || vr === 'SQ' || vr === 'UT' || vr === 'UC' || vr === 'UR') {
      length = (bytes[i + 8] | (bytes[i + 9] << 8) | (bytes[i + 10] << 16)) + bytes[i + 11] * 0x1000000;
      valueOffset = i + 12;
    } else {
      length = bytes[i + 6] | (bytes[i + 7] << 8);
      valueOffset = i + 8;
    }
    if (valueOffset + length > bytes.length) break;
    if (vr === 'UI') {
      let text = '';
      for (let k = valueOffset; k < valueOffset + length; k += 1) if (bytes[k] !== 0) text += String.fromCharCode(bytes[k]);
      out.set(element, text.trim());
    }
    i = valueOffset + length;
  }
  return out;
}

/**
 * Puts the parsed ContourData back into the naturalized dataset, in file order. Returns false
 * (and changes nothing the caller keeps) when the hidden elements do not line up one to one.
 */
export function restoreContourData(dataset: Record<string, unknown>, parsed: readonly Float64Array[]): boolean {
  const items: Record<string, unknown>[] = [];
  const roiContours = dataset.ROIContourSequence;
  for (const roi of Array.isArray(roiContours) ? roiContours : roiContours ? [roiContours] : []) {
    const contours = (roi as Record<string, unknown>).ContourSequence;
    for (const item of Array.isArray(contours) ? contours : contours ? [contours] : []) {
      if (item && typeof item === 'object' && HIDDEN_CONTOUR_DATA_KEY in item) items.push(item as Record<string, unknown>);
    }
  }
  if (items.length !== parsed.length) return false;
  items.forEach((item, k) => {
    delete item[HIDDEN_CONTOUR_DATA_KEY];
    delete item[HIDDEN_IMAGE_SEQUENCE_KEY];
    item.ContourData = parsed[k];
  });
  return true;
}
