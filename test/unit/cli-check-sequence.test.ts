// SPDX-License-Identifier: BSD-3-Clause
// `dosekit check` reads an RT Dose's DVH Sequence by its references, never by position: items that
// share an ROI, items without a reference, and cumulative curves that rise are reported, not compared.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { DVH } from '../../src/dvh/dvh.js';
import type { DicomDvhRecord } from '../../src/model/dicom-dvh.js';
import { type NaturalDataset, syntheticDoseDataset, syntheticStructureSetDataset, writeDataset } from '../helpers/dicom-writer.js';

const DOSE_GY = 2;
// Closed-form volumes of the structure set below under the precise algorithm (half-slice end caps):
// BODY 30 x 30 mm on 5 planes 2.5 mm apart, PTV 10 x 10 mm on 3 planes.
const BODY_CM3 = (30 * 30 * 5 * 2.5) / 1000;
const PTV_CM3 = (10 * 10 * 3 * 2.5) / 1000;

const dir = mkdtempSync(join(tmpdir(), 'dosekit-check-sequence-'));
const rtss = join(dir, 'rtss.dcm');
writeFileSync(
  rtss,
  writeDataset(
    syntheticStructureSetDataset([
      { number: 1, name: 'BODY', zMm: [-5, -2.5, 0, 2.5, 5], halfWidthMm: 15 },
      { number: 2, name: 'PTV', zMm: [-2.5, 0, 2.5], halfWidthMm: 5 },
    ]),
  ),
);

/** The cumulative DVH of `volumeCm3` all at the uniform 2 Gy: 0.1 Gy bins, full volume up to 2 Gy. */
function uniformCurve(volumeCm3: number): number[] {
  const data: number[] = [];
  for (let k = 0; k < 25; k += 1) data.push(0.1, k * 0.1 <= DOSE_GY + 1e-9 ? volumeCm3 : 0);
  return data;
}

interface Item {
  readonly roi?: number | readonly number[];
  readonly data: readonly number[];
  readonly type?: string;
}

/** A uniform 2 Gy RT Dose whose DVH Sequence holds `items`, written as a file; returns its path. */
function doseWith(name: string, items: readonly Item[]): string {
  const dataset = syntheticDoseDataset({ rows: 40, columns: 40, frames: 5, pixelSpacing: [1, 1], origin: [-20.5, -20.5, -5], bitsAllocated: 16, doseGridScaling: 1e-3, value: () => 2000 });
  dataset.DVHSequence = items.map((item): NaturalDataset => {
    const rois = item.roi === undefined ? [] : typeof item.roi === 'number' ? [item.roi] : item.roi;
    return {
      ...(item.roi === undefined ? {} : { DVHReferencedROISequence: rois.map((roi) => ({ ReferencedROINumber: roi, DVHROIContributionType: 'INCLUDED' })) }),
      DVHType: item.type ?? 'CUMULATIVE',
      DoseUnits: 'GY',
      DoseType: 'PHYSICAL',
      DVHDoseScaling: 1,
      DVHVolumeUnits: 'CM3',
      DVHNumberOfBins: item.data.length / 2,
      DVHData: [...item.data],
    };
  });
  const file = join(dir, name);
  writeFileSync(file, writeDataset(dataset));
  return file;
}

interface RoiJson {
  roi: number | null;
  name: string;
  pass: boolean;
  gammaPassRate: number | null;
  error?: { code: string; message: string };
}

async function check(rtdose: string): Promise<{ code: number; stderr: string; rois: RoiJson[] }> {
  let stdout = '';
  let stderr = '';
  const io = { stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t), isTerminal: false };
  const code = await main(['check', '--rtss', rtss, '--rtdose', rtdose, '--backend', 'cpu', '--format', 'json'], io);
  return { code, stderr, rois: stdout ? (JSON.parse(stdout) as { rois: RoiJson[] }).rois : [] };
}

describe('dosekit check: the DVH Sequence read by its references', () => {
  it('the right curves, each item referencing its own ROI: both ROIs pass (the baseline)', async () => {
    const result = await check(doseWith('right.dcm', [{ roi: 1, data: uniformCurve(BODY_CM3) }, { roi: 2, data: uniformCurve(PTV_CM3) }]));
    expect(result.rois.map((r) => [r.roi, r.name, r.pass])).toEqual([[1, 'BODY', true], [2, 'PTV', true]]);
    expect(result.code).toBe(0);
  });

  it('every item referencing ROI 1, with different curves: ROI 1 is an E_INVALID_DVH row naming the items, exit 3', async () => {
    const result = await check(doseWith('all-one.dcm', [{ roi: 1, data: uniformCurve(BODY_CM3) }, { roi: 1, data: uniformCurve(PTV_CM3) }]));
    expect(result.code).toBe(3);
    const body = result.rois.find((r) => r.roi === 1)!;
    expect(body.pass).toBe(false);
    expect(body.error?.code).toBe('E_INVALID_DVH');
    expect(body.error?.message).toMatch(/DVH Sequence items 1 and 2 both reference ROI 1 \(DVHReferencedROISequence\) with different curves; which one is ROI 1's cannot be told/);
  });

  it('two items referencing ROI 1 with the same curve: compared once, with a warning', async () => {
    const result = await check(doseWith('twice-same.dcm', [{ roi: 1, data: uniformCurve(BODY_CM3) }, { roi: 1, data: uniformCurve(BODY_CM3) }, { roi: 2, data: uniformCurve(PTV_CM3) }]));
    expect(result.rois.map((r) => [r.roi, r.pass])).toEqual([[1, true], [2, true]]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/warning: .*DVH Sequence items 1 and 2 both reference ROI 1 with the same curve; it is compared once/);
  });

  it('an item without DVHReferencedROISequence is a reported row (never matched by position), exit 3', async () => {
    const result = await check(doseWith('unreferenced.dcm', [{ roi: 1, data: uniformCurve(BODY_CM3) }, { data: uniformCurve(PTV_CM3) }]));
    expect(result.code).toBe(3);
    expect(result.rois.find((r) => r.roi === 1)?.pass).toBe(true);
    const orphan = result.rois.find((r) => r.roi === null)!;
    expect(orphan.name).toBe('DVH Sequence item 2');
    expect(orphan.error?.code).toBe('E_MISSING_ATTRIBUTE');
    expect(orphan.error?.message).toMatch(/item 2 has no DVHReferencedROISequence/);
  });

  it('a DVH Sequence whose only item has no reference: reported as that item, not "carries no DVHs", exit 3', async () => {
    const result = await check(doseWith('only-orphan.dcm', [{ data: uniformCurve(BODY_CM3) }]));
    expect(result.code).toBe(3);
    expect(result.rois.map((r) => [r.roi, r.name, r.error?.code])).toEqual([[null, 'DVH Sequence item 1', 'E_MISSING_ATTRIBUTE']]);
  });

  it('an item referencing two ROIs (a combination DVH) is reported, not compared with the first ROI', async () => {
    const result = await check(doseWith('combination.dcm', [{ roi: 1, data: uniformCurve(BODY_CM3) }, { roi: [2, 1], data: uniformCurve(BODY_CM3) }]));
    expect(result.code).toBe(3);
    expect(result.rois.map((r) => r.roi)).toEqual([1, null]);
    expect(result.rois[1].error?.message).toMatch(/item 2 references 2 ROIs \(2, 1\)/);
  });

  it('a cumulative curve that rises with dose (0.5 %, within the gamma tolerance) is E_INVALID_DVH for that ROI only', async () => {
    const rising = uniformCurve(PTV_CM3);
    rising[2 * 10 + 1] = PTV_CM3 * 1.005;
    const result = await check(doseWith('rising.dcm', [{ roi: 1, data: uniformCurve(BODY_CM3) }, { roi: 2, data: rising }]));
    expect(result.code).toBe(3);
    expect(result.rois.find((r) => r.roi === 1)?.pass).toBe(true);
    const ptv = result.rois.find((r) => r.roi === 2)!;
    expect(ptv.error?.code).toBe('E_INVALID_DVH');
    expect(ptv.error?.message).toMatch(/cumulative DVH for ROI 2 rises with dose: 0\.75 cm3 at 0\.9 Gy, then 0\.75375 cm3 at 1 Gy/);
  });
});

describe('dosekit check: how the structures were read is said', () => {
  it('a structure set whose contours are all written twice: compared once each (precise), with the warning on standard error', async () => {
    const dataset = syntheticStructureSetDataset([{ number: 2, name: 'PTV', zMm: [-2.5, 0, 2.5], halfWidthMm: 5 }]);
    const item = (dataset.ROIContourSequence as NaturalDataset[])[0];
    item.ContourSequence = [...(item.ContourSequence as NaturalDataset[]), ...(item.ContourSequence as NaturalDataset[])];
    const twice = join(dir, 'rtss-twice.dcm');
    writeFileSync(twice, writeDataset(dataset));
    let stdout = '';
    let stderr = '';
    const io = { stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t), isTerminal: false };
    const code = await main(['check', '--rtss', twice, '--rtdose', doseWith('ptv.dcm', [{ roi: 2, data: uniformCurve(PTV_CM3) }]), '--backend', 'cpu', '--format', 'json'], io);
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { rois: RoiJson[] }).rois.map((r) => [r.roi, r.pass])).toEqual([[2, true]]);
    expect(stderr).toMatch(/^warning: .*rtss-twice\.dcm: ROI 2 "PTV": 3 contours repeat another contour of the same plane/m);
  });
});

describe('DVH.fromDicomDvh: a cumulative curve must not rise', () => {
  const record = (counts: readonly number[], type = 'CUMULATIVE'): DicomDvhRecord => ({
    referencedRoiNumber: 7,
    type,
    doseUnits: 'GY',
    doseType: 'PHYSICAL',
    doseScaling: 1,
    volumeUnits: 'CM3',
    numberOfBins: counts.length,
    data: Float64Array.from(counts.flatMap((v) => [1, v])),
  });

  it('a rise beyond rounding is E_INVALID_DVH naming the ROI and the bins', () => {
    expect(() => DVH.fromDicomDvh([record([10, 8, 8.5, 2, 0])], 7)).toThrow(/cumulative DVH for ROI 7 rises with dose: 8 cm3 at 1 Gy, then 8\.5 cm3 at 2 Gy/);
    try {
      DVH.fromDicomDvh([record([10, 8, 8.5, 2, 0])], 7);
    } catch (error) {
      expect((error as { code: string }).code).toBe('E_INVALID_DVH');
    }
  });

  it('rounding-level wiggles and differential curves are accepted', () => {
    expect(DVH.fromDicomDvh([record([10, 8, 8 * (1 + 1e-12), 2, 0])], 7).volume).toBeCloseTo(10, 9);
    expect(DVH.fromDicomDvh([record([1, 3, 2, 0], 'DIFFERENTIAL')], 7).volume).toBe(6);
  });
});
