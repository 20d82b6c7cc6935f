// SPDX-License-Identifier: BSD-3-Clause
// DVHs written back into an RT Dose (withDvhSequence, `dosekit dvh --write-rtdose`): read back by
// dosekit and by pydicom (an independent reader) with the same curves and numbers, the pixel data
// byte for byte unchanged, a new SOP Instance UID (file meta too), written safely.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DicomParser } from '../../src/dicom/parser.js';
import { withDvhSequence } from '../../src/dicom/write-dvh-sequence.js';
import { type DvhCalculationResult, calculateDvhs } from '../../src/dvh/calculate.js';
import { DVH } from '../../src/dvh/dvh.js';
import { VERSION } from '../../src/version.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { TransferSyntax, encodeDataset, naturalize as naturalizeBytes, pixelDataBytes, readDicomDict, rewriteWithTransferSyntax, transferSyntaxOf } from '../helpers/dicom-writer.js';
import { exampleBytes, examplePath } from '../helpers/examples.js';

const source = exampleBytes('rtdose_substitute.dcm');
let result: DvhCalculationResult;
let rtssUid: string;
let written: Uint8Array;
let folder: string;

beforeAll(async () => {
  const rtss = DicomParser.fromBytes(exampleBytes('rtss.dcm'), 'rtss.dcm');
  rtssUid = rtss.getSOPInstanceUID();
  result = await calculateDvhs(rtss, DicomParser.fromBytes(source), { backend: 'cpu' });
  written = withDvhSequence(source, result.dvhs, { referencedStructureSetUid: rtssUid });
  folder = mkdtempSync(join(tmpdir(), 'dosekit-dvh-write-'));
});

/** The naturalized meta and dataset, loosely typed for reading nested sequences in assertions. */
function naturalize(bytes: Uint8Array): { meta: Record<string, any>; dataset: Record<string, any> } {
  return naturalizeBytes(bytes) as { meta: Record<string, any>; dataset: Record<string, any> };
}

/** |a − b| within what a 16-character DS keeps (about 11 significant digits at worst) of `scale`. */
function expectDs(actual: number, expected: number, scale: number, what: string): void {
  if (!(Math.abs(actual - expected) <= 1e-10 * Math.max(scale, Math.abs(expected)))) throw new Error(`${what}: got ${actual}, expected ${expected}`);
}

describe('withDvhSequence', () => {
  it('reads back through DVH.fromDicomDvh with the same curve for every ROI', () => {
    const parser = DicomParser.fromBytes(written);
    expect(result.dvhs.map((d) => d.roi)).toEqual([1, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(parser.getDVHs().map((r) => r.referencedRoiNumber)).toEqual([1, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const { roi, dvh } of result.dvhs) {
      const back = DVH.fromDicomDvh(parser, roi);
      const counts = dvh.counts;
      const bins = dvh.bins;
      let last = counts.length - 1;
      while (last > 0 && counts[last] === 0) last--;
      expect(back.numBins, `ROI ${roi} bins`).toBe(last + 1);
      back.counts.forEach((c, i) => expectDs(c, counts[i]!, 1e-6, `ROI ${roi} counts[${i}]`));
      back.bins.forEach((b, i) => expectDs(b, bins[i]!, 1, `ROI ${roi} bins[${i}]`));
      expectDs(back.volume, dvh.volume, 1, `ROI ${roi} volume`);
      // The curve alone carries no exact extremes: its mean is the bin-centre mean of the same curve
      // (DVHMeanDose, below, keeps the calculated one).
      expectDs(back.mean, new DVH({ counts: dvh.counts, bins: dvh.bins, type: dvh.type }).mean, 1, `ROI ${roi} mean`);
      const record = parser.getDVHs().find((r) => r.referencedRoiNumber === roi)!;
      expect(record).toMatchObject({ type: 'CUMULATIVE', doseUnits: 'GY', doseType: 'PHYSICAL', doseScaling: 1, volumeUnits: 'CM3', numberOfBins: last + 1 });
      expectDs(record.minimumDose!, dvh.min, 1, 'DVHMinimumDose');
      expectDs(record.maximumDose!, dvh.max, 1, 'DVHMaximumDose');
      expectDs(record.meanDose!, dvh.mean, 1, 'DVHMeanDose');
      // The written curve is the calculated one: DVH-gamma 0 to rounding.
      expect(dvh.compare(back).gamma.maxGamma).toBeLessThan(1e-6);
    }
  });

  it('keeps the pixel data byte for byte and everything but the DVHs and the instance', () => {
    const before = readDicomDict(source);
    const after = readDicomDict(written);
    expect(Buffer.compare(pixelDataBytes(after.dict), pixelDataBytes(before.dict))).toBe(0);
    const old = naturalize(source).dataset;
    const { meta, dataset } = naturalize(written);
    expect(dataset.SOPInstanceUID).not.toBe(old.SOPInstanceUID);
    expect(meta.MediaStorageSOPInstanceUID).toBe(dataset.SOPInstanceUID);
    expect(dataset.SOPClassUID).toBe(old.SOPClassUID);
    for (const kept of ['SeriesInstanceUID', 'StudyInstanceUID', 'FrameOfReferenceUID', 'PatientID', 'DoseGridScaling', 'Rows', 'Columns', 'NumberOfFrames', 'DoseComment']) {
      expect(dataset[kept], kept).toEqual(old[kept]);
    }
    expect(dataset.GridFrameOffsetVector).toEqual(old.GridFrameOffsetVector);
    expect(dataset.ImagePositionPatient).toEqual(old.ImagePositionPatient);
    expect(dataset.ReferencedStructureSetSequence[0].ReferencedSOPInstanceUID).toBe(rtssUid);
    expect(old.DVHNormalizationDoseValue).toBe(14);
    expect(dataset.DVHNormalizationDoseValue).toBeUndefined();
    const contribution = dataset.ContributingEquipmentSequence.at(-1);
    expect(contribution.ContributionDescription).toBe(`DVH Sequence calculated by dosekit ${VERSION}, precise algorithm`);
    expect(contribution.PurposeOfReferenceCodeSequence[0]).toMatchObject({ CodeValue: '109103', CodingSchemeDesignator: 'DCM' });
    expect(dataset.DVHSequence[0].DVHReferencedROISequence[0]).toMatchObject({ ReferencedROINumber: 1, DVHROIContributionType: 'INCLUDED' });
  });

  it('writes implicit VR when a DVHData list exceeds 64 KiB, explicit VR otherwise; both read back', () => {
    expect(transferSyntaxOf(written)).toBe(TransferSyntax.ImplicitVRLittleEndian);
    const small = withDvhSequence(source, [{ roi: 5, dvh: new DVH({ counts: [10, 5, 1], bins: [0, 1, 2, 3] }) }, { roi: 3, dvh: new DVH({ counts: [2], bins: [0, 0.5] }) }], {
      normalizationDoseGy: 14,
      algorithm: 'hand-made',
    });
    expect(transferSyntaxOf(small)).toBe(TransferSyntax.ExplicitVRLittleEndian);
    const parser = DicomParser.fromBytes(small);
    expect(Array.from(DVH.fromDicomDvh(parser, 5).counts)).toEqual([10, 5, 1]);
    expect(Array.from(DVH.fromDicomDvh(parser, 5).bins)).toEqual([0, 1, 2, 3]);
    const { dataset } = naturalize(small);
    expect(dataset.DVHNormalizationDoseValue).toBe(14);
    expect(dataset.ContributingEquipmentSequence.at(-1).ContributionDescription).toBe(`DVH Sequence calculated by dosekit ${VERSION}, hand-made algorithm`);
    expect(Buffer.compare(pixelDataBytes(readDicomDict(small).dict), pixelDataBytes(readDicomDict(source).dict))).toBe(0);
  });

  it('converts cGy and relative-dose DVHs to Gy; long lists are fast', () => {
    const n = 80_000;
    const dvh = new DVH({ counts: Array.from({ length: n }, (_, i) => 100 * (1 - i / n)), bins: Array.from({ length: n + 1 }, (_, i) => i * 0.1), doseUnits: 'cGy' });
    const started = performance.now();
    const bytes = withDvhSequence(source, [{ roi: 4, dvh }, { roi: 9, dvh: dvh.relativeDose(80) }]);
    expect(performance.now() - started).toBeLessThan(10_000);
    const parser = DicomParser.fromBytes(bytes);
    for (const roi of [4, 9]) {
      const back = DVH.fromDicomDvh(parser, roi);
      expect(back.numBins).toBe(n);
      expect(back.bins[n]).toBeCloseTo(80, 9);
      expect(back.counts[n - 1]).toBeCloseTo(100 / n, 12);
    }
  });

  it('reads explicit VR and deflated inputs (pixels unchanged), and refuses what it cannot write', () => {
    for (const syntax of [TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.DeflatedExplicitVRLittleEndian]) {
      const input = rewriteWithTransferSyntax(source, syntax);
      const out = withDvhSequence(input, result.dvhs.slice(3, 4));
      expect(Buffer.compare(pixelDataBytes(readDicomDict(out).dict), pixelDataBytes(readDicomDict(source).dict))).toBe(0);
    }
    const big = rewriteWithTransferSyntax(source, TransferSyntax.ExplicitVRBigEndian);
    expect(() => withDvhSequence(big, result.dvhs)).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED_TRANSFER_SYNTAX' }));
    expect(() => withDvhSequence(exampleBytes('rtss.dcm'), result.dvhs)).toThrow(expect.objectContaining({ code: 'E_NOT_RTDOSE' }));
    expect(() => withDvhSequence(source, [])).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    expect(() => withDvhSequence(source, [{ roi: 5, dvh: result.dvhs[3]!.dvh.relativeVolume }])).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    expect(() => withDvhSequence(source, result.dvhs, { normalizationDoseGy: -1 })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    const { meta, dict } = readDicomDict(source);
    delete dict['300C0060'];
    const unreferenced = encodeDataset(meta, dict, TransferSyntax.ExplicitVRLittleEndian);
    const error = (() => {
      try {
        withDvhSequence(unreferenced, result.dvhs, { file: 'dose.dcm' });
      } catch (e) {
        return e as Error & { code: string };
      }
      throw new Error('no error');
    })();
    expect(error.code).toBe('E_INVALID_ARGUMENT');
    expect(error.message).toContain('referencedStructureSetUid');
    expect(() => withDvhSequence(unreferenced, result.dvhs, { referencedStructureSetUid: rtssUid })).not.toThrow();
  });

  const python = '/usr/bin/python3';
  const hasPydicom = spawnSync(python, ['-c', 'import pydicom, numpy'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!hasPydicom && process.env.REQUIRE_PYDICOM !== '1')('reads back through pydicom with the same DVHData pairs, min/max/mean and pixels', () => {
    const out = join(folder, 'with-dvhs.dcm');
    writeFileSync(out, written);
    const script = [
      'import json, sys, pydicom',
      'ds = pydicom.dcmread(sys.argv[1])',
      'src = pydicom.dcmread(sys.argv[2])',
      'print(json.dumps({"uid": ds.SOPInstanceUID, "meta": ds.file_meta.MediaStorageSOPInstanceUID,',
      '  "samePixels": ds.PixelData == src.PixelData, "shape": list(ds.pixel_array.shape),',
      '  "dvhs": [{"roi": int(d.DVHReferencedROISequence[0].ReferencedROINumber), "type": d.DVHType, "units": d.DoseUnits,',
      '    "volumeUnits": d.DVHVolumeUnits, "scaling": float(d.DVHDoseScaling), "bins": int(d.DVHNumberOfBins),',
      '    "data": [float(v) for v in d.DVHData], "min": float(d.DVHMinimumDose), "max": float(d.DVHMaximumDose), "mean": float(d.DVHMeanDose)}',
      '    for d in ds.DVHSequence]}))',
    ].join('\n');
    const run = spawnSync(python, ['-c', script, out, examplePath('rtdose_substitute.dcm')], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    expect(run.stderr).toBe('');
    const read = JSON.parse(run.stdout);
    expect(read.meta).toBe(read.uid);
    expect(read.samePixels).toBe(true);
    expect(read.shape).toEqual([98, 129, 194]);
    const records = DicomParser.fromBytes(written).getDVHs();
    expect(read.dvhs.map((d: { roi: number }) => d.roi)).toEqual(records.map((r) => r.referencedRoiNumber));
    read.dvhs.forEach((d: { roi: number; data: number[]; bins: number; min: number; max: number; mean: number }, i: number) => {
      const record = records[i]!;
      const dvh = result.dvhs.find((r) => r.roi === d.roi)!.dvh;
      expect(d).toMatchObject({ type: 'CUMULATIVE', units: 'GY', volumeUnits: 'CM3', scaling: 1, bins: record.numberOfBins });
      // Python's float() and JavaScript's Number() read the same decimal text to the same double.
      expect(d.data).toEqual(Array.from(record.data));
      expect([d.min, d.max, d.mean]).toEqual([record.minimumDose, record.maximumDose, record.meanDose]);
      expectDs(d.mean, dvh.mean, 1, 'mean');
      expectDs(d.max, dvh.max, 1, 'max');
    });
  });
});

describe('the README example', () => {
  it('writes the example RT Dose with dosekit’s DVHs', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const code = /<!-- readme-example:dvh-write-back -->\s*```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
    const file = join(mkdtempSync(join(ROOT, 'test-artifacts', 'readme-write-back-')), 'example.mjs');
    writeFileSync(file, code!);
    const run = spawnSync(process.execPath, [file], { cwd: ROOT, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const parser = DicomParser.fromBytes(readFileSync(join(ROOT, 'dosekit-output', 'rtdose-with-dvhs.dcm')));
    expect(parser.getDVHs().length).toBe(9);
  });
});

describe('dosekit dvh --write-rtdose', () => {
  it('writes the RT Dose with the DVHs, refuses an existing file without --force and an input always', () => {
    const out = join(folder, 'cli.dcm');
    const args = ['dvh', '--rtss', 'examples/rtss.dcm', '--rtdose', 'examples/rtdose_substitute.dcm', '--backend', 'cpu', '--algorithm', 'dicompyler', '--format', 'csv', '--write-rtdose', out];
    const first = runCli(args);
    expect(first.code).toBe(2); // the empty Areola has no DVH
    expect(first.stderr).toContain(`wrote ${out} (9 DVHs in its DVH Sequence)`);
    const { dataset } = naturalize(readFileSync(out));
    expect(dataset.DVHSequence.map((d: any) => d.DVHReferencedROISequence[0].ReferencedROINumber)).toEqual([1, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(dataset.ContributingEquipmentSequence.at(-1).ContributionDescription).toContain('dicompyler algorithm');
    const again = runCli(args);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('E_OUTPUT_EXISTS');
    expect(runCli([...args, '--force']).code).toBe(2);
    const intoInput = runCli([...args.slice(0, -1), 'examples/rtdose_substitute.dcm', '--force']);
    expect(intoInput.code).toBe(1);
    expect(intoInput.stderr).toContain('E_OUTPUT_IS_INPUT');
    expect(intoInput.stdout).toBe(''); // refused before any calculation
    expect(existsSync(out)).toBe(true);
  });
});
