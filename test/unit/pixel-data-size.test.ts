// SPDX-License-Identifier: BSD-3-Clause
/**
 * The pixel data must be exactly Rows x Columns x NumberOfFrames x SamplesPerPixel x
 * BitsAllocated / 8 bytes. Accepted besides: one pad byte making an odd count even (the DICOM
 * even-length rule), silently; and a tail of zero bytes shorter than the pixel data itself, with a
 * W_PIXEL_DATA_PADDING warning. Anything else (short, a non-zero tail, a tail as long as the data,
 * which is what a wrong BitsAllocated or a doubled frame count looks like) is E_MALFORMED_DICOM
 * naming the attributes and both byte counts. An RT Dose has 16 or 32 bits per value. RLE frames
 * must decode to Rows x Columns per segment (a row or more beyond is refused).
 * Expected values are the synthetic stored values themselves.
 */
import { describe, expect, it } from 'vitest';
import { DicomParser } from '../../src/dicom/parser.js';
import { DosekitError } from '../../src/errors.js';
import { dosekitError, appendBytes as append } from '../helpers/errors.js';
import { type NaturalDataset, TransferSyntax, findBytes, littleEndianBytes, makeRleDose, makeSyntheticDose, syntheticCtDataset, syntheticDosePixels, writeDataset } from '../helpers/dicom-writer.js';

const ROWS = 12;
const COLUMNS = 16;
const FRAMES = 5;
const OPTIONS = { rows: ROWS, columns: COLUMNS, frames: FRAMES, bitsAllocated: 32 as const };
const EXPECTED_BYTES = ROWS * COLUMNS * FRAMES * 4;
const FRAME_BYTES = ROWS * COLUMNS * 4;
const pixels = (): Uint8Array => littleEndianBytes(syntheticDosePixels(OPTIONS));

function withPixelData(bytes: Uint8Array): (ds: NaturalDataset) => void {
  return (ds) => {
    ds.PixelData = bytes.slice().buffer;
  };
}

function doseError(edit: (ds: NaturalDataset) => void, syntax: string = TransferSyntax.ImplicitVRLittleEndian): DosekitError {
  return dosekitError(() => DicomParser.fromBytes(makeSyntheticDose(OPTIONS, edit, syntax), 'wrong.dcm').toDoseGrid());
}

describe('RT Dose pixel data of the wrong size', () => {
  it('BitsAllocated 16 on 32-bit values (twice the bytes): E_MALFORMED_DICOM naming the attributes and both counts', () => {
    for (const syntax of [TransferSyntax.ImplicitVRLittleEndian, TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ExplicitVRBigEndian]) {
      const error = doseError((ds) => Object.assign(ds, { BitsAllocated: 16, BitsStored: 16, HighBit: 15 }), syntax);
      expect(error.code, syntax).toBe('E_MALFORMED_DICOM');
      expect(error.details.attribute).toBe('PixelData');
      for (const part of ['wrong.dcm', 'Rows 12', 'Columns 16', 'NumberOfFrames 5', 'BitsAllocated 16', `${EXPECTED_BYTES / 2} bytes`, `${EXPECTED_BYTES} bytes`]) {
        expect(error.message, syntax).toContain(part);
      }
    }
  });

  it('BitsAllocated other than 16 or 32 on an RT Dose: E_MALFORMED_DICOM on BitsAllocated', () => {
    for (const bits of [8, 64]) {
      const error = doseError((ds) => Object.assign(ds, { BitsAllocated: bits, BitsStored: bits, HighBit: bits - 1 }));
      expect(error.code, String(bits)).toBe('E_MALFORMED_DICOM');
      expect(error.details.attribute).toBe('BitsAllocated');
      expect(error.message).toContain(`BitsAllocated is ${bits}`);
      expect(error.message).toContain('16 or 32');
    }
  });

  it('a frame more or fewer than NumberOfFrames, a short payload, a non-zero tail: E_MALFORMED_DICOM', () => {
    const base = pixels();
    const cases: [string, (ds: NaturalDataset) => void, number][] = [
      ['NumberOfFrames one less', (ds) => Object.assign(ds, { NumberOfFrames: FRAMES - 1, GridFrameOffsetVector: [0, 2.5, 5, 7.5] }), EXPECTED_BYTES],
      ['one frame too many', withPixelData(append(base, base.subarray(0, FRAME_BYTES))), EXPECTED_BYTES + FRAME_BYTES],
      ['100 bytes short', withPixelData(base.subarray(0, EXPECTED_BYTES - 100)), EXPECTED_BYTES - 100],
      ['2 bytes short', withPixelData(base.subarray(0, EXPECTED_BYTES - 2)), EXPECTED_BYTES - 2],
      ['4 non-zero bytes too many', withPixelData(append(base, Uint8Array.of(1, 2, 3, 4))), EXPECTED_BYTES + 4],
      ['a zero tail as long as the data', withPixelData(append(base, new Uint8Array(EXPECTED_BYTES))), 2 * EXPECTED_BYTES],
    ];
    for (const [label, edit, actual] of cases) {
      const error = doseError(edit);
      expect(error.code, label).toBe('E_MALFORMED_DICOM');
      expect(error.message, label).toContain(`PixelData has ${actual} bytes`);
    }
  });

  it('a tail of zero bytes shorter than the data (2 bytes, a row, a frame) reads the same, with a warning', () => {
    const base = pixels();
    const reference = DicomParser.fromBytes(makeSyntheticDose(OPTIONS), 'plain.dcm').toDoseGrid();
    for (const pad of [2, 4, COLUMNS * 4, FRAME_BYTES]) {
      const parser = DicomParser.fromBytes(makeSyntheticDose(OPTIONS, withPixelData(append(base, new Uint8Array(pad)))), 'padded.dcm');
      const grid = parser.toDoseGrid();
      expect(Array.from(grid.pixels), String(pad)).toEqual(Array.from(syntheticDosePixels(OPTIONS)));
      expect(grid.maxDoseGy).toBe(reference.maxDoseGy);
      const warnings = parser.warnings.filter((w) => w.code === 'W_PIXEL_DATA_PADDING');
      expect(warnings.map((w) => w.message), String(pad)).toEqual([`padded.dcm: PixelData has ${pad} zero bytes after the ${EXPECTED_BYTES} that Rows x Columns x NumberOfFrames x BitsAllocated/8 describe; they were ignored.`]);
      // The warning travels with the grid, so that DVHs computed from it carry it.
      expect(grid.info.warnings).toEqual(warnings.map((w) => w.message));
    }
  });
});

describe('image pixel data of the wrong size', () => {
  it('an 8-bit CT with an odd pixel count reads its even-length pad byte silently', () => {
    const values = Array.from({ length: 15 }, (_, i) => i * 17);
    const ct = { ...syntheticCtDataset({ rows: 3, columns: 5, pixelRepresentation: 0, values }), BitsAllocated: 8, BitsStored: 8, HighBit: 7, PixelData: Uint8Array.from(values).buffer, _vrMap: { PixelData: 'OB' } };
    const parser = DicomParser.fromBytes(writeDataset(ct, TransferSyntax.ExplicitVRLittleEndian), 'ct8.dcm');
    expect(Array.from(parser.toImage().pixels)).toEqual(values);
    expect(parser.warnings.filter((w) => w.code === 'W_PIXEL_DATA_PADDING')).toEqual([]);
  });

  it('BitsAllocated 8 on a 16-bit CT (twice the bytes): E_MALFORMED_DICOM', () => {
    const ct = { ...syntheticCtDataset({ rows: 4, columns: 6 }), BitsAllocated: 8, BitsStored: 8, HighBit: 7 };
    const error = dosekitError(() => DicomParser.fromBytes(writeDataset(ct), 'ct.dcm').toImage());
    expect(error.code).toBe('E_MALFORMED_DICOM');
    expect(error.message).toContain('PixelData has 48 bytes');
    expect(error.message).toContain('24 bytes');
  });
});

describe('RLE pixel data that decodes to another size', () => {
  /** Sets the explicit VR little endian Rows (0028,0010) US of `bytes` to `rows`. */
  function withRows(bytes: Uint8Array, rows: number): Uint8Array {
    const out = bytes.slice();
    const [at] = findBytes(out, [0x28, 0x00, 0x10, 0x00, 0x55, 0x53, 0x02, 0x00], 1);
    out[at + 8] = rows & 0xff;
    out[at + 9] = rows >> 8;
    return out;
  }

  it('Rows smaller than encoded (segments decode a row or more too long): E_MALFORMED_DICOM', () => {
    const rle = makeRleDose(OPTIONS);
    expect(DicomParser.fromBytes(rle, 'rle.dcm').toDoseGrid().pixels.length).toBe(ROWS * COLUMNS * FRAMES);
    for (const rows of [ROWS - 1, ROWS - 2, ROWS / 2]) {
      const error = dosekitError(() => DicomParser.fromBytes(withRows(rle, rows), 'rle.dcm').toDoseGrid());
      expect(error.code, String(rows)).toBe('E_MALFORMED_DICOM');
      expect(error.message).toContain('rle.dcm');
      expect(error.message).toMatch(/beyond Rows × Columns/);
    }
  });
});
