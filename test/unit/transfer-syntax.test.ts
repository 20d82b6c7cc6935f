// SPDX-License-Identifier: BSD-3-Clause
/**
 * Every transfer syntax dosekit reads gives the same RT Dose as the implicit VR little endian
 * original: explicit VR LE, deflated, explicit VR BE (pixels stored big endian per
 * BitsAllocated), RLE Lossless (16 and 32 bit, several encapsulation layouts) and a bare dataset
 * without preamble or file meta. Compressed syntaxes dosekit cannot decode are refused by name.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { DicomParser } from '../../src/dicom/parser.js';
import { DosekitError } from '../../src/errors.js';
import {
  TransferSyntax,
  cropDoseFrames,
  encodeDataset,
  findBytes,
  makeRleDose,
  makeSyntheticDose,
  naturalize,
  readDicomDict,
  rewriteWithTransferSyntax,
  syntheticCtDataset,
  toBareDataset,
  toSixteenBitDose,
  transferSyntaxOf,
  writeDataset,
} from '../helpers/dicom-writer.js';

const examples = fileURLToPath(new URL('../../examples/', import.meta.url));
const readExample = (name: string): Uint8Array => new Uint8Array(readFileSync(`${examples}${name}`));

/** Element-by-element equality of two large numeric arrays (expect().toEqual is far too slow for millions of values). */
function expectSameValues(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i += 1) {
    if (!Object.is(actual[i], expected[i])) {
      expect.fail(`${what}: value ${i} is ${actual[i]}, expected ${expected[i]}`);
    }
  }
}

/** The converted file parses to the same dose grid, DoseData, planes and DVHs as the reference. */
function expectSameDose(actual: DicomParser, expected: DicomParser, what: string, bigEndian = false): void {
  const grid = actual.toDoseGrid();
  const reference = expected.toDoseGrid();
  expect(grid.pixels.constructor, `${what}: pixel array type`).toBe(reference.pixels.constructor);
  expectSameValues(grid.pixels, reference.pixels, `${what}: pixels`);
  expect(grid.geometry, `${what}: geometry`).toEqual(reference.geometry);
  expect(grid.doseGridScaling, `${what}: DoseGridScaling`).toBe(reference.doseGridScaling);
  // The kept source attributes differ in how each syntax encodes them (the VR of PixelData); the model does not.
  expect({ ...grid.info, source: '', sourceAttributes: undefined }, `${what}: info`).toEqual({ ...reference.info, source: '', sourceAttributes: undefined });
  expect(grid.maxDoseGy, `${what}: max dose`).toBe(reference.maxDoseGy);

  const { littleEndian, ...data } = actual.getDoseData();
  const { littleEndian: referenceLittleEndian, ...referenceData } = expected.getDoseData();
  expect(referenceLittleEndian).toBe(true);
  expect(littleEndian, `${what}: littleEndian`).toBe(!bigEndian);
  expect(data, `${what}: getDoseData()`).toEqual(referenceData);

  const z = reference.geometry.frameZMm;
  const middle = z[Math.floor(z.length / 2)];
  // A single-frame grid has no second plane: getDoseGrid refuses a z of NaN.
  const between = z.length > 1 ? (z[0] + z[1]) / 2 : middle;
  for (const at of [middle, between]) {
    const plane = actual.getDoseGrid(at);
    const referencePlane = expected.getDoseGrid(at);
    expect(plane && { rows: plane.rows, columns: plane.columns }).toEqual(referencePlane && { rows: referencePlane.rows, columns: referencePlane.columns });
    expectSameValues(plane!.data, referencePlane!.data, `${what}: getDoseGrid(${at})`);
  }
  expect(actual.hasDVHs()).toBe(expected.hasDVHs());
  if (expected.hasDVHs()) expect(actual.getDVHs(), `${what}: DVHs`).toEqual(expected.getDVHs());
}

function expectUnsupported(bytes: Uint8Array, label: string, name: string, uid: string): DosekitError {
  let caught: unknown;
  try {
    DicomParser.fromBytes(bytes, label);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(DosekitError);
  const error = caught as DosekitError;
  expect(error.code).toBe('E_UNSUPPORTED_TRANSFER_SYNTAX');
  expect(error.message).toContain(name);
  expect(error.message).toContain(uid);
  expect(error.message).toContain(label);
  expect(error.details).toMatchObject({ file: label, attribute: 'TransferSyntaxUID', transferSyntaxUid: uid });
  return error;
}

/** bswap32 of an unsigned 32-bit value. */
function swap32(value: number): number {
  return (((value & 0xff) << 24) | ((value & 0xff00) << 8) | ((value >>> 8) & 0xff00) | (value >>> 24)) >>> 0;
}

describe('the example RT Dose in every supported transfer syntax', () => {
  let original: Uint8Array;
  let reference: DicomParser;

  beforeAll(() => {
    original = readExample('rtdose_substitute.dcm');
    reference = DicomParser.fromBytes(original, 'rtdose_substitute.dcm');
    expect(reference.transferSyntaxUid).toBe(TransferSyntax.ImplicitVRLittleEndian);
    expect(reference.toDoseGrid().pixels).toBeInstanceOf(Uint32Array);
  });

  const cases: [string, string, (bytes: Uint8Array) => Uint8Array, boolean][] = [
    ['Explicit VR Little Endian', TransferSyntax.ExplicitVRLittleEndian, (b) => rewriteWithTransferSyntax(b, TransferSyntax.ExplicitVRLittleEndian), false],
    ['Deflated Explicit VR Little Endian', TransferSyntax.DeflatedExplicitVRLittleEndian, (b) => rewriteWithTransferSyntax(b, TransferSyntax.DeflatedExplicitVRLittleEndian), false],
    ['Explicit VR Big Endian', TransferSyntax.ExplicitVRBigEndian, (b) => rewriteWithTransferSyntax(b, TransferSyntax.ExplicitVRBigEndian), true],
    ['a bare implicit VR LE dataset (no preamble, no meta)', TransferSyntax.ImplicitVRLittleEndian, (b) => toBareDataset(b, TransferSyntax.ImplicitVRLittleEndian), false],
    ['a bare explicit VR LE dataset (no preamble, no meta)', TransferSyntax.ExplicitVRLittleEndian, (b) => toBareDataset(b, TransferSyntax.ExplicitVRLittleEndian), false],
  ];

  for (const [name, uid, convert, bigEndian] of cases) {
    it(`reads ${name} identically to the implicit VR LE original`, () => {
      const bytes = convert(original);
      const parser = DicomParser.fromBytes(bytes, name);
      expect(parser.transferSyntaxUid).toBe(uid);
      expectSameDose(parser, reference, name, bigEndian);
    });
  }

  it('the big-endian file really is big endian (the pixel bytes are swapped in the file)', () => {
    const bigEndian = rewriteWithTransferSyntax(original, TransferSyntax.ExplicitVRBigEndian);
    // Read without dosekit: dcmjs hands over the raw OW bytes, which must hold big-endian values.
    const raw = readDicomDict(bigEndian).dict['7FE00010'].Value![0] as ArrayBuffer;
    const view = new DataView(raw);
    const pixels = reference.toDoseGrid().pixels;
    let nonZero = 0;
    for (let i = 0; i < pixels.length; i += 997) {
      expect(view.getUint32(4 * i, false)).toBe(pixels[i]);
      if (pixels[i] !== 0) nonZero += 1;
    }
    expect(nonZero).toBeGreaterThan(100);
  });

  it('a big-endian file whose pixel bytes were left little endian reads as byte-swapped values (the swap is applied)', () => {
    // Writes what plain dcmjs would: BE tags and lengths, LE pixel bytes. Not conformant; this
    // only shows that dosekit does byte-swap BE pixel data per BitsAllocated (32 bits here).
    const { meta, dict } = readDicomDict(original);
    const unswapped = encodeDataset(meta, dict, TransferSyntax.ExplicitVRBigEndian, { bigEndianPixelData: 'as-is' });
    const pixels = DicomParser.fromBytes(unswapped, 'as-is').toDoseGrid().pixels;
    const expected = reference.toDoseGrid().pixels;
    for (let i = 0; i < expected.length; i += 1013) expect(pixels[i]).toBe(swap32(expected[i]));
  });
});

describe('RLE Lossless and 16-bit RT Doses (cropped from the example)', () => {
  // 8 frames through the high-dose region keep RLE encoding fast and the content realistic.
  let crop32: Uint8Array;
  let crop16: Uint8Array;
  let reference32: DicomParser;
  let reference16: DicomParser;

  beforeAll(() => {
    const { dataset } = naturalize(readExample('rtdose_substitute.dcm'));
    const cropped = cropDoseFrames(dataset, 44, 8);
    crop32 = writeDataset(cropped, TransferSyntax.ImplicitVRLittleEndian);
    crop16 = writeDataset(toSixteenBitDose(cropped), TransferSyntax.ImplicitVRLittleEndian);
    reference32 = DicomParser.fromBytes(crop32, 'crop32');
    reference16 = DicomParser.fromBytes(crop16, 'crop16');
    expect(reference32.toDoseGrid().pixels).toBeInstanceOf(Uint32Array);
    expect(reference16.toDoseGrid().pixels).toBeInstanceOf(Uint16Array);
    expect(reference32.toDoseGrid().geometry.frames).toBe(8);
    expect(reference32.toDoseGrid().maxStoredValue).toBeGreaterThan(65535);
    expect(reference16.toDoseGrid().maxStoredValue).toBe(65535);
  });

  const layouts: [string, { offsetTable?: 'empty' | 'filled'; fragmentsPerFrame?: number; rle?: { minReplicate?: number; noOps?: boolean } }][] = [
    ['one fragment per frame, empty Basic Offset Table', {}],
    ['one fragment per frame, filled Basic Offset Table', { offsetTable: 'filled' }],
    ['two fragments per frame, filled Basic Offset Table', { offsetTable: 'filled', fragmentsPerFrame: 2 }],
    ['replicate runs from 2 bytes and no-op control bytes', { rle: { minReplicate: 2, noOps: true } }],
  ];

  for (const bits of [32, 16] as const) {
    for (const [layout, options] of layouts) {
      it(`reads a ${bits}-bit RLE Lossless dose (${layout}) identically`, () => {
        const source = bits === 32 ? crop32 : crop16;
        const bytes = rewriteWithTransferSyntax(source, TransferSyntax.RLELossless, options);
        expect(bytes.length).toBeLessThan(source.length);
        const parser = DicomParser.fromBytes(bytes, `rle${bits}`);
        expect(parser.transferSyntaxUid).toBe(TransferSyntax.RLELossless);
        expectSameDose(parser, bits === 32 ? reference32 : reference16, `RLE ${bits}-bit, ${layout}`);
      });
    }
  }

  it('reads a 16-bit dose in explicit VR big endian identically', () => {
    const parser = DicomParser.fromBytes(rewriteWithTransferSyntax(crop16, TransferSyntax.ExplicitVRBigEndian), 'be16');
    expectSameDose(parser, reference16, 'BE 16-bit', true);
  });

  it('reads a dose whose Pixel Data is not the last element (trailing padding) identically', () => {
    const { dataset } = naturalize(crop32);
    const padded = { ...dataset, DataSetTrailingPadding: new Uint8Array(64).buffer, _vrMap: { ...(dataset._vrMap as object), DataSetTrailingPadding: 'OB' } };
    for (const uid of [TransferSyntax.ImplicitVRLittleEndian, TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ExplicitVRBigEndian]) {
      const bytes = writeDataset(padded, uid);
      const big = uid === TransferSyntax.ExplicitVRBigEndian;
      const pixelTag = findBytes(bytes, big ? [0x7f, 0xe0, 0x00, 0x10] : [0xe0, 0x7f, 0x10, 0x00]).pop()!;
      const paddingTag = findBytes(bytes, big ? [0xff, 0xfc, 0xff, 0xfc] : [0xfc, 0xff, 0xfc, 0xff]).pop()!;
      expect(paddingTag, uid).toBeGreaterThan(pixelTag);
      expectSameDose(DicomParser.fromBytes(bytes, 'padded'), reference32, `trailing padding, ${uid}`, uid === TransferSyntax.ExplicitVRBigEndian);
    }
  });

  it('reads a single-frame RLE dose split into three fragments without a Basic Offset Table', () => {
    const single = makeSyntheticDose({ frames: 1, rows: 9, columns: 11 });
    const rle = makeRleDose({ frames: 1, rows: 9, columns: 11, fragmentsPerFrame: 3 }, naturalize(single).dataset);
    expectSameDose(DicomParser.fromBytes(rle, 'rle-1f'), DicomParser.fromBytes(single, 'le-1f'), 'RLE single frame, 3 fragments');
  });
});

describe('transfer syntaxes dosekit does not decode', () => {
  const small = (): Uint8Array => makeSyntheticDose({ rows: 4, columns: 5, frames: 2 });

  const refused: [string, string][] = [
    [TransferSyntax.JPEGBaseline, 'JPEG Baseline'],
    [TransferSyntax.JPEG2000, 'JPEG 2000'],
    [TransferSyntax.JPEG2000Lossless, 'JPEG 2000 Lossless'],
    ['1.2.840.10008.1.2.4.70', 'JPEG Lossless'],
    ['1.2.840.10008.1.2.4.80', 'JPEG-LS'],
  ];

  for (const [uid, name] of refused) {
    it(`refuses ${name} (${uid}) with E_UNSUPPORTED_TRANSFER_SYNTAX naming the syntax`, () => {
      const bytes = rewriteWithTransferSyntax(small(), uid);
      expect(transferSyntaxOf(bytes)).toBe(uid);
      expectUnsupported(bytes, `dose-${name}.dcm`, name, uid);
    });
  }

  it('refuses an unknown transfer syntax, naming its UID', () => {
    const uid = '1.2.3.4.5.6.7';
    const bytes = rewriteWithTransferSyntax(small(), uid);
    expectUnsupported(bytes, 'unknown.dcm', uid, uid);
  });

  it('refuses JPEG Baseline through fromFile too, naming the path', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const path = join(mkdtempSync(join(tmpdir(), 'dosekit-ts-')), 'jpeg.dcm');
    writeFileSync(path, rewriteWithTransferSyntax(small(), TransferSyntax.JPEGBaseline));
    await expect(DicomParser.fromFile(path)).rejects.toMatchObject({ code: 'E_UNSUPPORTED_TRANSFER_SYNTAX', details: { file: path } });
    await expect(DicomParser.fromFile(path)).rejects.toThrow(/JPEG Baseline/);
  });
});

describe('signed 16-bit CT pixels in explicit VR big endian', () => {
  it('the example CT (PixelRepresentation 1) reads back the same negative values', () => {
    const original = readExample('ct.0.dcm');
    const little = DicomParser.fromBytes(original, 'ct.0.dcm');
    const big = DicomParser.fromBytes(rewriteWithTransferSyntax(original, TransferSyntax.ExplicitVRBigEndian), 'ct-be.dcm');
    expect(big.transferSyntaxUid).toBe(TransferSyntax.ExplicitVRBigEndian);
    const a = big.toImage();
    const b = little.toImage();
    expect(a.pixels).toBeInstanceOf(Int16Array);
    expect(b.pixels).toBeInstanceOf(Int16Array);
    expectSameValues(a.pixels, b.pixels, 'CT pixels');
    let min = 0;
    for (const v of a.pixels) if (v < min) min = v;
    expect(min).toBeLessThan(-500);
    expect(a.geometry).toEqual(b.geometry);
    expect(big.getImageData()).toEqual({ ...little.getImageData(), littleEndian: false });
    expect(big.getDefaultImageWindowLevel()).toEqual(little.getDefaultImageWindowLevel());
    expectSameValues(big.getImage().data, little.getImage().data, 'rendered CT');
  });

  it('a synthetic CT keeps -32768, -1024, -1 and 32767 exactly', () => {
    const values = [-32768, -32767, -1024, -1000, -256, -255, -1, 0, 1, 255, 256, 32767];
    const dataset = syntheticCtDataset({ rows: 3, columns: 4, values });
    for (const uid of [TransferSyntax.ExplicitVRBigEndian, TransferSyntax.ImplicitVRLittleEndian, TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.DeflatedExplicitVRLittleEndian]) {
      const image = DicomParser.fromBytes(writeDataset(dataset, uid), `ct-${uid}`).toImage();
      expect(image.pixels, uid).toBeInstanceOf(Int16Array);
      expect(Array.from(image.pixels), uid).toEqual(values);
    }
  });

  it('an unsigned 16-bit CT in big endian keeps values above 32767', () => {
    const values = [0, 1, 255, 256, 32767, 32768, 40000, 65535];
    const dataset = syntheticCtDataset({ rows: 2, columns: 4, values, pixelRepresentation: 0 });
    const image = DicomParser.fromBytes(writeDataset(dataset, TransferSyntax.ExplicitVRBigEndian), 'ct-u16-be').toImage();
    expect(image.pixels).toBeInstanceOf(Uint16Array);
    expect(Array.from(image.pixels)).toEqual(values);
  });
});
