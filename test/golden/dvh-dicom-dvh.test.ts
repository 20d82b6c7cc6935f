// SPDX-License-Identifier: BSD-3-Clause
// DVH.fromDicomDvh fed by the real DicomParser (src/dicom/parser.ts) on examples/rtdose_substitute.dcm,
// checked against dicompyler-core's from_dicom_dvh outputs (test/golden/fixtures/dcc-dvh-reference.json,
// section dicom_dvh). This is the end-to-end twin of the records-based checks in dvh-dcc-parity.test.ts.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { DicomParser } from '../../src/dicom/parser.js';
import { DVH } from '../../src/dvh/index.js';

interface FileRoiReference {
  volume: number;
  min: number;
  max: number;
  mean: number;
  describe: string;
  cumulative_counts: number[];
  [statistic: string]: unknown;
}

const reference = JSON.parse(readFileSync(new URL('./fixtures/dcc-dvh-reference.json', import.meta.url), 'utf8')) as {
  dicom_dvh: Record<string, FileRoiReference | string>;
};
const rois = Object.entries(reference.dicom_dvh).filter((e): e is [string, FileRoiReference] => typeof e[1] === 'object');
const rtdosePath = fileURLToPath(new URL('../../examples/rtdose_substitute.dcm', import.meta.url));

function expectClose(actual: number, expected: number, what: string): void {
  if (!(Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)))) throw new Error(`${what}: got ${actual}, expected ${expected}`);
}

describe('DVH.fromDicomDvh(DicomParser) on examples/rtdose_substitute.dcm', () => {
  let parser: DicomParser;
  beforeAll(async () => {
    parser = await DicomParser.fromFile(rtdosePath);
  });

  it('finds a DVH for every ROI dicompyler-core read, and none for the empty Areola (ROI 2)', () => {
    expect(parser.getDVHs().map((r) => r.referencedRoiNumber).sort((a, b) => a - b)).toEqual(rois.map(([roi]) => Number(roi)).sort((a, b) => a - b));
    let error: unknown;
    try {
      DVH.fromDicomDvh(parser, 2);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'E_NO_DVH' });
    expect((error as Error).message).toContain('ROI 2');
    expect((error as Error).message).toContain('1, 3, 4, 5, 6, 7, 8, 9, 10');
  });

  for (const [roi, ref] of rois) {
    it(`ROI ${roi}: counts, statistics and describe() match from_dicom_dvh`, () => {
      const dvh = DVH.fromDicomDvh(parser, Number(roi), { lookup: 'dicompyler', rxDose: 14 });
      expect(Array.from(dvh.counts)).toEqual(ref.cumulative_counts);
      expectClose(dvh.volume, ref.volume, 'volume');
      expectClose(dvh.max, ref.max, 'max');
      expectClose(dvh.min, ref.min, 'min');
      expectClose(dvh.mean, ref.mean, 'mean');
      for (const name of ['D100', 'D98', 'D95', 'D50', 'D2', 'D2cc', 'D0.03cc', 'V1Gy', 'V5Gy', 'V10Gy', 'V13Gy', 'V14Gy']) {
        expectClose(dvh.statistic(name).value, ref[name] as number, name);
      }
      expectClose(dvh.statistic('V95').value, ref.V95_rx14Gy_pct_dose as number, 'V95 (rx 14 Gy)');
      expect(dvh.with({ rxDose: undefined }).describe()).toBe(ref.describe);
    });
  }

  it('compare(): heart TPS DVH against itself renamed gives zero differences', () => {
    const heart = DVH.fromDicomDvh(parser, 5, { name: 'Heart', lookup: 'dicompyler' });
    const rows = heart.compare(heart.with({ name: 'Heart (copy)' })).rows;
    expect(rows.every((r) => r.absDiff === 0 && r.relDiffPct === 0)).toBe(true);
  });
});
