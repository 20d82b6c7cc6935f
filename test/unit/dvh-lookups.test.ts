// SPDX-License-Identifier: BSD-3-Clause
// The curve lookups behind every D and V statistic (volumeAtDose, doseAtVolume, both lookup modes)
// on a small cumulative curve worked by hand, the statistic-name parser's refusals called
// directly (DVH.statistic refuses some names again before parsing), and DVHValue's checks.
import { describe, expect, it } from 'vitest';
import { DVHValue, doseAtVolume, parseStatisticName, volumeAtDose } from '../../src/dvh/statistics.js';

/**
 * Edges 0..4 Gy and the cumulative volumes 10, 8, 8, 3 cm3 at edges 0..3 (0 at the top edge 4):
 * 2 cm3 get [0, 1) Gy, none [1, 2), 5 cm3 [2, 3) and 3 cm3 [3, 4).
 */
const EDGES = [0, 1, 2, 3, 4];
const CUMULATIVE = [10, 8, 8, 3];

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('volumeAtDose', () => {
  it('interpolate: linear between edges, cumulative[0] at and below the first edge, 0 from the top edge on', () => {
    const cases: [number, number][] = [
      [-1, 10], [0, 10], [0.5, 9], [1, 8], [1.5, 8], [2, 8], [2.5, 5.5], [3, 3], [3.5, 1.5], [3.75, 0.75], [4, 0], [5, 0],
    ];
    for (const [doseGy, volume] of cases) expect(volumeAtDose(EDGES, CUMULATIVE, doseGy, 'interpolate'), `${doseGy} Gy`).toBeCloseTo(volume, 12);
  });

  it('dicompyler: the count at the nearest edge, the first on ties, 0 at the top edge', () => {
    const cases: [number, number][] = [
      [-5, 10], [0.4, 10], [0.5, 10], [0.6, 8], [2.4, 8], [2.6, 3], [3.5, 3], [3.6, 0], [10, 0],
    ];
    for (const [doseGy, volume] of cases) expect(volumeAtDose(EDGES, CUMULATIVE, doseGy, 'dicompyler'), `${doseGy} Gy`).toBe(volume);
  });

  it('refuses curves whose edges are not one more than the counts, and bad doses and modes', () => {
    expect(codeOf(() => volumeAtDose([0, 1, 2], CUMULATIVE, 1, 'interpolate'))).toBe('E_INVALID_ARGUMENT');
    expect(codeOf(() => volumeAtDose(EDGES, [10, 8, 8, 3, 1], 1, 'interpolate'))).toBe('E_INVALID_ARGUMENT');
    expect(codeOf(() => volumeAtDose(EDGES, CUMULATIVE, Number.NaN, 'interpolate'))).toBe('E_INVALID_ARGUMENT');
    expect(codeOf(() => volumeAtDose(EDGES, CUMULATIVE, 1, 'nearest' as never))).toBe('E_INVALID_ARGUMENT');
    expect(codeOf(() => volumeAtDose(null as never, CUMULATIVE, 1, 'interpolate'))).toBe('E_INVALID_ARGUMENT');
  });
});

describe('doseAtVolume', () => {
  it('interpolate, absolute volumes: the highest dose at which the curve still holds the volume', () => {
    const cases: [number, number][] = [
      // All of it: the lower edge of the lowest non-empty bin.
      [10, 0],
      [9, 0.5],
      // A flat run at exactly the volume: its highest dose.
      [8, 2],
      [5.5, 2.5],
      [3, 3],
      [1.5, 3.5],
      // Nothing: the upper edge of the highest non-empty bin.
      [0, 4],
      // More than the structure: 0, like dicompyler-core.
      [10.5, 0],
    ];
    for (const [volume, doseGy] of cases) expect(doseAtVolume(EDGES, CUMULATIVE, volume, false, 'interpolate'), `${volume} cm3`).toBeCloseTo(doseGy, 12);
  });

  it('interpolate, percent of the structure volume', () => {
    expect(doseAtVolume(EDGES, CUMULATIVE, 100, true, 'interpolate')).toBe(0);
    expect(doseAtVolume(EDGES, CUMULATIVE, 50, true, 'interpolate')).toBeCloseTo(2.6, 12);
    expect(doseAtVolume(EDGES, CUMULATIVE, 15, true, 'interpolate')).toBeCloseTo(3.5, 12);
    expect(doseAtVolume(EDGES, CUMULATIVE, 0, true, 'interpolate')).toBe(4);
  });

  it('interpolate: D0 skips empty bins at the top, and a structure starting above 0 Gy has D100 at its first dose', () => {
    expect(doseAtVolume([0, 1, 2, 3, 4, 5, 6], [10, 8, 8, 3, 0, 0], 0, false, 'interpolate')).toBe(4);
    expect(doseAtVolume([0, 1, 2, 3, 4, 5, 6], [10, 8, 8, 3, 0, 0], 100, true, 'interpolate')).toBe(0);
    // 6 cm3 from 2 Gy on: the counts below 2 Gy equal those at 2 Gy.
    const edges = [0, 1, 2, 3, 4];
    const late = [6, 6, 6, 2];
    expect(doseAtVolume(edges, late, 100, true, 'interpolate')).toBe(2);
    expect(doseAtVolume(edges, late, 4, false, 'interpolate')).toBeCloseTo(2.5, 12);
    expect(doseAtVolume(edges, late, 1, false, 'interpolate')).toBeCloseTo(3.5, 12);
  });

  it('interpolate: an empty structure or curve gives 0', () => {
    expect(doseAtVolume([0, 1, 2], [0, 0], 50, true, 'interpolate')).toBe(0);
    expect(doseAtVolume([0, 1, 2], [0, 0], 0, false, 'interpolate')).toBe(0);
    expect(doseAtVolume([0], [], 0, false, 'interpolate')).toBe(0);
  });

  it('interpolate: D0 of a structure whose dose lies in the first bin only is that bin\'s upper edge', () => {
    expect(doseAtVolume([0, 1, 2, 3], [5, 0, 0], 0, false, 'interpolate')).toBe(1);
    expect(doseAtVolume([2, 3, 4], [5, 0], 0, true, 'interpolate')).toBe(3);
  });

  it('dicompyler: the lower edge of the bin whose count is nearest, the first on ties; the last for 100 %', () => {
    expect(doseAtVolume(EDGES, CUMULATIVE, 8, false, 'dicompyler')).toBe(1);
    expect(doseAtVolume(EDGES, CUMULATIVE, 5, false, 'dicompyler')).toBe(3);
    expect(doseAtVolume(EDGES, CUMULATIVE, 80, true, 'dicompyler')).toBe(1);
    expect(doseAtVolume(EDGES, CUMULATIVE, 55, true, 'dicompyler')).toBe(1);
    expect(doseAtVolume(EDGES, CUMULATIVE, 54, true, 'dicompyler')).toBe(3);
    // 100 %: the last bin holding all of it.
    expect(doseAtVolume(EDGES, [10, 10, 8, 3], 100, true, 'dicompyler')).toBe(1);
    expect(doseAtVolume(EDGES, [10, 10, 8, 3], 10, false, 'dicompyler')).toBe(0);
    // More than the structure: 0, also where the curve does not start at 0 Gy.
    expect(doseAtVolume(EDGES, CUMULATIVE, 10.5, false, 'dicompyler')).toBe(0);
    expect(doseAtVolume([1, 2, 3, 4, 5], CUMULATIVE, 10.5, false, 'dicompyler')).toBe(0);
    expect(doseAtVolume([1, 2, 3, 4, 5], CUMULATIVE, 100.5, true, 'dicompyler')).toBe(0);
    expect(doseAtVolume(EDGES, CUMULATIVE, 101, true, 'dicompyler')).toBe(0);
    // An empty structure in percent: counts of 0 %, the nearest is the first edge.
    expect(doseAtVolume([0.5, 1.5, 2.5], [0, 0], 0, true, 'dicompyler')).toBe(0.5);
    expect(doseAtVolume([0], [], 0, false, 'dicompyler')).toBe(0);
  });

  it('refuses bad volumes, flags and modes', () => {
    expect(codeOf(() => doseAtVolume(EDGES, CUMULATIVE, Number.POSITIVE_INFINITY, false, 'interpolate'))).toBe('E_INVALID_ARGUMENT');
    expect(codeOf(() => doseAtVolume(EDGES, CUMULATIVE, 5, 'yes' as never, 'interpolate'))).toBe('E_INVALID_ARGUMENT');
    expect(codeOf(() => doseAtVolume(EDGES, CUMULATIVE, 5, false, 'linear' as never))).toBe('E_INVALID_ARGUMENT');
    expect(codeOf(() => doseAtVolume(EDGES, [10, 8], 5, false, 'interpolate'))).toBe('E_INVALID_ARGUMENT');
  });
});

describe('parseStatisticName refusals, called directly', () => {
  it.each([
    ['D20Gy', 'a D statistic takes a volume'],
    ['D5cGy', 'a D statistic takes a volume'],
    ['V20cc', 'a V statistic takes a dose'],
    ['V20cm3', 'a V statistic takes a dose'],
    ['D150', 'does not exist'],
    ['D100.0001', 'does not exist'],
    ['D1e3', 'does not match the grammar'],
    ['D99…9 (400 digits)', 'is too large a number'],
    ['V99…9Gy (400 digits)', 'is too large a number'],
  ])('%s: E_BAD_STATISTIC, %s', (label, why) => {
    const name = label.replace(/99…9(\w*) \(400 digits\)/, (_, unit: string) => `${'9'.repeat(400)}${unit}`);
    let error: { code?: string; message?: string } | undefined;
    try {
      parseStatisticName(name);
    } catch (caught) {
      error = caught as { code?: string; message?: string };
    }
    expect(error?.code).toBe('E_BAD_STATISTIC');
    expect(error?.message).toContain(why);
  });

  it('a long number is shortened in the message; 100 % and 0 are accepted; spaces around the name are trimmed; a non-string is refused', () => {
    let message = '';
    try {
      parseStatisticName(`D${'9'.repeat(400)}`);
    } catch (caught) {
      message = (caught as Error).message;
    }
    expect(message).toContain(`${'9'.repeat(20)}… is too large`);
    expect(message).not.toContain(`${'9'.repeat(21)} is too large`);
    expect(parseStatisticName('D100')).toEqual({ kind: 'D', volume: 100, volumeUnits: '%' });
    expect(parseStatisticName('D0cc')).toEqual({ kind: 'D', volume: 0, volumeUnits: 'cm3' });
    expect(parseStatisticName(' V20Gy\t')).toEqual({ kind: 'V', dose: 20, doseUnits: 'Gy' });
    expect(parseStatisticName(' Dmean ')).toEqual({ kind: 'Dmean' });
    expect(codeOf(() => parseStatisticName(95 as never))).toBe('E_BAD_STATISTIC');
    expect(codeOf(() => parseStatisticName(null as never))).toBe('E_BAD_STATISTIC');
  });
});

describe('DVHValue checks', () => {
  it('refuses a value that is not a number and units outside Gy, cGy, %, cm3; NaN is a value', () => {
    expect(codeOf(() => new DVHValue('1' as never, 'Gy'))).toBe('E_INVALID_ARGUMENT');
    expect(codeOf(() => new DVHValue(1, 'cc' as never))).toBe('E_INVALID_ARGUMENT');
    expect(new DVHValue(Number.NaN, 'Gy').value).toBeNaN();
  });

  it('equals: same units and values within the tolerance, inclusive; refuses what is not a DVHValue and negative tolerances', () => {
    expect(new DVHValue(1, 'Gy').equals(new DVHValue(1, 'Gy'))).toBe(true);
    expect(new DVHValue(1, 'Gy').equals(new DVHValue(1.5, 'Gy'), 0.5)).toBe(true);
    expect(new DVHValue(1, 'Gy').equals(new DVHValue(1.5, 'Gy'), 0.25)).toBe(false);
    expect(new DVHValue(1, 'Gy').equals(new DVHValue(1, '%'))).toBe(false);
    expect(codeOf(() => new DVHValue(1, 'Gy').equals({ value: 1 } as never))).toBe('E_INVALID_ARGUMENT');
    expect(codeOf(() => new DVHValue(1, 'Gy').equals({ units: 'Gy' } as never))).toBe('E_INVALID_ARGUMENT');
    expect(codeOf(() => new DVHValue(1, 'Gy').equals(null as never))).toBe('E_INVALID_ARGUMENT');
    expect(codeOf(() => new DVHValue(1, 'Gy').equals(new DVHValue(1, 'Gy'), -1))).toBe('E_INVALID_ARGUMENT');
  });
});
