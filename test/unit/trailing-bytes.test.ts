// SPDX-License-Identifier: BSD-3-Clause
/**
 * What follows the DICOM data of a file, and element lengths that do not fit:
 * - zero bytes after the last element (padding, which pydicom reads through) are ignored with a
 *   W_TRAILING_PADDING warning, quickly, whatever their number, and the data reads the same;
 * - anything else after the last element, a length running past the end of the file or of its
 *   item, and sequences nested too deep are E_MALFORMED_DICOM naming the byte offset.
 * Expected doses come from the synthetic pixel values (stored value x DoseGridScaling).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDicomHeader } from '../../src/dicom/header.js';
import { DicomParser } from '../../src/dicom/parser.js';
import { DosekitError } from '../../src/errors.js';
import { dosekitError, appendBytes as append } from '../helpers/errors.js';
import { TransferSyntax, makeSyntheticDose, metaEnd, writeDataset } from '../helpers/dicom-writer.js';
import { runCli } from '../helpers/cli.js';
import { exampleBytes, examplePath } from '../helpers/examples.js';

const ROWS = 12;
const COLUMNS = 16;
const FRAMES = 5;
/** Stored value of voxel (c, r, f): distinct everywhere, largest at the last voxel. */
const stored = (c: number, r: number, f: number): number => 1000 * (f + 1) + 10 * r + c;
const SCALING = 2e-5;
/** 5000 + 110 + 15 = 5125 stored, x 2e-5. */
const MAX_GY = 5125 * SCALING;
const MIB = 2 ** 20;

const dir = mkdtempSync(join(tmpdir(), 'dosekit-trailing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function dose(syntax: string): Uint8Array {
  return makeSyntheticDose({ rows: ROWS, columns: COLUMNS, frames: FRAMES, bitsAllocated: 32, doseGridScaling: SCALING, value: stored }, () => {}, syntax);
}

/** The dose read checks: maximum, one voxel, one padding warning naming the byte count. */
function expectDoseReadWithPadding(parser: DicomParser, padding: number): void {
  const grid = parser.toDoseGrid();
  expect(grid.maxDoseGy).toBeCloseTo(MAX_GY, 12);
  expect(grid.pixels[(1 * ROWS + 2) * COLUMNS + 3]).toBe(stored(3, 2, 1));
  expect(grid.pixels.length).toBe(ROWS * COLUMNS * FRAMES);
  const padding_ = parser.warnings.filter((w) => w.code === 'W_TRAILING_PADDING');
  expect(padding_).toHaveLength(1);
  expect(padding_[0].message).toContain(`${padding} zero bytes`);
  expect(padding_[0].message).toContain(parser.source);
}

describe('zero padding after the DICOM data', () => {
  const syntaxes = [TransferSyntax.ImplicitVRLittleEndian, TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ExplicitVRBigEndian];
  for (const syntax of syntaxes) {
    it(`an RT Dose (${syntax}) + 1, 7, 8, 4096, 1 MiB and 1 MiB + 3 zero bytes reads the same, with a warning`, () => {
      const base = dose(syntax);
      for (const padding of [1, 7, 8, 4096, MIB, MIB + 3]) {
        expectDoseReadWithPadding(DicomParser.fromBytes(append(base, padding), `padded-${padding}.dcm`), padding);
      }
      // Without padding: no warning.
      expect(DicomParser.fromBytes(base, 'plain.dcm').warnings.filter((w) => w.code === 'W_TRAILING_PADDING')).toEqual([]);
    });
  }

  it('an RT Dose file + 50 MiB of zeros: read through fromFile, the same values, fast', async () => {
    const path = join(dir, 'padded-50M.dcm');
    writeFileSync(path, append(dose(TransferSyntax.ImplicitVRLittleEndian), 50 * MIB));
    const started = performance.now();
    const parser = await DicomParser.fromFile(path);
    expectDoseReadWithPadding(parser, 50 * MIB);
    // Generous: it took over a minute for 200 MB before.
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('an RT Structure Set, an RT Plan and a CT image + 1 MiB of zeros read as without it', () => {
    for (const name of ['rtss.dcm', 'rtplan.dcm', 'ct.0.dcm']) {
      const base = exampleBytes(name);
      const plain = DicomParser.fromBytes(base, name);
      const padded = DicomParser.fromBytes(append(base, MIB), name);
      expect(padded.warnings.filter((w) => w.code === 'W_TRAILING_PADDING').map((w) => w.message)).toEqual([`${name}: ${MIB} zero bytes after the end of the DICOM data (byte ${base.length}) were ignored as padding.`]);
      if (name === 'rtss.dcm') {
        const points = (p: DicomParser) => p.toStructureSet().rois.map((roi) => [roi.name, roi.planes.reduce((n, plane) => n + plane.contours.reduce((m, c) => m + c.pointCount, 0), 0)]);
        expect(points(padded)).toEqual(points(plain));
      } else if (name === 'rtplan.dcm') {
        expect(padded.getPlan()).toEqual(plain.getPlan());
        expect(padded.toPlan().beams.length).toBe(plain.toPlan().beams.length);
      } else {
        expect(Array.from(padded.toImage().pixels)).toEqual(Array.from(plain.toImage().pixels));
      }
    }
  });
});

describe('bytes after the DICOM data that are not zero padding', () => {
  const base = dose(TransferSyntax.ImplicitVRLittleEndian);
  const tails: [string, Uint8Array][] = [
    ['text', new TextEncoder().encode('appended by a broken copy\n')],
    ['0xFF bytes', new Uint8Array(64).fill(0xff)],
    ['one non-zero byte', Uint8Array.of(0x01)],
    ['1 MiB of zeros then one non-zero byte', append(new Uint8Array(MIB), Uint8Array.of(0x2a))],
    ['a second copy of the file', base],
  ];
  for (const [label, tail] of tails) {
    it(`${label}: E_MALFORMED_DICOM naming where the data ends`, () => {
      const error = dosekitError(() => DicomParser.fromBytes(append(base, tail), 'appended.dcm').toDoseGrid());
      expect(error.code).toBe('E_MALFORMED_DICOM');
      expect(error.message).toContain('appended.dcm');
      expect(error.message).toContain(`at byte ${base.length}`);
      expect(error.message).toContain('zero padding');
    });
  }
});

describe('lengths that do not fit and sequences nested too deep', () => {
  it('an RT Structure Set or RT Plan cut short: E_MALFORMED_DICOM, never read as if whole', () => {
    for (const name of ['rtss.dcm', 'rtplan.dcm']) {
      const base = exampleBytes(name);
      for (const cut of [1, 2, 1000, Math.floor(base.length / 2)]) {
        const error = dosekitError(() => {
          const parser = DicomParser.fromBytes(base.subarray(0, base.length - cut), name);
          if (name === 'rtss.dcm') parser.toStructureSet();
          else parser.toPlan();
        });
        expect(error.code, `${name} - ${cut}`).toBe('E_MALFORMED_DICOM');
        expect(error.message).toMatch(/at byte \d+/);
      }
    }
  });

  /** Explicit VR little endian: an RT Plan whose only content is `depth` nested sequences. */
  function nested(depth: number): Uint8Array {
    const meta = writeDataset({ SOPClassUID: '1.2.840.10008.5.1.4.1.1.481.5', SOPInstanceUID: '1.2.3' }, TransferSyntax.ExplicitVRLittleEndian);
    const head = meta.subarray(0, metaEnd(meta));
    const uid = '1.2.840.10008.5.1.4.1.1.481.5\0';
    const sopClass = [0x08, 0x00, 0x16, 0x00, 0x55, 0x49, uid.length, 0, ...Array.from(uid, (c) => c.charCodeAt(0))];
    const open = [0x08, 0x00, 0x15, 0x11, 0x53, 0x51, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff];
    const close = [0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0, 0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0];
    const body = new Uint8Array(sopClass.length + depth * (open.length + close.length));
    body.set(sopClass);
    for (let k = 0; k < depth; k += 1) {
      body.set(open, sopClass.length + k * open.length);
      body.set(close, sopClass.length + depth * open.length + k * close.length);
    }
    return append(head, body);
  }

  it('the header reader (batch) on sequences nested 100 000 deep: E_MALFORMED_DICOM, not a stack overflow', () => {
    expect(readDicomHeader(nested(10), 'nested.dcm')?.sopClass).toBe('rtplan');
    const error = dosekitError(() => readDicomHeader(nested(100_000), 'nested.dcm'));
    expect(error.code).toBe('E_MALFORMED_DICOM');
    expect(error.message).toContain('nested more than 64 deep');
  });

  it('sequences nested 10 deep read; 65 or 100 000 deep: E_MALFORMED_DICOM, fast', () => {
    expect(DicomParser.fromBytes(nested(10), 'nested.dcm').getSOPClassUID()).toBe('rtplan');
    for (const depth of [65, 100_000]) {
      const started = performance.now();
      const error = dosekitError(() => DicomParser.fromBytes(nested(depth), 'nested.dcm'));
      expect(error.code).toBe('E_MALFORMED_DICOM');
      expect(error.message).toContain('nested more than 64 deep');
      expect(performance.now() - started).toBeLessThan(10_000);
    }
  });
});

describe('the CLI says what it passed over (built bin)', () => {
  it('dosekit info and dosekit dvh on an RT Dose + 1 MiB of zeros: the same result, a warning on stderr', () => {
    const path = join(dir, 'cli-padded.dcm');
    writeFileSync(path, append(exampleBytes('rtdose_substitute.dcm'), MIB));
    const info = runCli(['info', path, '--json']);
    expect(info.code, info.stderr).toBe(0);
    const plain = runCli(['info', examplePath('rtdose_substitute.dcm'), '--json']);
    expect(JSON.parse(info.stdout).dose).toEqual(JSON.parse(plain.stdout).dose);
    const expected = `${path}: ${MIB} zero bytes after the end of the DICOM data (byte ${exampleBytes('rtdose_substitute.dcm').length}) were ignored as padding.`;
    expect(JSON.parse(info.stdout).warnings).toContain(expected);
    expect(runCli(['info', path]).stderr).toContain(`warning: ${expected}`);
    const dvh = runCli(['dvh', '--rtss', examplePath('rtss.dcm'), '--rtdose', path, '--roi', '1', '--format', 'csv']);
    expect(dvh.code, dvh.stderr).toBe(0);
    expect(dvh.stderr).toContain(`warning: ${expected}`);
    const plainDvh = runCli(['dvh', '--rtss', examplePath('rtss.dcm'), '--rtdose', examplePath('rtdose_substitute.dcm'), '--roi', '1', '--format', 'csv']);
    expect(dvh.stdout.replaceAll(path, 'DOSE')).toEqual(plainDvh.stdout.replaceAll(examplePath('rtdose_substitute.dcm'), 'DOSE'));
  });
});
