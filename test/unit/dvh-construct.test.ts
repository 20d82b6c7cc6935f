// SPDX-License-Identifier: BSD-3-Clause
import { describe, expect, it } from 'vitest';
import { DVH, type DvhInit } from '../../src/dvh/index.js';

function errorOf(fn: () => unknown): { code?: string; message: string } {
  try {
    fn();
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected an error, none was thrown');
}

function expectInvalid(init: Partial<DvhInit> & Record<string, unknown>, ...fragments: string[]): void {
  const error = errorOf(() => new DVH({ counts: [10, 5], bins: [0, 1, 2], ...init } as DvhInit));
  expect(error.code).toBe('E_INVALID_DVH');
  for (const fragment of fragments) expect(error.message).toContain(fragment);
}

describe('DVH construction', () => {
  it('stores copies and defaults to cumulative / Gy / cm3 / interpolate', () => {
    const counts = [10, 6, 1];
    const bins = new Float64Array([0, 1, 2, 3]);
    const dvh = new DVH({ counts, bins });
    counts[0] = 99;
    bins[1] = 0.5;
    expect(Array.from(dvh.counts)).toEqual([10, 6, 1]);
    expect(Array.from(dvh.bins)).toEqual([0, 1, 2, 3]);
    expect([dvh.type, dvh.doseUnits, dvh.volumeUnits, dvh.lookup]).toEqual(['cumulative', 'Gy', 'cm3', 'interpolate']);
    expect(dvh.numBins).toBe(3);
    expect(Array.from(dvh.bincenters)).toEqual([0.5, 1.5, 2.5]);
  });

  it('is immutable: frozen, and the arrays it hands out are copies', () => {
    const dvh = new DVH({ counts: [10, 6, 1], bins: [0, 1, 2, 3], name: 'Heart', color: [255, 0, 0] });
    expect(Object.isFrozen(dvh)).toBe(true);
    expect(Object.isFrozen(dvh.color)).toBe(true);
    expect(() => {
      (dvh as unknown as { name: string }).name = 'Lung';
    }).toThrow(TypeError);
    const out = dvh.counts;
    out[0] = 1000;
    expect(dvh.counts[0]).toBe(10);
    const edges = dvh.bins;
    edges[3] = 1000;
    expect(dvh.bins[3]).toBe(3);
  });

  it('prepends a 0 edge to N upper edges, as dicompyler-core does for DICOM bins', () => {
    const dvh = new DVH({ counts: [10, 5], bins: [1, 2] });
    expect(Array.from(dvh.bins)).toEqual([0, 1, 2]);
    expect(Array.from(dvh.counts)).toEqual([10, 5]);
  });

  it('prepends a 0 edge and a first bin when N+1 edges start above 0', () => {
    const cumulative = new DVH({ counts: [10, 4], bins: [5, 6, 7] });
    expect(Array.from(cumulative.bins)).toEqual([0, 5, 6, 7]);
    expect(Array.from(cumulative.counts)).toEqual([10, 10, 4]);
    expect(cumulative.volume).toBe(10);
    expect(cumulative.min).toBe(5);
    const differential = new DVH({ counts: [6, 4], bins: [5, 6, 7], type: 'differential' });
    expect(Array.from(differential.bins)).toEqual([0, 5, 6, 7]);
    expect(Array.from(differential.counts)).toEqual([0, 6, 4]);
    expect(Array.from(differential.cumulative.counts)).toEqual([10, 10, 4]);
  });

  it('rejects mismatched counts and bins, naming both lengths', () => {
    expectInvalid({ counts: [1, 2, 3], bins: [0, 1, 2] }, '3 counts but 3 bins');
    expectInvalid({ counts: [1, 2], bins: [0, 1, 2, 3, 4] }, '2 counts but 5 bins');
    expectInvalid({ counts: [], bins: [0] }, 'empty');
  });

  it('rejects bins that are not strictly increasing, negative or not finite', () => {
    expectInvalid({ bins: [0, 1, 1] }, 'not strictly increasing', 'bins[1] = 1, bins[2] = 1');
    expectInvalid({ bins: [0, 2, 1] }, 'not strictly increasing');
    expectInvalid({ bins: [-1, 0, 1] }, 'bins[0] is negative');
    expectInvalid({ bins: [0, 1, Infinity] }, 'bins[2]', 'finite');
    expectInvalid({ bins: [0, NaN, 2] }, 'bins[1] is NaN');
  });

  it('rejects negative, NaN and non-numeric counts', () => {
    expectInvalid({ counts: [10, -1] }, 'counts[1] is negative');
    expectInvalid({ counts: [NaN, 1] }, 'counts[0] is NaN');
    expectInvalid({ counts: [1, '2'] as unknown as number[] }, 'counts[1]');
    expectInvalid({ counts: 'abc' as unknown as number[] }, 'counts');
  });

  it('rejects unknown type, units and lookup', () => {
    expectInvalid({ type: 'natural' as never }, 'type', '"natural"');
    expectInvalid({ doseUnits: 'GY' as never }, 'doseUnits', '"GY"');
    expectInvalid({ volumeUnits: 'cc' as never }, 'volumeUnits', '"cc"');
    expectInvalid({ lookup: 'nearest' as never }, 'lookup', '"nearest"');
  });

  it('rejects a bad rxDose, colour, name or notes', () => {
    expectInvalid({ rxDose: 0 }, 'rxDose');
    expectInvalid({ rxDose: -5 }, 'rxDose');
    expectInvalid({ rxDose: NaN }, 'rxDose');
    expectInvalid({ color: [256, 0, 0] }, 'color');
    expectInvalid({ color: [1, 2] as never }, 'color');
    expectInvalid({ name: 5 as never }, 'name');
    expectInvalid({ notes: {} as never }, 'notes');
  });
});

describe('empty and single-bin DVHs', () => {
  const empty = new DVH({ counts: [0], bins: [0, 1], name: 'Areola', notes: 'Empty DVH' });

  it('an empty structure has zero volume, doses and statistics', () => {
    for (const dvh of [empty, empty.with({ lookup: 'dicompyler' })]) {
      expect([dvh.volume, dvh.max, dvh.min, dvh.mean]).toEqual([0, 0, 0, 0]);
      for (const name of ['D100', 'D95', 'D2cc', 'V1Gy', 'Dmax']) expect(dvh.statistic(name).value).toBe(0);
      expect(dvh.gEUD(2)).toBe(0);
      expect(Array.from(dvh.relativeVolume.counts)).toEqual([0]);
    }
  });

  it('a single bin: the histogram answer in interpolate mode, dicompyler-core zeros in dicompyler mode', () => {
    const one = new DVH({ counts: [5], bins: [0, 2] });
    expect([one.volume, one.max, one.min, one.mean]).toEqual([5, 2, 0, 1]);
    expect(one.statistic('D50').value).toBe(1);
    expect(one.statistic('V0.5Gy').value).toBe(3.75);
    const compat = one.with({ lookup: 'dicompyler' });
    expect([compat.volume, compat.max, compat.min, compat.mean]).toEqual([5, 0, 0, 0]);
    expect(compat.statistic('D50').value).toBe(0);
    expect(compat.statistic('V0.5Gy').value).toBe(5);
  });
});

describe('with()', () => {
  it('returns a new DVH with metadata replaced and the histogram kept', () => {
    const dvh = new DVH({ counts: [10, 6, 1], bins: [0, 1, 2, 3], name: 'A' });
    const renamed = dvh.with({ name: 'B', rxDose: 2, lookup: 'dicompyler' });
    expect(renamed).not.toBe(dvh);
    expect([renamed.name, renamed.rxDose, renamed.lookup]).toEqual(['B', 2, 'dicompyler']);
    expect(dvh.name).toBe('A');
    expect(Array.from(renamed.counts)).toEqual([10, 6, 1]);
  });
});
