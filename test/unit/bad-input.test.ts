// SPDX-License-Identifier: BSD-3-Clause
/**
 * Bad input never escapes as anything but a DosekitError with a stable code:
 * (a) files that are not DICOM at all, (b) the wrong kind of DICOM object for an accessor,
 * (c) RT Doses missing or misstating required attributes, (d) a seeded fuzz that truncates and
 * corrupts the example files and runs every applicable accessor on the result.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { DicomParser } from '../../src/dicom/parser.js';
import { DosekitError } from '../../src/errors.js';
import { dosekitError, dosekitErrorAsync } from '../helpers/errors.js';
import { mulberry32 } from '../helpers/point-in-path.js';
import {
  type NaturalDataset,
  type SyntheticDoseOptions,
  TransferSyntax,
  cropDoseFrames,
  denaturalize,
  encodeDataset,
  fileMeta,
  findBytes,
  makeRleDose,
  makeSyntheticDose,
  metaEnd,
  naturalize,
  rleFrames,
  syntheticCtDataset,
  syntheticDoseDataset,
  syntheticStructureSetDataset,
  writeDataset,
} from '../helpers/dicom-writer.js';

const examplesDir = fileURLToPath(new URL('../../examples/', import.meta.url));
const examplePath = (name: string): string => join(examplesDir, name);
const readExample = (name: string): Uint8Array => new Uint8Array(readFileSync(examplePath(name)));


const randomInt = (random: () => number, below: number): number => Math.floor(random() * below);

/** Runs `work`, which must throw a DosekitError; returns it. */
// ---------------------------------------------------------------------------------------------
// (a) not DICOM
// ---------------------------------------------------------------------------------------------

describe('(a) input that is not DICOM', () => {
  const png = Uint8Array.from([
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06,
    0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0d,
    0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
  ]);
  const text = new TextEncoder().encode('Patient,Dose\nTest,2.0 Gy\n'.repeat(20));
  const random = (() => {
    const next = mulberry32(0xbad1);
    return Uint8Array.from({ length: 4096 }, () => randomInt(next, 256));
  })();
  const dicmOnly = (() => {
    const bytes = new Uint8Array(132);
    bytes.set([0x44, 0x49, 0x43, 0x4d], 128);
    return bytes;
  })();
  const dicmThenGarbage = (() => {
    const bytes = new Uint8Array(400);
    bytes.set([0x44, 0x49, 0x43, 0x4d], 128);
    const next = mulberry32(0xbad2);
    for (let i = 132; i < bytes.length; i += 1) bytes[i] = randomInt(next, 256);
    return bytes;
  })();

  const cases: [string, Uint8Array, string[]][] = [
    ['an empty file', new Uint8Array(0), ['E_NOT_DICOM']],
    ['a one-byte file', Uint8Array.from([0x08]), ['E_NOT_DICOM']],
    ['a text (CSV) file', text, ['E_NOT_DICOM']],
    ['a PNG image', png, ['E_NOT_DICOM']],
    ['4 KiB of random bytes', random, ['E_NOT_DICOM', 'E_MALFORMED_DICOM']],
    ['a preamble and "DICM" with nothing after', dicmOnly, ['E_NOT_DICOM', 'E_MALFORMED_DICOM']],
    ['a preamble and "DICM" followed by random bytes', dicmThenGarbage, ['E_NOT_DICOM', 'E_MALFORMED_DICOM']],
    ['131 zero bytes', new Uint8Array(131), ['E_NOT_DICOM']],
    ['a bare-dataset look-alike: 08 00 then garbage', Uint8Array.from([0x08, 0x00, 0x05, 0x00, 0xff, 0xff, 0xff, 0x7f, 1, 2, 3, 4]), ['E_NOT_DICOM', 'E_MALFORMED_DICOM']],
  ];

  for (const [name, bytes, codes] of cases) {
    it(`${name} -> ${codes.join(' or ')}, naming the file`, () => {
      const error = dosekitError(() => DicomParser.fromBytes(bytes, 'input.bin'));
      expect(codes).toContain(error.code);
      expect(error.details.file).toBe('input.bin');
      expect(error.message).toContain('input.bin');
    });
  }

  it('the same through fromFile: a text file and an empty file name their path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dosekit-bad-'));
    for (const [name, bytes] of [['notes.txt', text], ['empty.dcm', new Uint8Array(0)], ['image.png', png]] as const) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      const error = await dosekitErrorAsync(() => DicomParser.fromFile(path));
      expect(error.code).toBe('E_NOT_DICOM');
      expect(error.details.file).toBe(path);
      expect(error.message).toContain(path);
    }
  });

  it('a missing path -> E_FILE_NOT_FOUND; a directory -> E_NOT_A_FILE', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dosekit-bad-'));
    const missing = await dosekitErrorAsync(() => DicomParser.fromFile(join(dir, 'nope.dcm')));
    expect(missing.code).toBe('E_FILE_NOT_FOUND');
    expect(missing.message).toContain('nope.dcm');
    const directory = await dosekitErrorAsync(() => DicomParser.fromFile(dir));
    expect(directory.code).toBe('E_NOT_A_FILE');
  });
});

// ---------------------------------------------------------------------------------------------
// (b) wrong kind of object
// ---------------------------------------------------------------------------------------------

type Accessor = [string, (p: DicomParser) => unknown];

const STRUCT_ACCESSORS: Accessor[] = [
  ['toStructureSet()', (p) => p.toStructureSet()],
  ['getStructures()', (p) => p.getStructures()],
  ['getStructureInfo()', (p) => p.getStructureInfo()],
  ['getStructureCoordinates(1)', (p) => p.getStructureCoordinates(1)],
];
const DOSE_ACCESSORS: Accessor[] = [
  ['toDoseGrid()', (p) => p.toDoseGrid()],
  ['getDoseData()', (p) => p.getDoseData()],
  ['getDoseGrid(0)', (p) => p.getDoseGrid(0)],
  ['getDVHs()', (p) => p.getDVHs()],
];
const PLAN_ACCESSORS: Accessor[] = [
  ['toPlan()', (p) => p.toPlan()],
  ['getPlan()', (p) => p.getPlan()],
  ['getReferencedBeamsInFraction()', (p) => p.getReferencedBeamsInFraction()],
];
const IMAGE_ACCESSORS: Accessor[] = [
  ['toImage()', (p) => p.toImage()],
  ['getImage()', (p) => p.getImage()],
  ['getDefaultImageWindowLevel()', (p) => p.getDefaultImageWindowLevel()],
];

describe('(b) an accessor for another kind of object', () => {
  const files: [string, string, string][] = [
    ['rtss.dcm', 'rtss', 'RT Structure Set'],
    ['rtplan.dcm', 'rtplan', 'RT Plan'],
    ['ct.0.dcm', 'ct', 'CT Image'],
    ['rtdose_substitute.dcm', 'rtdose', 'RT Dose'],
  ];
  const groups: [string, string, Accessor[]][] = [
    ['rtss', 'E_NOT_RTSTRUCT', STRUCT_ACCESSORS],
    ['rtdose', 'E_NOT_RTDOSE', DOSE_ACCESSORS],
    ['rtplan', 'E_NOT_RTPLAN', PLAN_ACCESSORS],
    ['ct', 'E_NOT_IMAGE', IMAGE_ACCESSORS],
  ];
  const parsers = new Map<string, DicomParser>();

  beforeAll(async () => {
    for (const [name] of files) parsers.set(name, await DicomParser.fromFile(examplePath(name)));
  });

  for (const [name, kind, label] of files) {
    for (const [groupKind, code, accessors] of groups) {
      if (groupKind === kind) continue;
      it(`${accessors.map((a) => a[0]).join(', ')} on ${name} (${label}) -> ${code}, naming the file`, () => {
        const parser = parsers.get(name)!;
        expect(parser.getSOPClassUID()).toBe(kind);
        for (const [accessor, call] of accessors) {
          const error = dosekitError(() => call(parser));
          expect(error.code, accessor).toBe(code);
          expect(error.details.file, accessor).toBe(examplePath(name));
          expect(error.message, accessor).toContain(examplePath(name));
          expect(error.message, accessor).toContain(label);
          expect(error.details.attribute, accessor).toBe('SOPClassUID');
        }
      });
    }
  }

  it('getPatientToPixelLUT() on an RT Structure Set -> E_NOT_IMAGE', () => {
    expect(dosekitError(() => parsers.get('rtss.dcm')!.getPatientToPixelLUT()).code).toBe('E_NOT_IMAGE');
  });

  it('an object of an unknown SOP class is refused by every model accessor', () => {
    const dataset = syntheticCtDataset();
    dataset.SOPClassUID = '1.2.840.10008.5.1.4.1.1.7'; // Secondary Capture
    dataset.Modality = 'OT';
    const parser = DicomParser.fromBytes(writeDataset(dataset), 'sc.dcm');
    expect(parser.getSOPClassUID()).toBe('other');
    for (const [code, accessors] of [['E_NOT_RTSTRUCT', STRUCT_ACCESSORS], ['E_NOT_RTDOSE', DOSE_ACCESSORS], ['E_NOT_RTPLAN', PLAN_ACCESSORS], ['E_NOT_IMAGE', IMAGE_ACCESSORS]] as const) {
      for (const [accessor, call] of accessors) {
        const error = dosekitError(() => call(parser));
        expect(error.code, accessor).toBe(code);
        expect(error.message, accessor).toContain('sc.dcm');
      }
    }
  });

  it('a dataset without SOPClassUID -> E_MISSING_ATTRIBUTE (SOPClassUID) when parsed', () => {
    const bytes = makeSyntheticDose({}, (ds) => {
      delete ds.SOPClassUID;
    });
    const error = dosekitError(() => DicomParser.fromBytes(bytes, 'no-sop-class.dcm'));
    expect(error.code).toBe('E_MISSING_ATTRIBUTE');
    expect(error.details).toMatchObject({ file: 'no-sop-class.dcm', attribute: 'SOPClassUID' });
  });
});

// ---------------------------------------------------------------------------------------------
// (c) missing or wrong attributes
// ---------------------------------------------------------------------------------------------

describe('(c) RT Doses with missing or invalid attributes', () => {
  it('the unedited synthetic dose is valid (control)', () => {
    const parser = DicomParser.fromBytes(makeSyntheticDose({ frames: 3 }), 'control.dcm');
    const grid = parser.toDoseGrid();
    expect(grid.geometry.frames).toBe(3);
    expect(grid.maxStoredValue).toBeGreaterThan(0);
    expect(parser.getDoseData().doseGridScaling).toBe(2e-5);
  });

  interface BadDose {
    readonly name: string;
    readonly code: string;
    readonly attribute: string;
    readonly edit: (ds: NaturalDataset) => void;
    readonly options?: SyntheticDoseOptions;
  }

  const bad: BadDose[] = [
    { name: 'no ImagePositionPatient', code: 'E_MISSING_ATTRIBUTE', attribute: 'ImagePositionPatient', edit: (ds) => delete ds.ImagePositionPatient },
    { name: 'no ImageOrientationPatient', code: 'E_MISSING_ATTRIBUTE', attribute: 'ImageOrientationPatient', edit: (ds) => delete ds.ImageOrientationPatient },
    { name: 'no PixelSpacing', code: 'E_MISSING_ATTRIBUTE', attribute: 'PixelSpacing', edit: (ds) => delete ds.PixelSpacing },
    { name: 'no Rows', code: 'E_MISSING_ATTRIBUTE', attribute: 'Rows', edit: (ds) => delete ds.Rows },
    { name: 'no BitsAllocated', code: 'E_MISSING_ATTRIBUTE', attribute: 'BitsAllocated', edit: (ds) => delete ds.BitsAllocated },
    { name: 'no PixelData', code: 'E_MISSING_ATTRIBUTE', attribute: 'PixelData', edit: (ds) => delete ds.PixelData },
    {
      name: 'no GridFrameOffsetVector with 3 frames',
      code: 'E_MISSING_ATTRIBUTE',
      attribute: 'GridFrameOffsetVector',
      options: { frames: 3 },
      edit: (ds) => delete ds.GridFrameOffsetVector,
    },
    { name: 'GridFrameOffsetVector with 2 values for 3 frames', code: 'E_MALFORMED_DICOM', attribute: 'GridFrameOffsetVector', options: { frames: 3 }, edit: (ds) => (ds.GridFrameOffsetVector = [0, 2.5]) },
    { name: 'GridFrameOffsetVector with 4 values for 3 frames', code: 'E_MALFORMED_DICOM', attribute: 'GridFrameOffsetVector', options: { frames: 3 }, edit: (ds) => (ds.GridFrameOffsetVector = [0, 2.5, 5, 7.5]) },
    { name: 'GridFrameOffsetVector repeating an offset', code: 'E_MALFORMED_DICOM', attribute: 'GridFrameOffsetVector', options: { frames: 3 }, edit: (ds) => (ds.GridFrameOffsetVector = [0, 2.5, 2.5]) },
    { name: 'GridFrameOffsetVector with a non-number', code: 'E_MALFORMED_DICOM', attribute: 'GridFrameOffsetVector', options: { frames: 3 }, edit: (ds) => (ds.GridFrameOffsetVector = ['0', '1e999', '5']) },
    { name: 'DoseGridScaling 0', code: 'E_MALFORMED_DICOM', attribute: 'DoseGridScaling', edit: (ds) => (ds.DoseGridScaling = 0) },
    { name: 'DoseGridScaling negative', code: 'E_MALFORMED_DICOM', attribute: 'DoseGridScaling', edit: (ds) => (ds.DoseGridScaling = -2e-5) },
    // dcmjs reads a DS it cannot parse as null, so these need dosekit to tell "present but
    // unreadable" from "absent" (absent legitimately means 1).
    { name: 'DoseGridScaling "NaN"', code: 'E_MALFORMED_DICOM', attribute: 'DoseGridScaling', edit: (ds) => (ds.DoseGridScaling = 'NaN') },
    { name: 'DoseGridScaling "abc"', code: 'E_MALFORMED_DICOM', attribute: 'DoseGridScaling', edit: (ds) => (ds.DoseGridScaling = 'abc') },
    { name: 'DoseGridScaling "1e999" (infinite)', code: 'E_MALFORMED_DICOM', attribute: 'DoseGridScaling', edit: (ds) => (ds.DoseGridScaling = '1e999') },
    // dcmjs also strips every character but [0-9.+-eE] from a DS before parsing it, so a decimal
    // comma silently changes the value ("2,0E-5" becomes 2.0E-4, "2,5" becomes 25).
    { name: 'DoseGridScaling "2,0E-5" (decimal comma)', code: 'E_MALFORMED_DICOM', attribute: 'DoseGridScaling', edit: (ds) => (ds.DoseGridScaling = '2,0E-5') },
    { name: 'PixelSpacing "2,5" (decimal comma)', code: 'E_MALFORMED_DICOM', attribute: 'PixelSpacing', edit: (ds) => (ds.PixelSpacing = ['2,5', '2,5']) },
    { name: 'PixelSpacing with a zero', code: 'E_MALFORMED_DICOM', attribute: 'PixelSpacing', edit: (ds) => (ds.PixelSpacing = [0, 2]) },
    { name: 'PixelSpacing negative', code: 'E_MALFORMED_DICOM', attribute: 'PixelSpacing', edit: (ds) => (ds.PixelSpacing = [2.5, -2]) },
    { name: 'PixelSpacing with one value', code: 'E_MALFORMED_DICOM', attribute: 'PixelSpacing', edit: (ds) => (ds.PixelSpacing = [2.5]) },
    { name: 'ImagePositionPatient not numbers', code: 'E_MALFORMED_DICOM', attribute: 'ImagePositionPatient', edit: (ds) => (ds.ImagePositionPatient = ['a', 'b', 'c']) },
    { name: 'ImageOrientationPatient with 5 values', code: 'E_MALFORMED_DICOM', attribute: 'ImageOrientationPatient', edit: (ds) => (ds.ImageOrientationPatient = [1, 0, 0, 0, 1]) },
    { name: 'NumberOfFrames 0', code: 'E_MALFORMED_DICOM', attribute: 'NumberOfFrames', edit: (ds) => (ds.NumberOfFrames = 0) },
    { name: 'NumberOfFrames -3', code: 'E_MALFORMED_DICOM', attribute: 'NumberOfFrames', edit: (ds) => (ds.NumberOfFrames = -3) },
    { name: 'Rows 0', code: 'E_MALFORMED_DICOM', attribute: 'Rows', edit: (ds) => (ds.Rows = 0) },
    { name: 'BitsAllocated 12', code: 'E_MALFORMED_DICOM', attribute: 'BitsAllocated', edit: (ds) => (ds.BitsAllocated = 12) },
    { name: 'SamplesPerPixel 3', code: 'E_MALFORMED_DICOM', attribute: 'SamplesPerPixel', edit: (ds) => (ds.SamplesPerPixel = 3) },
    { name: 'PixelData shorter than Rows x Columns x frames', code: 'E_MALFORMED_DICOM', attribute: 'PixelData', edit: (ds) => (ds.PixelData = (ds.PixelData as ArrayBuffer).slice(0, 1000)) },
    {
      name: 'PixelData of a 3x larger grid than it holds',
      code: 'E_MALFORMED_DICOM',
      attribute: 'PixelData',
      edit: (ds) => {
        ds.NumberOfFrames = 15;
        ds.GridFrameOffsetVector = Array.from({ length: 15 }, (_, k) => k);
      },
    },
    {
      name: 'oblique ImageOrientationPatient (30 degrees about z)',
      code: 'E_UNSUPPORTED_ORIENTATION',
      attribute: 'ImageOrientationPatient',
      edit: (ds) => (ds.ImageOrientationPatient = [0.866025, 0.5, 0, -0.5, 0.866025, 0]),
    },
    {
      name: 'oblique ImageOrientationPatient (tilted out of the axial plane)',
      code: 'E_UNSUPPORTED_ORIENTATION',
      attribute: 'ImageOrientationPatient',
      edit: (ds) => (ds.ImageOrientationPatient = [1, 0, 0, 0, 0.9961947, -0.0871557]),
    },
  ];

  for (const { name, code, attribute, edit, options } of bad) {
    it(`${name} -> ${code} (${attribute})`, () => {
      const label = `dose-${name.replace(/\W+/g, '-')}.dcm`;
      const bytes = makeSyntheticDose(options ?? {}, (ds) => {
        edit(ds);
      });
      const parser = DicomParser.fromBytes(bytes, label);
      for (const [accessor, call] of [['toDoseGrid()', (p: DicomParser) => p.toDoseGrid()], ['getDoseData()', (p: DicomParser) => p.getDoseData()]] as const) {
        const error = dosekitError(() => call(parser));
        expect({ accessor, code: error.code, attribute: error.details.attribute, file: error.details.file }).toEqual({ accessor, code, attribute, file: label });
        expect(error.message).toContain(label);
        expect(error.message).toContain(attribute);
      }
    });
  }

  it('an RLE dose whose fragment is cut short -> E_MALFORMED_DICOM (PixelData)', () => {
    const bytes = makeRleDose({ frames: 2 });
    // Shorten the last fragment by 40 bytes: patch its item length and drop the bytes.
    const items = findBytes(bytes, [0xfe, 0xff, 0x00, 0xe0]);
    const last = items[items.length - 1];
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const length = view.getUint32(last + 4, true);
    const cut = new Uint8Array(bytes.length - 40);
    cut.set(bytes.subarray(0, last + 8 + length - 40));
    cut.set(bytes.subarray(last + 8 + length), last + 8 + length - 40);
    new DataView(cut.buffer).setUint32(last + 4, length - 40, true);
    const error = dosekitError(() => DicomParser.fromBytes(cut, 'rle-cut.dcm').toDoseGrid());
    expect(error.code).toBe('E_MALFORMED_DICOM');
    expect(error.details).toMatchObject({ file: 'rle-cut.dcm', attribute: 'PixelData' });
  });

  for (const [claimed, why] of [
    [4, '3 fragments for 4 frames'],
    [2, '3 fragments for 2 frames and no Basic Offset Table'],
  ] as const) {
    it(`an RLE dose with ${why} -> E_MALFORMED_DICOM (PixelData)`, () => {
      const threeFrames = syntheticDoseDataset({ frames: 3 });
      const fragments = rleFrames(denaturalize(threeFrames));
      const claimedDataset = { ...threeFrames, NumberOfFrames: claimed, GridFrameOffsetVector: Array.from({ length: claimed }, (_, k) => 2.5 * k) };
      const bytes = encodeDataset(fileMeta(claimedDataset, TransferSyntax.RLELossless), denaturalize(claimedDataset), TransferSyntax.RLELossless, {
        encapsulatedFrames: fragments,
      });
      const error = dosekitError(() => DicomParser.fromBytes(bytes, 'rle-frames.dcm').toDoseGrid());
      expect(error.code).toBe('E_MALFORMED_DICOM');
      expect(error.details).toMatchObject({ file: 'rle-frames.dcm', attribute: 'PixelData' });
    });
  }

  it('a CT without PixelSpacing -> E_MISSING_ATTRIBUTE (PixelSpacing) from toImage()', () => {
    const dataset = syntheticCtDataset();
    delete dataset.PixelSpacing;
    const error = dosekitError(() => DicomParser.fromBytes(writeDataset(dataset), 'ct.dcm').toImage());
    expect(error.code).toBe('E_MISSING_ATTRIBUTE');
    expect(error.details).toMatchObject({ file: 'ct.dcm', attribute: 'PixelSpacing' });
  });

  it('an RT Structure Set ROI without ROINumber -> E_MISSING_ATTRIBUTE (ROINumber)', () => {
    const dataset = syntheticStructureSetDataset();
    delete (dataset.StructureSetROISequence as NaturalDataset[])[1].ROINumber;
    const error = dosekitError(() => DicomParser.fromBytes(writeDataset(dataset), 'rtss.dcm').getStructures());
    expect(error.code).toBe('E_MISSING_ATTRIBUTE');
    expect(error.details).toMatchObject({ file: 'rtss.dcm', attribute: 'ROINumber' });
  });
});

// ---------------------------------------------------------------------------------------------
// (d) seeded fuzz: truncations and byte corruptions of real files
// ---------------------------------------------------------------------------------------------

const FUZZ_SEED = Number(process.env.DOSEKIT_FUZZ_SEED ?? 0x5eed2024);
const TRUNCATIONS = 60;
const FLIPS = 150;
/** A case slower than this is reported (console) as slow. */
const SLOW_MS = 2000;
/** A case slower than this fails the test (it would be a near-hang). */
const HANG_MS = 15000;

interface FuzzFailure {
  readonly seed: number;
  readonly file: string;
  readonly mutation: string;
  readonly step: string;
  readonly error: string;
}

interface FuzzStats {
  cases: number;
  parsed: number;
  accessorCalls: number;
  codes: Map<string, number>;
  slowest: { ms: number; mutation: string };
  slow: string[];
  unlabelled: string[];
}

/** The accessor calls applicable to the parsed object (by its SOP class after mutation). */
function accessorsFor(parser: DicomParser): Accessor[] {
  const common: Accessor[] = [
    ['getSOPInstanceUID()', (p) => p.getSOPInstanceUID()],
    ['getStudyInfo()', (p) => p.getStudyInfo()],
    ['getSeriesInfo()', (p) => p.getSeriesInfo()],
    ['getDemographics()', (p) => p.getDemographics()],
    ['getFrameOfReferenceUID()', (p) => p.getFrameOfReferenceUID()],
    ['getReferencedSeries()', (p) => p.getReferencedSeries()],
    ['getReferencedStructureSet()', (p) => p.getReferencedStructureSet()],
    ['getReferencedRTPlan()', (p) => p.getReferencedRTPlan()],
  ];
  switch (parser.getSOPClassUID()) {
    case 'rtss': {
      const calls: Accessor[] = [
        ['toStructureSet()', (p) => p.toStructureSet()],
        ['getStructureInfo()', (p) => p.getStructureInfo()],
        ['getStructures()', (p) => p.getStructures()],
      ];
      let ids: number[] = [];
      try {
        ids = Object.keys(parser.getStructures()).map(Number);
      } catch {
        // Reported by the getStructures() call itself.
      }
      for (const id of ids) {
        calls.push([`getStructureCoordinates(${id})`, (p) => p.getStructureCoordinates(id)]);
        calls.push([`calculateStructureVolume(${id})`, (p) => p.calculateStructureVolume(id)]);
      }
      return [...common, ...calls];
    }
    case 'rtdose': {
      const middleZ = (p: DicomParser): number => {
        const z = p.toDoseGrid().geometry.frameZMm;
        return z[Math.floor(z.length / 2)];
      };
      return [
        ...common,
        ['toDoseGrid()', (p) => p.toDoseGrid()],
        ['getDoseData()', (p) => p.getDoseData()],
        ['getDoseGrid(middle z)', (p) => p.getDoseGrid(middleZ(p))],
        ['getDoseGrid(between frames)', (p) => p.getDoseGrid(middleZ(p) + 0.7)],
        ['getDVHs()', (p) => p.getDVHs()],
        ['getReferencedBeamNumber()', (p) => p.getReferencedBeamNumber()],
        ['getPatientToPixelLUT()', (p) => p.getPatientToPixelLUT()],
      ];
    }
    case 'rtplan':
      return [
        ...common,
        ['toPlan()', (p) => p.toPlan()],
        ['getPlan()', (p) => p.getPlan()],
        ['getReferencedBeamsInFraction(0)', (p) => p.getReferencedBeamsInFraction(0)],
      ];
    case 'ct':
    case 'mr':
    case 'pt':
      return [
        ...common,
        ['toImage()', (p) => p.toImage()],
        ['getImageData()', (p) => p.getImageData()],
        ['getImage()', (p) => p.getImage()],
        ['getImageLocation()', (p) => p.getImageLocation()],
        ['getImageOrientationType()', (p) => p.getImageOrientationType()],
        ['getRescaleInterceptSlope()', (p) => p.getRescaleInterceptSlope()],
        ['getPatientToPixelLUT()', (p) => p.getPatientToPixelLUT()],
      ];
    default:
      // Whatever the object became, the model accessors must refuse it cleanly.
      return [...common, ...STRUCT_ACCESSORS, ...DOSE_ACCESSORS, ...PLAN_ACCESSORS, ...IMAGE_ACCESSORS];
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const stack = (error.stack ?? '').split('\n').slice(0, 8).join('\n    ');
    return `${error.name}: ${error.message}\n    ${stack}`;
  }
  return `non-Error thrown: ${String(error)}`;
}

/** Parses `bytes` and runs every applicable accessor; records anything but success or a DosekitError. */
function exercise(bytes: Uint8Array, label: string, mutation: string, seed: number, failures: FuzzFailure[], stats: FuzzStats): void {
  const started = performance.now();
  const check = (step: string, work: () => unknown): boolean => {
    stats.accessorCalls += 1;
    try {
      work();
      return true;
    } catch (error) {
      if (error instanceof DosekitError && typeof error.code === 'string' && error.code.length > 0) {
        stats.codes.set(error.code, (stats.codes.get(error.code) ?? 0) + 1);
        if (error.details?.file !== label && stats.unlabelled.length < 20) stats.unlabelled.push(`${mutation} / ${step}: ${error.code} details.file=${String(error.details?.file)}`);
      } else {
        failures.push({ seed, file: label, mutation, step, error: describeError(error) });
      }
      return false;
    }
  };
  let parser: DicomParser | undefined;
  if (check('DicomParser.fromBytes', () => (parser = DicomParser.fromBytes(bytes, label))) && parser) {
    stats.parsed += 1;
    const p = parser;
    check('getSOPClassUID()', () => p.getSOPClassUID());
    let accessors: Accessor[] = [];
    check('(listing accessors)', () => (accessors = accessorsFor(p)));
    for (const [name, call] of accessors) check(name, () => call(p));
  }
  const ms = performance.now() - started;
  stats.cases += 1;
  if (ms > stats.slowest.ms) stats.slowest = { ms, mutation };
  if (ms > SLOW_MS) stats.slow.push(`${label} ${mutation}: ${ms.toFixed(0)} ms`);
}

/** Offsets worth truncating at: inside the preamble, meta, first elements, sequences, pixel data. */
function truncationOffsets(bytes: Uint8Array, random: () => number, count: number): number[] {
  const n = bytes.length;
  const offsets = new Set<number>();
  const add = (o: number): void => {
    if (Number.isInteger(o) && o >= 0 && o < n) offsets.add(o);
  };
  for (const o of [0, 1, 2, 4, 64, 127, 128, 130, 131, 132, 133, 134, 136, 140, 143, 144, 150]) add(o);
  let meta = 132;
  try {
    meta = metaEnd(bytes);
  } catch {
    // not a Part 10 file: only the fixed offsets
  }
  for (const d of [-1, 0, 1, 4, 6, 8, 9, 12, 60]) add(meta + d);
  const firstItem = findBytes(bytes, [0xfe, 0xff, 0x00, 0xe0], 1)[0];
  if (firstItem !== undefined) for (const d of [-8, -4, -1, 0, 4, 8, 10]) add(firstItem + d);
  const sequenceEnd = findBytes(bytes, [0xfe, 0xff, 0xdd, 0xe0], 1)[0];
  if (sequenceEnd !== undefined) for (const d of [0, 4, 8]) add(sequenceEnd + d);
  const pixels = [...findBytes(bytes, [0xe0, 0x7f, 0x10, 0x00]), ...findBytes(bytes, [0x7f, 0xe0, 0x00, 0x10])].sort((a, b) => b - a)[0];
  if (pixels !== undefined) {
    for (const d of [0, 2, 4, 6, 8, 10, 12, 16, 20, 24, 28, 64, 100]) add(pixels + d);
    add(Math.floor((pixels + n) / 2));
    for (const d of [1, 2, 3, 4, 8]) add(n - d);
  }
  // Fill up with stratified random offsets spread over the whole file.
  const fixed = offsets.size;
  const remaining = Math.max(0, count - fixed);
  for (let k = 0; k < remaining; k += 1) add(Math.floor(((k + random()) / remaining) * n));
  return [...offsets].sort((a, b) => a - b);
}

const INTERESTING = [0x00, 0xff, 0x7f, 0x80, 0x01, 0x20, 0x5c, 0x2d, 0x2e, 0x30];

/** One corruption: 1-8 bytes changed, contiguous or scattered, mostly near the header. */
function corrupt(bytes: Uint8Array, random: () => number, headerEnd: number): { bytes: Uint8Array; description: string } {
  const out = bytes.slice();
  const count = 1 + randomInt(random, 8);
  const pick = (): number => {
    const where = random();
    if (where < 0.35) return randomInt(random, Math.min(out.length, 2048)); // preamble, meta, first elements
    if (where < 0.7) return randomInt(random, Math.max(1, headerEnd)); // anywhere before Pixel Data
    return randomInt(random, out.length);
  };
  const changes: string[] = [];
  const mode = random();
  const start = pick();
  for (let k = 0; k < count; k += 1) {
    const at = mode < 0.5 ? Math.min(out.length - 1, start + k) : pick();
    const before = out[at];
    const value = random() < 0.3 ? INTERESTING[randomInt(random, INTERESTING.length)] : before ^ (1 + randomInt(random, 255));
    out[at] = value;
    changes.push(`[${at}] ${before.toString(16)}->${value.toString(16)}`);
  }
  return { bytes: out, description: `bytes ${changes.join(' ')}` };
}

describe('(d) seeded fuzz: truncated and corrupted files give success or a DosekitError', () => {
  const inputs: [string, () => Uint8Array][] = [
    ['rtss.dcm', () => readExample('rtss.dcm')],
    ['rtplan.dcm', () => readExample('rtplan.dcm')],
    ['ct.0.dcm', () => readExample('ct.0.dcm')],
    // The example dose cropped to 3 frames (DVH Sequence and references kept): 0.4 MB, not 9.9.
    ['rtdose-3-frames.dcm', () => writeDataset(cropDoseFrames(naturalize(readExample('rtdose_substitute.dcm')).dataset, 48, 3))],
    ['rtdose-rle.dcm', () => makeRleDose({ rows: 24, columns: 30, frames: 4, offsetTable: 'filled' })],
    ['rtdose-big-endian.dcm', () => makeSyntheticDose({ rows: 24, columns: 30, frames: 4 }, () => {}, TransferSyntax.ExplicitVRBigEndian)],
    ['rtdose-deflated.dcm', () => makeSyntheticDose({ rows: 24, columns: 30, frames: 4 }, () => {}, TransferSyntax.DeflatedExplicitVRLittleEndian)],
  ];

  for (const [index, [file, load]] of inputs.entries()) {
    it(
      `${file}: ${TRUNCATIONS} truncations and ${FLIPS} corruptions`,
      () => {
        const seed = (FUZZ_SEED + index * 7919) >>> 0;
        const random = mulberry32(seed);
        const original = load();
        // The unmutated file must parse and work (otherwise the fuzz proves nothing).
        const control: FuzzFailure[] = [];
        const stats: FuzzStats = { cases: 0, parsed: 0, accessorCalls: 0, codes: new Map(), slowest: { ms: 0, mutation: '' }, slow: [], unlabelled: [] };
        exercise(original, file, 'none', seed, control, stats);
        expect(control).toEqual([]);
        expect(stats.codes.size, `the unmutated ${file} raised ${[...stats.codes.keys()].join(', ')}`).toBe(0);

        const failures: FuzzFailure[] = [];
        for (const offset of truncationOffsets(original, random, TRUNCATIONS)) {
          exercise(original.slice(0, offset), file, `truncated to ${offset} of ${original.length} bytes`, seed, failures, stats);
        }
        const pixelTag = [...findBytes(original, [0xe0, 0x7f, 0x10, 0x00]), ...findBytes(original, [0x7f, 0xe0, 0x00, 0x10])].sort((a, b) => b - a)[0];
        const headerEnd = pixelTag ?? original.length;
        for (let k = 0; k < FLIPS; k += 1) {
          const { bytes, description } = corrupt(original, random, headerEnd);
          exercise(bytes, file, `corruption #${k}: ${description}`, seed, failures, stats);
        }

        const codes = [...stats.codes.entries()].map(([code, n]) => `${code} x${n}`).join(', ');
        console.info(
          `[fuzz] ${file} seed ${seed}: ${stats.cases} cases, ${stats.parsed} parsed, ${stats.accessorCalls} calls, slowest ${stats.slowest.ms.toFixed(0)} ms (${stats.slowest.mutation}); ${codes}`,
        );
        if (stats.slow.length > 0) console.warn(`[fuzz] ${file}: cases slower than ${SLOW_MS} ms:\n  ${stats.slow.join('\n  ')}`);
        if (stats.unlabelled.length > 0) console.warn(`[fuzz] ${file}: DosekitErrors whose details.file is not the label:\n  ${stats.unlabelled.join('\n  ')}`);
        if (failures.length > 0) {
          const report = failures.map((f) => `seed ${f.seed} file ${f.file}\n  mutation: ${f.mutation}\n  step: ${f.step}\n  error: ${f.error}`).join('\n\n');
          expect.fail(`${failures.length} case(s) threw something other than a DosekitError:\n\n${report}`);
        }
        expect(stats.slowest.ms, `slowest case: ${stats.slowest.mutation}`).toBeLessThan(HANG_MS);
      },
      180_000,
    );
  }
});
