// SPDX-License-Identifier: BSD-3-Clause
import { describe, expect, it } from 'vitest';
import { DVH, parseDvhCsv } from '../../src/dvh/index.js';

function errorOf(fn: () => unknown): { code?: string; message: string } {
  try {
    fn();
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected an error, none was thrown');
}

const n = 300;
const bins = Array.from({ length: n + 1 }, (_, k) => k / 100);
const counts = Array.from({ length: n }, (_, i) => 437.4612345 * Math.exp(-i / 77.7) + 1 / 3);
const dvh = new DVH({
  counts,
  bins,
  rxDose: 14.7,
  name: 'Lt Lung, "upper", <b>',
  color: [12, 200, 255],
  notes: 'line one\nline two, with a comma',
  lookup: 'dicompyler',
});

function expectSame(a: DVH, b: DVH): void {
  expect(Array.from(a.counts)).toEqual(Array.from(b.counts));
  expect(Array.from(a.bins)).toEqual(Array.from(b.bins));
  for (const key of ['type', 'doseUnits', 'volumeUnits', 'rxDose', 'name', 'notes', 'lookup'] as const) expect(a[key]).toEqual(b[key]);
  expect(a.color).toEqual(b.color);
}

describe('JSON', () => {
  it('round trips exactly through JSON text and through the plain object', () => {
    const text = JSON.stringify(dvh);
    expectSame(DVH.fromJSON(text), dvh);
    expectSame(DVH.fromJSON(JSON.parse(text)), dvh);
    expectSame(DVH.fromJSON(dvh.toJSON()), dvh);
    expect(dvh.toJSON()).toMatchObject({ format: 'dosekit-dvh', version: 1, type: 'cumulative', doseUnits: 'Gy', volumeUnits: 'cm3' });
  });

  it('leaves absent metadata out', () => {
    const bare = new DVH({ counts: [1], bins: [0, 1] }).toJSON();
    expect(Object.keys(bare).sort()).toEqual(['bins', 'counts', 'doseUnits', 'format', 'lookup', 'type', 'version', 'volumeUnits']);
  });

  it('rejects malformed documents with E_INVALID_DVH', () => {
    const good = dvh.toJSON();
    for (const [bad, fragment] of [
      ['{not json', 'not valid JSON'],
      [{ ...good, format: 'other' }, '"format"'],
      [{ ...good, version: 2 }, 'version 2'],
      [{ ...good, counts: 'x' }, '"counts"'],
      [{ ...good, bins: [0, 'a'] }, '"bins"'],
      [{ ...good, type: 'natural' }, '"type"'],
      [{ ...good, rxDose: '14' }, '"rxDose"'],
      [{ ...good, color: [1, 2] }, '"color"'],
      [{ ...good, counts: [1, 2] }, 'counts but'],
      [null, 'object'],
    ] as const) {
      const error = errorOf(() => DVH.fromJSON(bad as never));
      expect(error.code).toBe('E_INVALID_DVH');
      expect(error.message).toContain(fragment);
    }
  });
});

describe('CSV', () => {
  it('round trips exactly', () => {
    expectSame(DVH.fromCSV(dvh.toCSV()), dvh);
    const rel = new DVH({ counts: [4, 0, 5, 1], bins: [0, 25, 50, 75, 100], type: 'differential', doseUnits: '%', volumeUnits: '%' });
    expectSame(DVH.fromCSV(rel.toCSV()), rel);
    expectSame(DVH.fromCSV(rel.toCSV().replace(/\n/g, '\r\n')), rel);
  });

  it('has one row per bin: lower edge, upper edge, count, under a unit-bearing header', () => {
    const lines = dvh.toCSV().trimEnd().split('\n');
    const data = lines.filter((line) => !line.startsWith('#'));
    expect(data[0]).toBe('dose_low_Gy,dose_high_Gy,cumulative_volume_cm3');
    expect(data.length).toBe(n + 1);
    const parsed = data.slice(1).map((line) => line.split(',').map(Number));
    parsed.forEach(([low, high, count], i) => {
      expect(low).toBe(bins[i]);
      expect(high).toBe(bins[i + 1]);
      expect(count).toBe(counts[i]);
    });
    expect(lines).toContain('# name: "Lt Lung, \\"upper\\", <b>"');
    expect(lines).toContain('# rxDose: 14.7');
    const rel = new DVH({ counts: [1], bins: [0, 100], doseUnits: '%', volumeUnits: '%', type: 'differential' }).toCSV();
    expect(rel).toContain('dose_low_pct,dose_high_pct,differential_volume_pct\n0,100,1\n');
  });

  it('reads plain CSV without metadata', () => {
    const parsed = parseDvhCsv('dose_low_cGy,dose_high_cGy,cumulative_volume_cm3\n0,100,5\n100,200,2\n');
    expect(parsed).toMatchObject({ doseUnits: 'cGy', volumeUnits: 'cm3', type: 'cumulative', counts: [5, 2], bins: [0, 100, 200] });
  });

  it('rejects malformed CSV with E_INVALID_DVH', () => {
    const header = 'dose_low_Gy,dose_high_Gy,cumulative_volume_cm3\n';
    for (const [bad, fragment] of [
      ['', 'no header'],
      ['dose,volume\n0,1\n', 'header'],
      ['dose_low_Gy,dose_high_cGy,cumulative_volume_cm3\n', 'two different dose units'],
      [`${header}0,1\n`, 'row 1'],
      [`${header}0,1,x\n`, 'three numbers'],
      [`${header}0,1,5\n2,3,1\n`, 'does not equal the previous upper edge'],
      [`${header}0,1,-5\n`, 'negative'],
      [`# name: not-json\n${header}0,1,5\n`, 'metadata'],
    ] as const) {
      const error = errorOf(() => DVH.fromCSV(bad));
      expect(error.code).toBe('E_INVALID_DVH');
      expect(error.message).toContain(fragment);
    }
  });
});
