// SPDX-License-Identifier: BSD-3-Clause
import { describe, expect, it } from 'vitest';
import { DVH, DVHValue, STATISTIC_GRAMMAR, parseStatisticName } from '../../src/dvh/index.js';

function errorOf(fn: () => unknown): { code?: string; message: string } {
  try {
    fn();
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected an error, none was thrown');
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** 100 cm3 spread uniformly over [0, 50] Gy in 1 Gy bins: C(d) = 100 − 2d. */
const uniform = new DVH({ counts: range(50).map((i) => 100 - 2 * i), bins: range(51), name: 'uniform' });
/** 10 cm3, all with dose in [60, 61) Gy: a step in the cumulative curve. */
const step = new DVH({ counts: range(70).map((i) => (i === 60 ? 10 : 0)), bins: range(71), type: 'differential' });

describe('statistic name grammar', () => {
  it.each([
    ['D95', { kind: 'D', volume: 95, volumeUnits: '%' }],
    ['D95%', { kind: 'D', volume: 95, volumeUnits: '%' }],
    ['d95', { kind: 'D', volume: 95, volumeUnits: '%' }],
    ['D2cc', { kind: 'D', volume: 2, volumeUnits: 'cm3' }],
    ['D2CC', { kind: 'D', volume: 2, volumeUnits: 'cm3' }],
    ['D0.03cc', { kind: 'D', volume: 0.03, volumeUnits: 'cm3' }],
    ['D0.5cm3', { kind: 'D', volume: 0.5, volumeUnits: 'cm3' }],
    ['V20Gy', { kind: 'V', dose: 20, doseUnits: 'Gy' }],
    ['v20gy', { kind: 'V', dose: 20, doseUnits: 'Gy' }],
    ['V2000cGy', { kind: 'V', dose: 2000, doseUnits: 'cGy' }],
    ['V95', { kind: 'V', dose: 95, doseUnits: '%' }],
    ['V95%', { kind: 'V', dose: 95, doseUnits: '%' }],
    ['V71.6Gy', { kind: 'V', dose: 71.6, doseUnits: 'Gy' }],
    ['Dmean', { kind: 'Dmean' }],
    ['DMAX', { kind: 'Dmax' }],
    ['dmin', { kind: 'Dmin' }],
  ])('parses %s', (name, expected) => {
    expect(parseStatisticName(name)).toEqual(expected);
  });

  it.each(['V20cc', 'Dfoo', 'D20Gy', 'D.5', 'X95', '', 'D', 'V', 'D95%%', 'D-5', 'Dmean2', 'V2000cc', 'D5cGy', 'V1e3Gy'])(
    'rejects %j with E_BAD_STATISTIC naming it and quoting the grammar',
    (name) => {
      const error = errorOf(() => uniform.statistic(name));
      expect(error.code).toBe('E_BAD_STATISTIC');
      expect(error.message).toContain(`"${name}"`);
      expect(error.message).toContain(STATISTIC_GRAMMAR);
    },
  );
});

describe('interpolate lookup: closed-form curves', () => {
  it('uniform dose distribution (linear cumulative curve)', () => {
    const D = (name: string): number => uniform.statistic(name).value;
    expect(D('D95')).toBeCloseTo(2.5, 12);
    expect(D('D50')).toBeCloseTo(25, 12);
    expect(D('D2')).toBeCloseTo(49, 12);
    expect(D('D98')).toBeCloseTo(1, 12);
    expect(D('D33.3')).toBeCloseTo(50 * (1 - 0.333), 12);
    expect(D('D100')).toBe(0);
    expect(D('D0')).toBe(50);
    expect(D('D10cc')).toBeCloseTo(45, 12);
    expect(D('D0.03cc')).toBeCloseTo(50 - 0.03 / 2, 12);
    expect(D('V20Gy')).toBeCloseTo(60, 12);
    expect(D('V17.25Gy')).toBeCloseTo(100 - 2 * 17.25, 12);
    expect(D('V2000cGy')).toBeCloseTo(60, 12);
    expect(D('V0Gy')).toBe(100);
    expect(D('V50Gy')).toBe(0);
    expect(D('V60Gy')).toBe(0);
    expect([uniform.volume, uniform.max, uniform.min, uniform.mean]).toEqual([100, 50, 0, 25]);
    expect(uniform.homogeneityIndex).toBeCloseTo((49 - 1) / 25, 12);
    expect(uniform.gEUD(1)).toBeCloseTo(25, 12);
    // Bin-centre definition: sum over centres (i + 0.5)^2 of 2 cm3 each, divided by 100 cm3.
    expect(uniform.gEUD(2)).toBeCloseTo(Math.sqrt(833.25), 12);
    expect(uniform.gEUD(2)).toBeCloseTo(Math.sqrt(2500 / 3), 2); // close to the continuous answer
    expect(uniform.gEUD(-10)).toBeLessThan(uniform.mean);
    expect(uniform.gEUD(40)).toBeGreaterThan(45);
  });

  it('relative-dose V-values use rxDose in Gy', () => {
    const dvh = uniform.with({ rxDose: 40 });
    expect(dvh.statistic('V50').value).toBeCloseTo(60, 12); // 50 % of 40 Gy = 20 Gy
    expect(dvh.statistic('V95%').value).toBeCloseTo(100 - 2 * 38, 12);
    expect(dvh.volumeConstraint(50).value).toBeCloseTo(60, 12);
    expect(dvh.volumeConstraint(20, 'Gy').value).toBeCloseTo(60, 12);
  });

  it('a step: all volume inside one bin', () => {
    const D = (name: string): number => step.statistic(name).value;
    expect(D('D100')).toBe(60);
    expect(D('D98')).toBeCloseTo(60.02, 12);
    expect(D('D50')).toBeCloseTo(60.5, 12);
    expect(D('D2')).toBeCloseTo(60.98, 12);
    expect(D('D5cc')).toBeCloseTo(60.5, 12);
    expect(D('V30Gy')).toBe(10);
    expect(D('V60Gy')).toBe(10);
    expect(D('V60.5Gy')).toBeCloseTo(5, 12);
    expect(D('V61Gy')).toBe(0);
    expect([step.volume, step.max, step.min, step.mean]).toEqual([10, 61, 60, 60.5]);
    expect(step.statistic('Dmax')).toEqual(new DVHValue(61, 'Gy'));
    expect(step.statistic('Dmin')).toEqual(new DVHValue(60, 'Gy'));
    expect(step.statistic('Dmean')).toEqual(new DVHValue(60.5, 'Gy'));
  });

  it('exponential fall-off (truncated at 60 Gy)', () => {
    const tau = 5;
    const top = 60;
    const tail = Math.exp(-top / tau);
    const C = (d: number): number => (100 * (Math.exp(-d / tau) - tail)) / (1 - tail);
    const n = 6000;
    const bins = range(n + 1).map((k) => k / 100);
    const dvh = new DVH({ counts: bins.slice(0, n).map(C), bins });
    const doseAt = (x: number): number => -tau * Math.log((x / 100) * (1 - tail) + tail);
    for (const x of [98, 90, 50, 10, 2]) expect(Math.abs(dvh.statistic(`D${x}`).value - doseAt(x))).toBeLessThan(1e-5);
    // Linear interpolation between edges a and b errs by at most (d − a)(b − d)/2 · max C'' (C'' = C'' at a here).
    const curvature = (d: number): number => (100 * Math.exp(-d / tau)) / (tau * tau * (1 - tail));
    for (const d of [0.004, 3.215, 12.345, 27.5]) {
      const a = Math.floor(d * 100) / 100;
      const bound = ((d - a) * (a + 0.01 - d) * curvature(a)) / 2;
      const error = dvh.statistic(`V${d}Gy`).value - C(d);
      expect(error).toBeGreaterThanOrEqual(0); // a chord lies above a convex curve
      expect(error).toBeLessThanOrEqual(bound * 1.001 + 1e-12);
    }
    const mean = tau - (top * tail) / (1 - tail);
    expect(Math.abs(dvh.mean - mean)).toBeLessThan(1e-5);
    expect(dvh.statistic('D100').value).toBe(0);
  });

  it('tiny structure with one bin holding most of the volume: D98 is not 0 (upstream #340)', () => {
    // 0.675 cm3; 0.615 cm3 of it in [0.16, 0.17) Gy, 0.05 in [0.17, 0.18), 0.01 in [0.18, 0.19).
    const counts = [...range(17).map(() => 0.675), 0.06, 0.01];
    const dvh = new DVH({ counts, bins: range(20).map((k) => k / 100) });
    const expected = (x: number): number => 0.16 + ((0.675 - (0.675 * x) / 100) / (0.675 - 0.06)) * 0.01;
    expect(dvh.statistic('D100').value).toBe(0.16);
    expect(dvh.statistic('D98').value).toBeCloseTo(expected(98), 12);
    expect(dvh.statistic('D95').value).toBeCloseTo(expected(95), 12);
    expect(dvh.statistic('D98').value).toBeGreaterThan(0.16);
    // dicompyler-core's nearest-count lookup gives 0 Gy here; lookup 'dicompyler' reproduces that.
    const compat = dvh.with({ lookup: 'dicompyler' });
    expect(compat.statistic('D98').value).toBe(0);
    expect(compat.statistic('D95').value).toBe(0);
    expect(compat.statistic('D100').value).toBe(0.16);
  });

  it('a flat run at exactly the requested volume gives the highest dose of the run', () => {
    // 4 cm3 at >= 1 Gy, exactly 2 cm3 from 2 Gy up to 4 Gy, nothing at >= 5 Gy.
    const dvh = new DVH({ counts: [4, 4, 2, 2, 2], bins: [0, 1, 2, 3, 4, 5] });
    expect(dvh.statistic('D2cc').value).toBe(4);
    expect(dvh.statistic('D50').value).toBe(4);
    expect(dvh.statistic('D3cc').value).toBeCloseTo(1.5, 12);
  });

  it('a volume larger than the structure gives 0, like dicompyler-core; more than 100 % does not exist (E_BAD_STATISTIC)', () => {
    expect(() => uniform.statistic('D150')).toThrow(expect.objectContaining({ code: 'E_BAD_STATISTIC' }));
    expect(uniform.statistic('D150cc').value).toBe(0);
    expect(step.statistic('D10.5cc').value).toBe(0);
    expect(step.statistic('D10cc').value).toBe(60);
  });
});

describe('dicompyler lookup on the same curves', () => {
  it('nearest edges, upper-edge max/min and first-index ties', () => {
    const compat = uniform.with({ lookup: 'dicompyler' });
    expect(compat.statistic('V17.25Gy').value).toBe(66); // nearest edge 17 Gy
    expect(compat.statistic('V17.75Gy').value).toBe(64); // nearest edge 18 Gy
    expect(compat.statistic('D33.3').value).toBe(33); // |C − 33.3| smallest at edge 33 (C = 34)
    expect(compat.statistic('D100').value).toBe(0);
    expect([compat.max, compat.min, compat.mean]).toEqual([50, 1, 25]);
    const stepCompat = step.with({ lookup: 'dicompyler' });
    expect(stepCompat.statistic('D100').value).toBe(60);
    expect(stepCompat.statistic('D50').value).toBe(0);
    expect([stepCompat.max, stepCompat.min]).toEqual([61, 61]);
  });
});

describe('units and prescription', () => {
  it('cGy DVHs answer in cGy and convert Gy requests', () => {
    const cgy = new DVH({ counts: range(50).map((i) => 100 - 2 * i), bins: range(51).map((k) => 100 * k), doseUnits: 'cGy' });
    expect(cgy.statistic('V20Gy').value).toBeCloseTo(60, 12);
    expect(cgy.statistic('V2000cGy').value).toBeCloseTo(60, 12);
    expect(cgy.statistic('D95')).toEqual(new DVHValue(250, 'cGy'));
    expect(cgy.with({ rxDose: 40 }).statistic('V50').value).toBeCloseTo(60, 12);
  });

  it('relative-dose DVHs need rxDose only for absolute requests', () => {
    const rel = new DVH({ counts: range(50).map((i) => 100 - 2 * i), bins: range(51).map((k) => 2 * k), doseUnits: '%' });
    expect(rel.statistic('V95%').value).toBeCloseTo(5, 12);
    expect(rel.statistic('D95')).toEqual(new DVHValue(5, '%'));
    expect(errorOf(() => rel.statistic('V20Gy')).code).toBe('E_NO_RX_DOSE');
    expect(rel.with({ rxDose: 50 }).statistic('V20Gy').value).toBeCloseTo(60, 12);
  });

  it('relative dose asked without rxDose is E_NO_RX_DOSE', () => {
    for (const fn of [() => uniform.statistic('V95'), () => uniform.statistic('V95%'), () => uniform.volumeConstraint(95), () => uniform.relativeDose()]) {
      const error = errorOf(fn);
      expect(error.code).toBe('E_NO_RX_DOSE');
      expect(error.message).toContain('rxDose');
    }
  });

  it('cm3 volumes cannot be read from a relative-volume DVH', () => {
    expect(errorOf(() => uniform.relativeVolume.statistic('D2cc')).code).toBe('E_INVALID_ARGUMENT');
    expect(uniform.relativeVolume.statistic('D50').value).toBeCloseTo(25, 12);
    expect(uniform.relativeVolume.statistic('V20Gy')).toEqual(new DVHValue(uniform.relativeVolume.statistic('V20Gy').value, '%'));
  });

  it('gEUD rejects a = 0', () => {
    expect(errorOf(() => uniform.gEUD(0)).code).toBe('E_INVALID_ARGUMENT');
  });

  it('homogeneity index is NaN when D50 is 0', () => {
    expect(new DVH({ counts: [0], bins: [0, 1] }).homogeneityIndex).toBeNaN();
  });
});

describe('DVHValue', () => {
  it('prints two decimals like Python and is immutable', () => {
    expect(new DVHValue(13.419999999999758, 'Gy').toString()).toBe('13.42 Gy');
    expect(new DVHValue(0.125, 'cm3').toString()).toBe('0.12 cm3');
    expect(String(new DVHValue(5, '%'))).toBe('5.00 %');
    expect(Object.isFrozen(new DVHValue(1, 'Gy'))).toBe(true);
    expect(JSON.stringify(new DVHValue(1.5, 'Gy'))).toBe('{"value":1.5,"units":"Gy"}');
    expect(new DVHValue(1, 'Gy').equals(new DVHValue(1.0005, 'Gy'), 1e-3)).toBe(true);
    expect(new DVHValue(1, 'Gy').equals(new DVHValue(1, 'cGy'), 1)).toBe(false);
  });
});
