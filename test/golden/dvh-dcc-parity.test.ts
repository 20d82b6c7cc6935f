// SPDX-License-Identifier: BSD-3-Clause
// Parity of the DVH class (lookup 'dicompyler') with dicompyler-core 0.5.7 / 0d5729d.
// Expected values: test/golden/fixtures/dcc-dvh-reference.json (a verbatim subset of
// shared/reference/dcc-reference.json; see the README there). Raw DICOM DVH items:
// test/golden/fixtures/rtdose-substitute-dvh-records.json (read from examples/rtdose_substitute.dcm).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DVH } from '../../src/dvh/index.js';
import type { DicomDvhRecord } from '../../src/model/dicom-dvh.js';

interface RoiReference {
  name: string | null;
  notes: string | null;
  dvh_type: string;
  dose_units: string;
  volume_units: string;
  num_bins: number;
  bins_first: number;
  bins_last: number;
  volume: number;
  min: number;
  max: number;
  mean: number;
  describe: string;
  cumulative_counts: number[];
  relative_volume_D95_pct: number;
  [statistic: string]: unknown;
}

function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

const reference = fixture<{ 'dvhcalc.default': Record<string, RoiReference>; dicom_dvh: Record<string, RoiReference | string> }>('dcc-dvh-reference.json');
const records: DicomDvhRecord[] = fixture<{ records: (Omit<DicomDvhRecord, 'data'> & { data: number[] })[] }>(
  'rtdose-substitute-dvh-records.json',
).records.map((r) => ({ ...r, data: Float64Array.from(r.data) }));

const calc = reference['dvhcalc.default'];
const fileRois = Object.entries(reference.dicom_dvh).filter((e): e is [string, RoiReference] => typeof e[1] === 'object');
const text = (key: string): string => reference.dicom_dvh[key] as string;

const D_NAMES = ['D100', 'D98', 'D95', 'D50', 'D2', 'D2cc', 'D0.03cc'];
const V_GY = ['V1Gy', 'V5Gy', 'V10Gy', 'V13Gy', 'V14Gy'];
const V_RX: [string, string][] = [
  ['V100', 'V100_rx14Gy_pct_dose'],
  ['V95', 'V95_rx14Gy_pct_dose'],
  ['V50', 'V50_rx14Gy_pct_dose'],
];

function expectClose(actual: number, expected: number, what: string): void {
  const tolerance = 1e-9 * Math.max(1, Math.abs(expected));
  if (!(Math.abs(actual - expected) <= tolerance)) {
    throw new Error(`${what}: got ${actual}, dicompyler-core gives ${expected}`);
  }
}

/** Every statistic the reference records for one ROI. */
function checkStatistics(dvh: DVH, ref: RoiReference, roi: string): void {
  expect(dvh.numBins).toBe(ref.num_bins);
  expectClose(dvh.volume, ref.volume, `ROI ${roi} volume`);
  expectClose(dvh.max, ref.max, `ROI ${roi} max`);
  expectClose(dvh.min, ref.min, `ROI ${roi} min`);
  expectClose(dvh.mean, ref.mean, `ROI ${roi} mean`);
  for (const name of [...D_NAMES, ...V_GY]) {
    const value = dvh.statistic(name);
    expectClose(value.value, ref[name] as number, `ROI ${roi} ${name}`);
    expect(value.units).toBe(name.startsWith('D') ? 'Gy' : 'cm3');
  }
  for (const [name, key] of V_RX) expectClose(dvh.statistic(name).value, ref[key] as number, `ROI ${roi} ${name} (rx 14 Gy)`);
  expectClose(dvh.relativeVolume.statistic('D95').value, ref.relative_volume_D95_pct, `ROI ${roi} relative-volume D95`);
}

/** The DVH dvhcalc.get_dvh returned: 1 cGy bins (edges k/100 Gy), cumulative cm3 counts; the Empty DVH has bins [0, 1]. */
function calcDvh(roi: string, rxDose?: number): DVH {
  const ref = calc[roi]!;
  const n = ref.cumulative_counts.length;
  const bins = ref.notes === 'Empty DVH' ? [0, 1] : Array.from({ length: n + 1 }, (_, k) => k / 100);
  expect(bins[0]).toBe(ref.bins_first);
  expect(bins[n]).toBe(ref.bins_last);
  return new DVH({
    counts: ref.cumulative_counts,
    bins,
    type: 'cumulative',
    doseUnits: 'Gy',
    volumeUnits: 'cm3',
    lookup: 'dicompyler',
    rxDose,
    name: ref.name ?? undefined,
    notes: ref.notes ?? undefined,
  });
}

describe('dvhcalc.default parity (lookup dicompyler)', () => {
  it('covers all ten ROIs of the example structure set', () => {
    expect(Object.keys(calc).sort((a, b) => Number(a) - Number(b))).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
  });

  for (const roi of Object.keys(calc)) {
    const ref = calc[roi]!;
    it(`ROI ${roi} (${ref.name}): volume, max, min, mean, D- and V-values`, () => {
      expect(ref.dvh_type).toBe('cumulative');
      checkStatistics(calcDvh(roi, 14), ref, roi);
    });

    it(`ROI ${roi} (${ref.name}): describe() text`, () => {
      expect(calcDvh(roi).describe()).toBe(ref.describe);
    });
  }

  it('reproduces upstream #340: Nodes D98 = D95 = 0 Gy while D100 = 0.16 Gy', () => {
    const nodes = calcDvh('7');
    expect(nodes.statistic('D100').value).toBe(0.16);
    expect(nodes.statistic('D98').value).toBe(0);
    expect(nodes.statistic('D95').value).toBe(0);
  });
});

describe('dicom_dvh parity: DVH.fromDicomDvh on the RT Dose DVH Sequence (lookup dicompyler)', () => {
  it('the stored DVH Sequence holds exactly the counts dicompyler-core read', () => {
    expect(records.map((r) => String(r.referencedRoiNumber)).sort()).toEqual(fileRois.map(([roi]) => roi).sort());
    for (const [roi, ref] of fileRois) {
      const dvh = DVH.fromDicomDvh(records, Number(roi), { lookup: 'dicompyler' });
      expect(Array.from(dvh.counts)).toEqual(ref.cumulative_counts);
      expect(dvh.type).toBe(ref.dvh_type);
      expect(dvh.doseUnits).toBe(ref.dose_units);
      expect(dvh.volumeUnits).toBe(ref.volume_units);
      expect(dvh.bins[0]).toBe(ref.bins_first);
      expect(dvh.bins[dvh.numBins]).toBe(ref.bins_last);
    }
  });

  for (const [roi, ref] of fileRois) {
    it(`ROI ${roi}: statistics and describe()`, () => {
      checkStatistics(DVH.fromDicomDvh(records, Number(roi), { lookup: 'dicompyler', rxDose: 14 }), ref, roi);
      expect(DVH.fromDicomDvh(records, Number(roi), { lookup: 'dicompyler' }).describe()).toBe(ref.describe);
    });
  }

  it('compare(): heart, TPS DVH from the file against the dvhcalc DVH, char for char', () => {
    const file = DVH.fromDicomDvh(records, 5, { name: 'Heart', lookup: 'dicompyler' });
    const comparison = file.compare(calcDvh('5'));
    expect(comparison.text).toBe(text('compare_heart_file_vs_calc_stdout'));
    expect(comparison.rows.map((r) => r.label)).toEqual(['Volume', 'Max', 'Min', 'Mean', 'D100', 'D98', 'D95', 'D2cc']);
    expectClose(comparison.rows[0]!.absDiff, calc['5']!.volume - (reference.dicom_dvh['5'] as RoiReference).volume, 'heart volume difference');
  });

  it('describe() of the heart TPS DVH in relative dose (rx 14 Gy), char for char', () => {
    const file = DVH.fromDicomDvh(records, 5, { name: 'Heart', lookup: 'dicompyler' });
    expect(file.relativeDose(14).describe()).toBe(text('describe_heart_file_relative_dose_rx14_stdout'));
  });
});
