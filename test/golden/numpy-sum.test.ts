// SPDX-License-Identifier: BSD-3-Clause
// numpySum and numpyMeanDiff against numpy itself: float64 arrays built so that every rounding
// depends on the summation order (magnitudes 2^60 apart), at every length where numpy's pairwise
// summation changes its path (below 8, the 8-way unrolled block up to 128, the split beyond).
// The sums come from numpy (test/golden/fixtures/make-numpy-sums.py).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { numpyMeanDiff, numpySum } from '../../src/dvh/numpy-sum.js';

interface NumpySumCase {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly n: number;
  readonly sum: string;
  readonly meanDiff: string | null;
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/numpy-sums.json', import.meta.url), 'utf8')) as { cases: NumpySumCase[] };

/** Element i of a case, exactly as the generator builds it (every operation exact in float64). */
function values({ a, b, c, n }: NumpySumCase): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => ((a * i + b) % 2 ** 31 - 2 ** 30) * 2 ** (((c * i) % 61) - 40));
}

describe('numpy float64 summation order', () => {
  it('numpySum equals numpy.sum to the bit at every length, and differs from a plain left-to-right sum where numpy does', () => {
    let orderShows = 0;
    for (const testCase of fixture.cases) {
      const x = values(testCase);
      const expected = Number(testCase.sum);
      expect(Object.is(numpySum(x), expected) || numpySum(x) === expected, `n=${testCase.n} a=${testCase.a}`).toBe(true);
      let naive = 0;
      for (const v of x) naive += v;
      if (naive !== expected) orderShows += 1;
    }
    // The oracle can tell summation orders apart: most long cases differ from the naive order.
    expect(orderShows).toBeGreaterThan(fixture.cases.length / 3);
  });

  it('numpyMeanDiff equals numpy.mean(numpy.diff(x)) to the bit, and is NaN below two values', () => {
    for (const testCase of fixture.cases) {
      const x = values(testCase);
      if (testCase.meanDiff === null) expect(numpyMeanDiff(x)).toBeNaN();
      else expect(numpyMeanDiff(x), `n=${testCase.n} a=${testCase.a}`).toBe(Number(testCase.meanDiff));
    }
  });

  it('an empty array sums to 0, and one value to itself', () => {
    expect(numpySum(new Float64Array(0))).toBe(0);
    expect(numpySum([2.5])).toBe(2.5);
  });
});
