// SPDX-License-Identifier: BSD-3-Clause
import { describe, expect, it } from 'vitest';
import { parseDecimalStrings } from '../../src/dicom/contour-data.js';
import { readDicom } from '../../src/dicom/read.js';
import { readStructureSet } from '../../src/dicom/rt-struct.js';
import { exampleBytes } from '../helpers/examples.js';
import { mulberry32 } from '../helpers/point-in-path.js';

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

describe('ContourData fast path', () => {
  it('gives exactly the coordinates dcmjs decodes, for every contour of the example structure set', () => {
    const bytes = exampleBytes('rtss.dcm');
    const fast = readStructureSet(readDicom(bytes, 'rtss.dcm'));
    const slow = readStructureSet(readDicom(bytes, 'rtss.dcm', { fastContourData: false }));
    expect(fast.rois.length).toBe(slow.rois.length);
    let points = 0;
    fast.rois.forEach((roi, r) => {
      expect(roi.planes.map((p) => p.key)).toEqual(slow.rois[r].planes.map((p) => p.key));
      roi.planes.forEach((plane, p) => {
        plane.contours.forEach((contour, c) => {
          const reference = slow.rois[r].planes[p].contours[c].pointsMm;
          expect(Array.from(contour.pointsMm)).toEqual(Array.from(reference));
          points += contour.pointCount;
        });
      });
    });
    expect(points).toBe(51846 + 88 + 9062 + 4732 + 19956 + 64 + 162 + 616 + 1632);
  });

  it('parses decimal strings exactly as Number() does (seeded random values and odd forms)', () => {
    const random = mulberry32(7);
    const values: string[] = ['0', '-0.0', '+1.5', ' 12.25 ', '1e3', '-2.5E-2', '123456789012345678', '0.000000000000000000001234', '7.'];
    for (let k = 0; k < 2000; k += 1) {
      const v = (random() - 0.5) * 10 ** Math.floor(random() * 8);
      values.push(v.toFixed(Math.floor(random() * 8)));
    }
    const parsed = parseDecimalStrings(ascii(values.join('\\')), 0, values.join('\\').length);
    expect(parsed).not.toBeNull();
    expect(Array.from(parsed!)).toEqual(values.map((v) => Number(v.trim())));
  });

  it('rejects characters a decimal string may not hold (the ordinary path takes over)', () => {
    expect(parseDecimalStrings(ascii('1.0\\abc'), 0, 7)).toBeNull();
    expect(parseDecimalStrings(ascii('1.0\\\\2'), 0, 6)).toBeNull();
  });
});
