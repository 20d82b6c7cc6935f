// SPDX-License-Identifier: BSD-3-Clause
// The ContourData fast path's byte scanners on hand-built little-endian bytes: what each finds
// (offsets and lengths, worked out here from the layout written) and where each gives up. The
// end-to-end tests cannot see a scanner that gives up too often, because dcmjs then reads the
// same numbers more slowly; these can.
import { describe, expect, it } from 'vitest';
import {
  HIDDEN_CONTOUR_DATA_KEY,
  HIDDEN_IMAGE_SEQUENCE_KEY,
  hideContourData,
  locateContourData,
  parseDecimalStrings,
  locateContourImageSequences,
  readFileMetaStrings,
  restoreContourData,
} from '../../src/dicom/contour-data.js';

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));
const u16 = (n: number): number[] => [n & 0xff, (n >> 8) & 0xff];
const u32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
const tag = (group: number, element: number): number[] => [...u16(group), ...u16(element)];

/** An explicit-VR element with a 2-byte length. */
const explicitShort = (group: number, element: number, vr: string, value: number[]): number[] => [...tag(group, element), ...ascii(vr), ...u16(value.length), ...value];
/** An explicit-VR element with a 4-byte length (OB, SQ, UN, ...). */
const explicitLong = (group: number, element: number, vr: string, value: number[], length = value.length): number[] => [...tag(group, element), ...ascii(vr), 0, 0, ...u32(length), ...value];
/** An implicit-VR element. */
const implicit = (group: number, element: number, value: number[], length = value.length): number[] => [...tag(group, element), ...u32(length), ...value];

const CONTOUR = ascii('1.5\\-2\\3.25\\4\\5\\6 ');

describe('locateContourData', () => {
  it('explicit VR: every ContourData element, with its tag offset, value offset and length', () => {
    const head = [9, 9, 9];
    const first = explicitShort(0x3006, 0x0050, 'DS', CONTOUR);
    const other = explicitShort(0x3006, 0x0042, 'CS', ascii('CLOSED_PLANAR '));
    const second = explicitShort(0x3006, 0x0050, 'DS', ascii('7\\8\\9 '));
    const bytes = Uint8Array.from([...head, ...first, ...other, ...second, 0, 0, 0, 0, 0, 0, 0, 0]);
    const secondAt = head.length + first.length + other.length;
    expect(locateContourData(bytes, 0, true)).toEqual([
      { tagOffset: 3, valueOffset: 11, valueLength: CONTOUR.length },
      { tagOffset: secondAt, valueOffset: secondAt + 8, valueLength: 6 },
    ]);
    // From an offset past the first element only the second is found.
    expect(locateContourData(bytes, 4, true)).toEqual([{ tagOffset: secondAt, valueOffset: secondAt + 8, valueLength: 6 }]);
  });

  it('implicit VR: the 4-byte length, including its third byte (a value of 70 000 bytes)', () => {
    const value = new Array<number>(70_000).fill(0x31);
    const bytes = Uint8Array.from([...implicit(0x3006, 0x0050, value), ...new Array<number>(8).fill(0)]);
    expect(locateContourData(bytes, 0, false)).toEqual([{ tagOffset: 0, valueOffset: 8, valueLength: 70_000 }]);
  });

  it('gives up (null) on a length beyond the file, including one set only in the fourth length byte', () => {
    const short = Uint8Array.from([...explicitShort(0x3006, 0x0050, 'DS', CONTOUR).slice(0, -1), ...new Array<number>(0).fill(0)]);
    expect(locateContourData(short, 0, true)).toBeNull();
    const fourthByte = Uint8Array.from([...tag(0x3006, 0x0050), 4, 0, 0, 1, ...ascii('1\\2\\'), ...new Array<number>(16).fill(0)]);
    expect(locateContourData(fourthByte, 0, false)).toBeNull();
    // The same element with a length that fits is found: the file is long enough by one byte.
    const exact = Uint8Array.from([...implicit(0x3006, 0x0050, ascii('1\\2\\3 ')), 0]);
    expect(locateContourData(exact, 0, false)).toEqual([{ tagOffset: 0, valueOffset: 8, valueLength: 6 }]);
  });

  it('gives up (null) on the ContourData tag with a VR other than DS in explicit VR', () => {
    for (const vr of ['DT', 'CS', 'AS', 'LT']) {
      const bytes = Uint8Array.from([...explicitShort(0x3006, 0x0050, vr, CONTOUR), ...new Array<number>(8).fill(0)]);
      expect(locateContourData(bytes, 0, true), vr).toBeNull();
    }
  });

  it('ignores tags that differ from (3006,0050) in any one byte', () => {
    const near = [
      [0x07, 0x30, 0x50, 0x00],
      [0x06, 0x31, 0x50, 0x00],
      [0x06, 0x30, 0x51, 0x00],
      [0x06, 0x30, 0x50, 0x01],
    ];
    for (const t of near) {
      const bytes = Uint8Array.from([...t, ...ascii('DS'), ...u16(6), ...ascii('1\\2\\3 '), ...new Array<number>(8).fill(0)]);
      expect(locateContourData(bytes, 0, true), t.join(',')).toEqual([]);
    }
  });

  it('does not look inside a value for more tags, and finds an element right after one', () => {
    const inner = [...ascii('1\\'), 0x06, 0x30, 0x50, 0x00, ...ascii('DS'), ...u16(2), ...ascii('2 ')];
    const first = explicitShort(0x3006, 0x0050, 'DS', inner);
    const second = explicitShort(0x3006, 0x0050, 'DS', ascii('3\\4 '));
    const bytes = Uint8Array.from([...first, ...second, ...new Array<number>(8).fill(0)]);
    expect(locateContourData(bytes, 0, true)).toEqual([
      { tagOffset: 0, valueOffset: 8, valueLength: inner.length },
      { tagOffset: first.length, valueOffset: first.length + 8, valueLength: 4 },
    ]);
  });

  it('does not read a tag in the last eight bytes, where no header fits', () => {
    const bytes = Uint8Array.from([0, ...tag(0x3006, 0x0050), ...ascii('DS'), 0]);
    expect(locateContourData(bytes, 0, true)).toEqual([]);
  });
});

describe('locateContourImageSequences', () => {
  const item = [...tag(0xfffe, 0xe000), ...u32(8), ...tag(0x0008, 0x1155), 0, 0, 0, 0];

  it('explicit VR: defined-length SQ elements, by tag offset; an undefined length, another VR or a length past the end is skipped', () => {
    const seq = explicitLong(0x3006, 0x0016, 'SQ', item);
    const undefinedLength = explicitLong(0x3006, 0x0016, 'SQ', [], 0xffffffff);
    const notSq = explicitLong(0x3006, 0x0016, 'UN', item);
    const seq2 = explicitLong(0x3006, 0x0016, 'SQ', item);
    const tail = new Array<number>(12).fill(0);
    const bytes = Uint8Array.from([1, 2, ...seq, ...undefinedLength, ...notSq, ...seq2, ...tail]);
    const seq2At = 2 + seq.length + undefinedLength.length + notSq.length;
    expect(locateContourImageSequences(bytes, 0, true)).toEqual([2, seq2At]);
    const pastEnd = Uint8Array.from([...explicitLong(0x3006, 0x0016, 'SQ', item, item.length + 20), ...tail]);
    expect(locateContourImageSequences(pastEnd, 0, true)).toEqual([]);
  });

  it('implicit VR: the length right after the tag; the scan resumes after each sequence', () => {
    // An item whose bytes hold the sequence tag again: not a second sequence.
    const tricky = [...tag(0x3006, 0x0016), ...u32(4), 0, 0, 0, 0];
    const seq = implicit(0x3006, 0x0016, tricky);
    const next = implicit(0x3006, 0x0016, item);
    const bytes = Uint8Array.from([...seq, ...next, ...new Array<number>(12).fill(0)]);
    expect(locateContourImageSequences(bytes, 0, false)).toEqual([0, seq.length]);
    expect(locateContourImageSequences(bytes, 1, false)).toEqual([8, seq.length]);
  });

  it('ignores tags that differ from (3006,0016) in any one byte', () => {
    for (const t of [[0x07, 0x30, 0x16, 0x00], [0x06, 0x31, 0x16, 0x00], [0x06, 0x30, 0x17, 0x00], [0x06, 0x30, 0x16, 0x01]]) {
      const bytes = Uint8Array.from([...t, ...ascii('SQ'), 0, 0, ...u32(item.length), ...item, ...new Array<number>(12).fill(0)]);
      expect(locateContourImageSequences(bytes, 0, true), t.join(',')).toEqual([]);
    }
  });
});

describe('readFileMetaStrings', () => {
  const preamble = [...new Array<number>(128).fill(0), ...ascii('DICM')];

  it('reads the UI elements of group 2, trimmed of padding, past OB and SH elements, and stops at group 8', () => {
    const bytes = Uint8Array.from([
      ...preamble,
      ...explicitShort(0x0002, 0x0000, 'UL', u32(60)),
      ...explicitLong(0x0002, 0x0001, 'OB', [0, 1]),
      ...explicitShort(0x0002, 0x0002, 'UI', [...ascii('1.2.840.10008.5.1.4.1.1.481.3'), 0]),
      ...explicitShort(0x0002, 0x0010, 'UI', ascii('1.2.840.10008.1.2.1 ')),
      ...explicitShort(0x0002, 0x0013, 'SH', ascii('DOSEKIT ')),
      ...explicitShort(0x0008, 0x0018, 'UI', ascii('1.2.3.4 ')),
    ]);
    const meta = readFileMetaStrings(bytes);
    expect([...meta.entries()]).toEqual([
      [0x0002, '1.2.840.10008.5.1.4.1.1.481.3'],
      [0x0010, '1.2.840.10008.1.2.1'],
    ]);
  });

  it('reads 4-byte lengths for OB, OW, UN, SQ, UT, UC and UR, so the UI after each is found', () => {
    for (const vr of ['OB', 'OW', 'UN', 'SQ', 'UT', 'UC', 'UR']) {
      const bytes = Uint8Array.from([...preamble, ...explicitLong(0x0002, 0x0001, vr, [0, 1, 2, 3]), ...explicitShort(0x0002, 0x0010, 'UI', ascii('1.2 '))]);
      expect(readFileMetaStrings(bytes).get(0x0010), vr).toBe('1.2');
    }
  });

  it('stops at an element whose value runs past the end, keeping what came before', () => {
    const whole = explicitShort(0x0002, 0x0002, 'UI', ascii('1.2.3 '));
    const cut = explicitShort(0x0002, 0x0010, 'UI', ascii('1.2.840.10008.1.2 ')).slice(0, -1);
    expect([...readFileMetaStrings(Uint8Array.from([...preamble, ...whole, ...cut])).entries()]).toEqual([[0x0002, '1.2.3']]);
    // An element that ends exactly at the end of the bytes is read.
    expect(readFileMetaStrings(Uint8Array.from([...preamble, ...whole])).get(0x0002)).toBe('1.2.3');
  });
});

describe('hideContourData', () => {
  it('explicit VR: renames ContourData to (3006,0051) LT and ContourImageSequence to (3006,0017) UN, on a copy, touching no other byte', () => {
    const seq = explicitLong(0x3006, 0x0016, 'SQ', [0xfe, 0xff, 0x00, 0xe0, ...u32(0)]);
    const data = explicitShort(0x3006, 0x0050, 'DS', CONTOUR);
    const bytes = Uint8Array.from([...explicitShort(0x3006, 0x0048, 'IS', ascii('1 ')), ...seq, ...data]);
    const original = bytes.slice();
    const sequenceOffset = 10;
    const dataOffset = sequenceOffset + seq.length;
    const values = locateContourData(bytes, 0, true)!;
    expect(values.map((v) => v.tagOffset)).toEqual([dataOffset]);
    const hidden = hideContourData(bytes, values, true, [sequenceOffset]);
    expect(bytes).toEqual(original);
    const expected = original.slice();
    expected.set([0x17], sequenceOffset + 2);
    expected.set(ascii('UN'), sequenceOffset + 4);
    expected.set([0x51], dataOffset + 2);
    expected.set(ascii('LT'), dataOffset + 4);
    expect([...hidden]).toEqual([...expected]);
  });

  it('implicit VR: only the element numbers change (there is no VR to change)', () => {
    const data = implicit(0x3006, 0x0050, CONTOUR);
    const seq = implicit(0x3006, 0x0016, [0xfe, 0xff, 0x00, 0xe0, ...u32(0)]);
    const bytes = Uint8Array.from([...seq, ...data, ...data]);
    const values = locateContourData(bytes, 0, false)!;
    expect(values).toHaveLength(2);
    const hidden = hideContourData(bytes, values, false, [0]);
    const expected = bytes.slice();
    expected[2] = 0x17;
    for (const v of values) expected[v.tagOffset + 2] = 0x51;
    expect([...hidden]).toEqual([...expected]);
    // Without sequences to hide, only ContourData changes.
    const dataOnly = hideContourData(bytes, values, false);
    expect(dataOnly[2]).toBe(0x16);
  });
});

describe('restoreContourData', () => {
  const hiddenItem = (extra: Record<string, unknown> = {}) => ({ [HIDDEN_CONTOUR_DATA_KEY]: new ArrayBuffer(4), [HIDDEN_IMAGE_SEQUENCE_KEY]: new ArrayBuffer(8), ...extra });

  it('puts the parsed arrays back in file order across ROIs, removing the hidden elements', () => {
    const a = hiddenItem({ ContourGeometricType: 'CLOSED_PLANAR' });
    const b = hiddenItem();
    const c = hiddenItem();
    const dataset = { ROIContourSequence: [{ ContourSequence: [a, b] }, { ContourSequence: [] }, { ContourSequence: c }] };
    const parsed = [Float64Array.of(1, 2, 3), Float64Array.of(4, 5, 6), Float64Array.of(7, 8, 9)];
    expect(restoreContourData(dataset, parsed)).toBe(true);
    expect(a).toEqual({ ContourGeometricType: 'CLOSED_PLANAR', ContourData: parsed[0] });
    expect(b).toEqual({ ContourData: parsed[1] });
    // A sequence of one item that dcmjs gave as the item itself.
    expect(c).toEqual({ ContourData: parsed[2] });
  });

  it('a single ROIContourSequence item (not an array) is read too; items without a hidden element are left alone', () => {
    const plain = { ContourData: [0, 0, 0] };
    const hidden = hiddenItem();
    const dataset = { ROIContourSequence: { ContourSequence: [plain, null, 'x', hidden] } };
    expect(restoreContourData(dataset, [Float64Array.of(1, 1, 1)])).toBe(true);
    expect(plain).toEqual({ ContourData: [0, 0, 0] });
    expect(hidden).toEqual({ ContourData: Float64Array.of(1, 1, 1) });
  });

  it('returns false and changes nothing when the hidden elements and the parsed values do not pair up', () => {
    const a = hiddenItem();
    const dataset = { ROIContourSequence: [{ ContourSequence: [a] }] };
    expect(restoreContourData(dataset, [])).toBe(false);
    expect(restoreContourData(dataset, [Float64Array.of(1), Float64Array.of(2)])).toBe(false);
    expect(HIDDEN_CONTOUR_DATA_KEY in a).toBe(true);
    expect('ContourData' in a).toBe(false);
    // No contours at all pair with no values.
    expect(restoreContourData({}, [])).toBe(true);
    expect(restoreContourData({}, [Float64Array.of(1)])).toBe(false);
    expect(restoreContourData({ ROIContourSequence: [{}] }, [])).toBe(true);
  });
});

describe('parseDecimalStrings within its value', () => {
  const parse = (text: string, offset = 0, length = text.length - offset) => {
    const out = parseDecimalStrings(Uint8Array.from(ascii(text)), offset, length);
    return out === null ? null : [...out];
  };

  it('an empty value holds no numbers (not a refusal)', () => {
    expect(parse('')).toEqual([]);
    expect(parse('7\\8', 1, 0)).toEqual([]);
  });

  it('reads only its own bytes: spaces, digits and a backslash just past the value are not its', () => {
    // The value is "1.5" inside "9\\1.5\\2": the bytes around it belong to other values.
    expect(parse('9\\1.5\\2', 2, 3)).toEqual([1.5]);
    expect(parse('1.5 \\2', 0, 3)).toEqual([1.5]);
    expect(parse('1.5  ', 0, 3)).toEqual([1.5]);
    expect(parse('-2.25e1', 0, 5)).toEqual([-2.25]);
    expect(parse('12345', 0, 3)).toEqual([123]);
    // An empty last number is refused, whatever follows the value.
    expect(parse('1\\  5', 0, 2)).toBeNull();
  });

  it('a number followed by anything but padding and a backslash is refused (the ordinary path takes over)', () => {
    expect(parse('1.5x\\2')).toBeNull();
    expect(parse('1.5 x')).toBeNull();
    expect(parse('1.5 \\2')).toEqual([1.5, 2]);
    expect(parse('1.5\u0000')).toEqual([1.5]);
    expect(parse('+3\\-4')).toEqual([3, -4]);
  });
});
