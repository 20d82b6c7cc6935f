// SPDX-License-Identifier: BSD-3-Clause
import { describe, expect, it } from 'vitest';
import { DVH } from '../../src/dvh/index.js';

function errorOf(fn: () => unknown): { code?: string; message: string } {
  try {
    fn();
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected an error, none was thrown');
}

/** A deterministic, non-dyadic cumulative curve on 0.01 Gy bins (like a real dicompyler DVH). */
function realistic(): DVH {
  let seed = 12345;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const n = 700;
  const differential = Array.from({ length: n }, () => Math.round(random() * 40) * 0.01875);
  const counts = new Array<number>(n);
  let sum = 0;
  for (let i = n - 1; i >= 0; i--) counts[i] = sum += differential[i]!;
  return new DVH({ counts, bins: Array.from({ length: n + 1 }, (_, k) => k / 100), rxDose: 14, name: 'Heart' });
}

describe('cumulative <-> differential', () => {
  const cumulative = new DVH({ counts: [10, 6, 6, 1], bins: [0, 1, 2, 3, 4] });

  it('differential counts are the drops of the cumulative curve; cumulative is the reverse running sum', () => {
    expect(Array.from(cumulative.differential.counts)).toEqual([4, 0, 5, 1]);
    expect(cumulative.differential.type).toBe('differential');
    const fresh = new DVH({ counts: [4, 0, 5, 1], bins: [0, 1, 2, 3, 4], type: 'differential' });
    expect(Array.from(fresh.cumulative.counts)).toEqual([10, 6, 6, 1]);
    expect(fresh.cumulative.type).toBe('cumulative');
  });

  it('a conversion to the current type returns the same DVH; others return a new one', () => {
    expect(cumulative.cumulative).toBe(cumulative);
    expect(cumulative.differential).not.toBe(cumulative);
    expect(cumulative.differential.differential).toBe(cumulative.differential.differential.differential);
  });

  it('a non-monotonic cumulative curve gives absolute drops, as dicompyler-core', () => {
    expect(Array.from(new DVH({ counts: [10, 11, 5], bins: [0, 1, 2, 3] }).differential.counts)).toEqual([1, 6, 5]);
  });

  it('statistics agree between the two forms', () => {
    const d = cumulative.differential;
    for (const name of ['D95', 'D50', 'D2cc', 'V1.5Gy', 'Dmean', 'Dmax', 'Dmin']) expect(d.statistic(name)).toEqual(cumulative.statistic(name));
    expect(d.volume).toBe(cumulative.volume);
  });

  it('round trips are exact (fresh DVHs with exactly representable counts)', () => {
    const diff = new DVH({ counts: cumulative.differential.counts, bins: cumulative.bins, type: 'differential' });
    expect(Array.from(diff.cumulative.counts)).toEqual(Array.from(cumulative.counts));
  });

  it('round trips are exact on realistic, non-representable data', () => {
    const dvh = realistic();
    expect(Array.from(dvh.differential.cumulative.counts)).toEqual(Array.from(dvh.counts));
    expect(Array.from(dvh.differential.cumulative.bins)).toEqual(Array.from(dvh.bins));
    const diff = new DVH({ counts: dvh.differential.counts, bins: dvh.bins, type: 'differential' });
    expect(Array.from(diff.cumulative.differential.counts)).toEqual(Array.from(diff.counts));
  });
});

describe('absolute <-> relative dose', () => {
  const dvh = new DVH({ counts: [10, 6, 6, 1], bins: [0, 1, 2, 3, 4], rxDose: 4 });

  it('relativeDose scales bins by 100 / rxDose (Gy), absoluteDose back', () => {
    const rel = dvh.relativeDose();
    expect(rel.doseUnits).toBe('%');
    expect(Array.from(rel.bins)).toEqual([0, 25, 50, 75, 100]);
    expect(rel.rxDose).toBe(4);
    expect(rel.relativeDose()).toBe(rel);
    const fresh = new DVH({ counts: [10, 6, 6, 1], bins: [0, 25, 50, 75, 100], doseUnits: '%' });
    expect(Array.from(fresh.absoluteDose(4).bins)).toEqual([0, 1, 2, 3, 4]);
    expect(fresh.absoluteDose(4).doseUnits).toBe('Gy');
    expect(dvh.absoluteDose()).toBe(dvh);
  });

  it('cGy converts to Gy, and to % with rxDose in Gy', () => {
    const cgy = new DVH({ counts: [10, 6], bins: [0, 100, 200], doseUnits: 'cGy' });
    expect(Array.from(cgy.absoluteDose().bins)).toEqual([0, 1, 2]);
    expect(Array.from(cgy.relativeDose(2).bins)).toEqual([0, 50, 100]);
  });

  it('an explicit rxDose wins over the stored one (dicompyler-core does the opposite)', () => {
    const rel = dvh.relativeDose(2);
    expect(Array.from(rel.bins)).toEqual([0, 50, 100, 150, 200]);
    expect(rel.rxDose).toBe(2);
  });

  it('needs a prescription dose', () => {
    const bare = new DVH({ counts: [10, 6], bins: [0, 1, 2] });
    expect(errorOf(() => bare.relativeDose()).code).toBe('E_NO_RX_DOSE');
    expect(errorOf(() => new DVH({ counts: [10, 6], bins: [0, 50, 100], doseUnits: '%' }).absoluteDose()).code).toBe('E_NO_RX_DOSE');
    expect(errorOf(() => bare.relativeDose(-1)).code).toBe('E_INVALID_ARGUMENT');
  });

  it('round trips lose nothing on realistic data (bins equal to float64 rounding, counts untouched)', () => {
    const real = realistic();
    const back = real.relativeDose().absoluteDose();
    expect(back.bins.length).toBe(real.bins.length);
    back.bins.forEach((b, i) => expect(Math.abs(b - real.bins[i])).toBeLessThanOrEqual(4 * Number.EPSILON * Math.max(1, real.bins[i])));
    expect(back.doseUnits).toBe('Gy');
    expect(Array.from(back.counts)).toEqual(Array.from(real.counts));
  });
});

describe('absolute <-> relative volume', () => {
  const dvh = new DVH({ counts: [10, 6, 6, 1], bins: [0, 1, 2, 3, 4] });

  it('relativeVolume gives percent of the structure volume, absoluteVolume back', () => {
    expect(Array.from(dvh.relativeVolume.counts)).toEqual([100, 60, 60, 10]);
    expect(dvh.relativeVolume.volumeUnits).toBe('%');
    expect(Array.from(dvh.differential.relativeVolume.counts)).toEqual([40, 0, 50, 10]);
    expect(dvh.relativeVolume.relativeVolume).toBe(dvh.relativeVolume);
    const fresh = new DVH({ counts: [100, 60, 60, 10], bins: [0, 1, 2, 3, 4], volumeUnits: '%' });
    expect(Array.from(fresh.absoluteVolume(10).counts)).toEqual([10, 6, 6, 1]);
    expect(fresh.absoluteVolume(10).volumeUnits).toBe('cm3');
    expect(dvh.absoluteVolume(99)).toBe(dvh);
  });

  it('round trips lose nothing on realistic data (equal to float64 rounding)', () => {
    const real = realistic();
    const back = real.relativeVolume.absoluteVolume(real.volume).counts;
    back.forEach((c, i) => expect(Math.abs(c - real.counts[i])).toBeLessThanOrEqual(4 * Number.EPSILON * real.volume));
    const rel = real.relativeVolume;
    expect(rel.statistic('D50').value).toBeCloseTo(real.statistic('D50').value, 12);
    expect(rel.volume).toBeCloseTo(100, 10);
  });
});
