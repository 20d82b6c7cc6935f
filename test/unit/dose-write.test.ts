// SPDX-License-Identifier: BSD-3-Clause
// Summed and scaled doses written back as RT Dose: read back by dosekit (and by pydicom, an
// independent reader) with the same doses, new UIDs (file meta included) and the source's
// patient and study; written safely (never over an input or an existing file).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dcmjs from 'dcmjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DoseGrid } from '../../src/model/dose-grid.js';
import { examplePath } from '../helpers/examples.js';

let base: DoseGrid;
let sum: DoseGrid;
let folder: string;

beforeAll(async () => {
  base = await DoseGrid.fromFile(examplePath('rtdose_substitute.dcm'));
  const shifted = await DoseGrid.fromFile(examplePath('rtdose_shifted.dcm'));
  sum = await base.add(shifted, { weight: 0.5, backend: 'cpu' });
  folder = mkdtempSync(join(tmpdir(), 'dosekit-dose-write-'));
});

function naturalized(bytes: Uint8Array): { meta: Record<string, any>; dataset: Record<string, any> } {
  const message = dcmjs.data.DicomMessage.readFile(bytes.slice().buffer) as { meta: Record<string, any>; dict: Record<string, unknown> };
  return { meta: message.meta, dataset: dcmjs.data.DicomMetaDictionary.naturalizeDataset(message.dict) };
}

describe('RT Dose write-back', () => {
  it('reads back through dosekit with the same stored values and scaling', async () => {
    const back = await DoseGrid.fromBytes(await sum.toBytes(), 'sum.dcm');
    expect(back.doseGridScaling).toBe(sum.doseGridScaling);
    expect(back.pixels.length).toBe(sum.pixels.length);
    expect(back.pixels.every((p, i) => p === sum.pixels[i])).toBe(true);
    expect(back.geometry.originMm).toEqual(base.geometry.originMm);
    expect(Array.from(back.geometry.frameZMm)).toEqual(Array.from(base.geometry.frameZMm));
    expect(back.info.summationType).toBe('MULTI_PLAN');
    expect(back.info.sopInstanceUid).toBe(sum.info.sopInstanceUid);
  });

  it('has new SOP Instance (file meta too) and Series UIDs, the source patient and study, no stale DVHs, and references its inputs', async () => {
    const { meta, dataset } = naturalized(await sum.toBytes());
    const source = naturalized(readFileSync(examplePath('rtdose_substitute.dcm')));
    expect(dataset.SOPInstanceUID).not.toBe(source.dataset.SOPInstanceUID);
    expect(meta['00020003'].Value[0]).toBe(dataset.SOPInstanceUID);
    expect(dataset.SeriesInstanceUID).not.toBe(source.dataset.SeriesInstanceUID);
    for (const kept of ['PatientID', 'StudyInstanceUID', 'FrameOfReferenceUID']) expect(dataset[kept]).toEqual(source.dataset[kept]);
    expect(dataset.PatientName).toEqual(source.dataset.PatientName);
    expect(source.dataset.DVHSequence?.length).toBeGreaterThan(0);
    expect(dataset.DVHSequence).toBeUndefined();
    expect(dataset.BitsAllocated).toBe(32);
    expect(dataset.PixelRepresentation).toBe(0);
    expect(String(dataset.DoseComment)).toMatch(/^dosekit .*sum of 2 doses \(interpolated, order 1\)$/);
    expect(String(dataset.DoseComment).length).toBeLessThanOrEqual(64);
    expect(dataset.ContentDate).toMatch(/^\d{8}$/);
    expect(dataset.ReferencedInstanceSequence.map((item: any) => item.ReferencedSOPInstanceUID)).toEqual([base.info.sopInstanceUid, expect.any(String)]);
    expect(dataset.ReferencedRTPlanSequence[0].ReferencedSOPInstanceUID).toBe(base.info.referencedPlanUid);
  });

  it('uses the full unsigned range, rounding: the maximum is stored as 4294967295', () => {
    expect(sum.maxStoredValue).toBe(0xffffffff);
    expect(String(sum.doseGridScaling).length).toBeLessThanOrEqual(16);
  });

  it('saveDcm refuses an existing file and an input, and never touches them', async () => {
    const out = join(folder, 'sum.dcm');
    await sum.saveDcm(out);
    const first = readFileSync(out);
    await expect(sum.saveDcm(out)).rejects.toMatchObject({ code: 'E_OUTPUT_EXISTS' });
    expect(readFileSync(out).equals(first)).toBe(true);
    const input = join(folder, 'input.dcm');
    writeFileSync(input, readFileSync(examplePath('rtdose_substitute.dcm')));
    const copy = await DoseGrid.fromFile(input);
    const scaled = await copy.multiply(2);
    await expect(scaled.saveDcm(input, { force: true })).rejects.toMatchObject({ code: 'E_OUTPUT_IS_INPUT' });
    expect(readFileSync(input).equals(readFileSync(examplePath('rtdose_substitute.dcm')))).toBe(true);
    await sum.saveDcm(out, { force: true });
  });

  const python = '/usr/bin/python3';
  const hasPydicom = spawnSync(python, ['-c', 'import pydicom, numpy'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!hasPydicom && process.env.REQUIRE_PYDICOM !== '1')('reads back through pydicom with the same doses to within one scaling step', async () => {
    const out = join(folder, 'for-pydicom.dcm');
    await sum.saveDcm(out, { force: true });
    const script = [
      'import json, sys, pydicom, numpy',
      'ds = pydicom.dcmread(sys.argv[1])',
      'dose = ds.pixel_array.astype(numpy.float64) * float(ds.DoseGridScaling)',
      'print(json.dumps({"max": float(dose.max()), "sum": float(dose.sum()), "shape": list(dose.shape),',
      '  "probe": float(dose[40, 40, 142]), "uid": ds.SOPInstanceUID, "meta": ds.file_meta.MediaStorageSOPInstanceUID,',
      '  "type": ds.DoseSummationType, "bits": int(ds.BitsAllocated)}))',
    ].join('\n');
    const result = spawnSync(python, ['-c', script, out], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const read = JSON.parse(result.stdout);
    const step = sum.doseGridScaling;
    let total = 0;
    for (const p of sum.pixels) total += p * step;
    expect(read.shape).toEqual([98, 129, 194]);
    expect(Math.abs(read.max - sum.maxDoseGy)).toBeLessThanOrEqual(step);
    expect(Math.abs(read.probe - sum.doseGyAt(142, 40, 40))).toBeLessThanOrEqual(step);
    expect(Math.abs(read.sum - total) / total).toBeLessThan(1e-12);
    expect(read.uid).toBe(sum.info.sopInstanceUid);
    expect(read.meta).toBe(read.uid);
    expect(read.type).toBe('MULTI_PLAN');
    expect(read.bits).toBe(32);
  });
});
