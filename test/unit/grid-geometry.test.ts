// SPDX-License-Identifier: BSD-3-Clause
import { describe, expect, it } from 'vitest';
import { readGridGeometry } from '../../src/dicom/geometry.js';
import { DosekitError } from '../../src/errors.js';
import { indexToPatientMm, linspace, patientToPixelLut } from '../../src/model/grid-geometry.js';
import { dicompylerPlaneKey, roundHalfEven2 } from '../../src/model/plane-key.js';
import { DicomParser } from '../../src/dicom/parser.js';
import { exampleBytes } from '../helpers/examples.js';

function dataset(iop: number[], gfov: number[] = [0, 3, 6], extra: Record<string, unknown> = {}) {
  return { Rows: 4, Columns: 5, NumberOfFrames: gfov.length, ImagePositionPatient: [10, 20, 30], ImageOrientationPatient: iop, PixelSpacing: [2, 3], GridFrameOffsetVector: gfov, ...extra };
}
const geometry = (iop: number[], gfov?: number[], extra?: Record<string, unknown>) => readGridGeometry(dataset(iop, gfov, extra), { file: 't.dcm' }, { requireFrameOffsets: true });

describe('orientations', () => {
  const cases: [string, number[], 0 | 1, boolean][] = [
    ['HFS', [1, 0, 0, 0, 1, 0], 0, true], ['HFP', [-1, 0, 0, 0, -1, 0], 0, true], ['FFS', [-1, 0, 0, 0, 1, 0], 0, false], ['FFP', [1, 0, 0, 0, -1, 0], 0, false],
    ['HFDL', [0, -1, 0, 1, 0, 0], 1, true], ['HFDR', [0, 1, 0, -1, 0, 0], 1, true], ['FFDL', [0, 1, 0, 1, 0, 0], 1, false], ['FFDR', [0, -1, 0, -1, 0, 0], 1, false],
  ];
  for (const [name, iop, xLutIndex, headFirst] of cases) {
    it(`${name}: classification, frame z and voxel positions by hand`, () => {
      const g = geometry(iop);
      expect([g.orientation, g.xLutIndex, g.headFirst]).toEqual([name, xLutIndex, headFirst]);
      // Frames run along +z for head-first and -z for feet-first (the cross product of the cosines).
      expect([...g.frameZMm]).toEqual(headFirst ? [30, 33, 36] : [30, 27, 24]);
      // Voxel (column 2, row 1): origin + 2 x 3 mm along the row cosines + 1 x 2 mm along the column cosines.
      const [x, y] = indexToPatientMm(g, 2, 1, 0);
      expect(x).toBeCloseTo(10 + iop[0] * 6 + iop[3] * 2, 12);
      expect(y).toBeCloseTo(20 + iop[1] * 6 + iop[4] * 2, 12);
      const lut = patientToPixelLut(g);
      // Column LUT is along x except for decubitus, where it is along y.
      const colAxis = xLutIndex === 0 ? 0 : 1;
      expect(lut.columnLutMm[4]).toBeCloseTo([10, 20][colAxis] + iop[colAxis] * 3 * 4, 12);
      expect(lut.rowLutMm[3]).toBeCloseTo([10, 20][1 - colAxis] + iop[3 + 1 - colAxis] * 2 * 3, 12);
    });
  }

  it('refuses an oblique orientation with E_UNSUPPORTED_ORIENTATION naming the attribute', () => {
    const c = Math.cos(0.3);
    const s = Math.sin(0.3);
    expect(() => geometry([c, s, 0, -s, c, 0])).toThrowError(expect.objectContaining({ code: 'E_UNSUPPORTED_ORIENTATION', details: expect.objectContaining({ attribute: 'ImageOrientationPatient' }) }));
  });

  it('accepts cosines within numpy.isclose tolerance (the example CT has -1.2e-16)', () => {
    expect(geometry([1, 0, -1.224647e-16, 0, 1, 0]).orientation).toBe('HFS');
  });
});

describe('frame offsets', () => {
  it('decreasing offsets keep their order', () => {
    expect([...geometry([1, 0, 0, 0, 1, 0], [0, -3, -6]).frameZMm]).toEqual([30, 27, 24]);
  });
  it('absolute offsets (first equals the position z) are made relative', () => {
    expect([...geometry([1, 0, 0, 0, 1, 0], [30, 33, 36]).frameOffsetsMm]).toEqual([0, 3, 6]);
  });
  it('a one-frame dose with a bare-number offset vector', () => {
    const g = readGridGeometry(dataset([1, 0, 0, 0, 1, 0], [0], { NumberOfFrames: 1, GridFrameOffsetVector: 0 }), { file: 't.dcm' }, { requireFrameOffsets: true });
    expect(g.frames).toBe(1);
    expect([...g.frameZMm]).toEqual([30]);
  });
  it('wrong length and repeated offsets are E_MALFORMED_DICOM', () => {
    expect(() => geometry([1, 0, 0, 0, 1, 0], [0, 3], { NumberOfFrames: 3 })).toThrowError(expect.objectContaining({ code: 'E_MALFORMED_DICOM' }));
    expect(() => readGridGeometry(dataset([1, 0, 0, 0, 1, 0], [0, 3, 3]), { file: 't' }, { requireFrameOffsets: true })).toThrow(DosekitError);
  });
});

describe('dicompyler-core numeric conventions', () => {
  it('linspace matches numpy (k * step + start, exact last value)', () => {
    const l = linspace(-228.6541915, 253.8458085, 194);
    expect(l[193]).toBe(253.8458085);
    expect(l[1]).toBe(1 * ((253.8458085 - -228.6541915) / 193) + -228.6541915);
  });
  it('plane keys: Python str(round(z, 2)) + "0"', () => {
    expect(dicompylerPlaneKey(-122.44)).toBe('-122.440');
    expect(dicompylerPlaneKey(5)).toBe('5.00');
    expect(dicompylerPlaneKey(5.1)).toBe('5.10');
    expect(dicompylerPlaneKey(1.005)).toBe('1.00'); // 1.005 is stored just below 1.005
    // Exact binary ties round half to even, as Python's round does.
    expect(roundHalfEven2(0.125)).toBe(0.12);
    expect(roundHalfEven2(0.375)).toBe(0.38);
    expect(roundHalfEven2(-2.625)).toBe(-2.62);
  });
});

describe('memory', () => {
  it('the dose grid keeps the stored integers once: a view of the input when aligned, else one exact copy', () => {
    const bytes = exampleBytes('rtdose_substitute.dcm');
    const grid = DicomParser.fromBytes(bytes).toDoseGrid();
    expect(grid.pixels).toBeInstanceOf(Uint32Array);
    expect(grid.pixels.length).toBe(194 * 129 * 98);
    const pixelOffset = bytes.length - grid.pixels.byteLength;
    if (pixelOffset % 4 === 0) expect(grid.pixels.buffer === bytes.buffer).toBe(true);
    // The example's pixel data starts at an odd offset: one copy of exactly the pixel bytes,
    // which does not keep the file buffer alive.
    else expect(grid.pixels.buffer.byteLength).toBe(grid.pixels.byteLength);
    expect(grid.pixels[0]).toBe(new DataView(bytes.buffer, pixelOffset, 4).getUint32(0, true));
  });
});
