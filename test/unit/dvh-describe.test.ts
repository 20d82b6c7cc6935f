// SPDX-License-Identifier: BSD-3-Clause
import { describe, expect, it } from 'vitest';
import { DVH, formatFixed } from '../../src/dvh/index.js';

function errorOf(fn: () => unknown): { code?: string; message: string } {
  try {
    fn();
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected an error, none was thrown');
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('formatFixed matches Python format()', () => {
  // Expected strings are what CPython 3 prints for format(value, spec).
  it.each([
    [0.125, 2, false, '0.12'],
    [0.375, 2, false, '0.38'],
    [1.125, 2, false, '1.12'],
    [2.675, 2, false, '2.67'],
    [1.005, 2, false, '1.00'],
    [0.5, 0, false, '0'],
    [1.5, 0, false, '2'],
    [2.5, 0, false, '2'],
    [9.999, 2, false, '10.00'],
    [14882.099999999993, 2, false, '14882.10'],
    [1e-30, 2, false, '0.00'],
    [-0.001, 2, false, '-0.00'],
    [-0, 2, false, '-0.00'],
    [-0.001, 2, true, '-0.00'],
    [0, 2, true, '+0.00'],
    [0.51375, 2, true, '+0.51'],
    [-1.125, 2, true, '-1.12'],
  ])('format(%d, %d decimals, plus=%s) = %s', (value, digits, plus, expected) => {
    expect(formatFixed(value, digits, plus)).toBe(expected);
  });
});

describe('describe()', () => {
  it('prints dicompyler-core layout for an absolute DVH, with notes, every line ending in \\n', () => {
    const dvh = new DVH({ counts: range(70).map((i) => (i === 60 ? 10 : 0)), bins: range(71), type: 'differential', name: 'PTV', notes: 'hello' });
    expect(dvh.describe()).toBe(
      [
        'Structure: PTV',
        '-----',
        'DVH Type:  differential, abs dose: Gy, abs volume: cm3',
        'Volume:    10.00 cm3',
        'Max Dose:  61.00 Gy',
        'Min Dose:  60.00 Gy',
        'Mean Dose: 60.50 Gy',
        'D100:      60.00 Gy',
        'D98:       60.02 Gy',
        'D95:       60.05 Gy',
        'D2cc:      60.80 Gy',
        'Notes:     *hello',
        '',
      ].join('\n'),
    );
  });

  it('adds V100/V95/V5 for relative dose and prints an unnamed DVH as None', () => {
    const dvh = new DVH({ counts: range(50).map((i) => 100 - 2 * i), bins: range(51).map((k) => 2 * k), doseUnits: '%' });
    expect(dvh.describe()).toBe(
      [
        'Structure: None',
        '-----',
        'DVH Type:  cumulative, rel dose, abs volume: cm3',
        'Volume:    100.00 cm3',
        'Max Dose:  100.00 %',
        'Min Dose:  0.00 %',
        'Mean Dose: 50.00 %',
        'D100:      0.00 %',
        'D98:       2.00 %',
        'D95:       5.00 %',
        'V100:      0.00 cm3',
        'V95:       5.00 cm3',
        'V5:        95.00 cm3',
        'D2cc:      98.00 %',
        '',
      ].join('\n'),
    );
  });

  it('omits D2cc for relative volume', () => {
    const text = new DVH({ counts: [100, 50], bins: [0, 1, 2], volumeUnits: '%', name: 'x' }).describe();
    expect(text).toContain('DVH Type:  cumulative, abs dose: Gy, rel volume\n');
    expect(text).toContain('Volume:    100.00 %\n');
    expect(text).not.toContain('D2cc');
  });
});

describe('compare()', () => {
  const a = new DVH({ counts: range(70).map((i) => (i === 60 ? 10 : 0)), bins: range(71), type: 'differential', name: 'A' });
  const b = new DVH({ counts: range(70).map((i) => (i === 60 ? 12 : 0)), bins: range(71), type: 'differential', name: 'B' });

  it('gives rows with relative and absolute differences of b against a', () => {
    const { rows, text } = a.compare(b);
    expect(rows.map((r) => r.label)).toEqual(['Volume', 'Max', 'Min', 'Mean', 'D100', 'D98', 'D95', 'D2cc']);
    const volume = rows[0]!;
    expect([volume.a, volume.b, volume.absDiff, volume.relDiffPct, volume.unitsA]).toEqual([10, 12, 2, 20, 'cm3']);
    const d2cc = rows[7]!;
    expect(d2cc.a).toBeCloseTo(60.8, 12);
    expect(d2cc.b).toBeCloseTo(60 + 10 / 12, 12);
    expect(d2cc.relDiffPct).toBeCloseTo(((60 + 10 / 12 - 60.8) / 60.8) * 100, 10);
    expect(rows[1]).toMatchObject({ a: 61, b: 61, absDiff: 0, relDiffPct: 0, unitsA: 'Gy' });
    const lines = text.split('\n');
    expect(lines[0]).toBe(`Structure:  ${'A'.padStart(14)} ${'B'.padStart(17)} ${'Rel Diff'.padStart(17)} ${'Abs diff'.padStart(14)}`);
    expect(lines[1]).toBe('-----');
    expect(lines[2]).toBe('DVH Type:  differential, abs dose: Gy, abs volume: cm3');
    expect(lines[3]).toBe(`Volume:     ${'10.00'.padStart(12)} cm3${'12.00'.padStart(14)} cm3${'+20.00'.padStart(14)} % ${'+2.00'.padStart(14)}`);
    expect(lines.length).toBe(3 + 8 + 1);
  });

  it('reports a 0 % relative difference when a is 0', () => {
    const empty = new DVH({ counts: [0], bins: [0, 1], name: 'E' });
    const row = empty.compare(new DVH({ counts: [5], bins: [0, 1] })).rows[0]!;
    expect(row.relDiffPct).toBe(0);
    expect(row.absDiff).toBe(5);
  });

  it('refuses DVHs in different units with E_INCOMPATIBLE_DVH', () => {
    const error = errorOf(() => a.compare(b.relativeVolume));
    expect(error.code).toBe('E_INCOMPATIBLE_DVH');
    expect(error.message).toContain('cm3');
    expect(error.message).toContain('%');
    expect(errorOf(() => a.compare(new DVH({ counts: [1], bins: [0, 100], doseUnits: 'cGy' }))).code).toBe('E_INCOMPATIBLE_DVH');
  });
});
