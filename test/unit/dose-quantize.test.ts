// SPDX-License-Identifier: BSD-3-Clause
// Storing a summed dose: full-range unsigned 32-bit integers, rounded, with a DoseGridScaling a
// 16-character DS writes exactly. Checked on many random maxima against a direct rounding.
import { describe, expect, it } from 'vitest';
import { formatDecimalString } from '../../src/dicom/write.js';
import { UINT32_MAX, fullRangeScaling, quantizeDose } from '../../src/dose/quantize.js';
import { distModule, runNodeScript } from '../helpers/child-node.js';
import { mulberry32 } from '../helpers/point-in-path.js';

interface SweepResult {
  readonly cases: number;
  readonly bad: number[];
  readonly worstFill: number;
}

/**
 * Every maximum's scaling from 1e-320 to 1e308 Gy (exponent step `stepE`, plus the values that
 * once hung the search): the DS text holds it exactly, the maximum stays within the range, and
 * where a normal scaling exists the maximum fills the range. Self-contained: its source text also
 * runs in a child process.
 */
function scalingSweep(scaling: (max: number) => number, format: (v: number) => string, top: number, stepE: number): SweepResult {
  // At tiny maxima a 16-character DS keeps only 10 significant digits: a fixed relative step up
  // can be rounded away by the text, which once made the search endless (7.28383976594168e-92 Gy).
  const bad: number[] = [];
  let cases = 0;
  let worstFill = 1;
  const maxima = [7.28383976594168e-92, 1.0405485379916686e-92 * 7, 5e-324, 1e-300, Number.MAX_VALUE];
  for (let e = -320; e <= 308; e += stepE) maxima.push(10 ** e * (1 + Math.abs(Math.sin(e * 1000)) * 8.9));
  for (const max of maxima) {
    if (!(max > 0) || !Number.isFinite(max)) continue;
    cases += 1;
    const s = scaling(max);
    if (Number(format(s)) !== s || Math.round(max / s) > top || !(s > 0)) bad.push(max);
    if (max / top > 1e-300) worstFill = Math.min(worstFill, max / s / top);
  }
  return { cases, bad, worstFill };
}

describe('quantizeDose', () => {
  it('puts the maximum at the top of the range for 20 000 random maxima, rounds the others, with an exactly writable scaling', () => {
    const random = mulberry32(7);
    for (let k = 0; k < 20_000; k += 1) {
      const max = 10 ** (random() * 8 - 3) * (1 + random());
      const { pixels, doseGridScaling } = quantizeDose(Float64Array.of(max, max / 3, 0));
      expect(Number(formatDecimalString(doseGridScaling))).toBe(doseGridScaling);
      expect(pixels[0]).toBeGreaterThanOrEqual(UINT32_MAX - 1);
      expect(Math.abs(pixels[0] * doseGridScaling - max)).toBeLessThanOrEqual(doseGridScaling);
      expect(pixels[1]).toBe(Math.round(max / 3 / doseGridScaling));
      expect(pixels[2]).toBe(0);
    }
  });

  it('counts negative values and stores them as 0; an all-zero dose gets scaling 1', () => {
    const { pixels, negativeVoxels } = quantizeDose(Float64Array.of(2, -1, 1));
    expect(Array.from(pixels.slice(1))).toEqual([0, Math.round(1 / fullRangeScaling(2))]);
    expect(negativeVoxels).toBe(1);
    expect(quantizeDose(new Float64Array(4)).doseGridScaling).toBe(1);
  });

  it('finds a writable full-range scaling for every maximum from 1e-320 to 1e308 Gy, tiny ones too (run in a child, so that a hang fails)', () => {
    const script = `
      const { fullRangeScaling, UINT32_MAX } = await import(${JSON.stringify(distModule('dose/quantize.js'))});
      const { formatDecimalString } = await import(${JSON.stringify(distModule('dicom/write.js'))});
      const sweep = ${scalingSweep.toString()};
      console.log(JSON.stringify(sweep(fullRangeScaling, formatDecimalString, UINT32_MAX, 0.037)));
    `;
    const child = runNodeScript(script, { timeoutMs: 60_000 });
    expect(child.signal, child.stderr).toBeNull();
    expect(child.code, child.stderr).toBe(0);
    const { cases, bad, worstFill } = JSON.parse(child.stdout) as SweepResult;
    expect(cases).toBeGreaterThan(16_000);
    expect(bad).toEqual([]);
    expect(worstFill).toBeGreaterThan(1 - 1e-8);
  });

  // The built package in a child is out of a mutation run's reach, so there the same sweep (coarser)
  // runs in process, where a hang is the mutation runner's timeout. Elsewhere it is not registered:
  // a hang in process would stop the whole suite instead of failing one test.
  if (process.env.DOSEKIT_MUTATION_GROUP !== undefined) {
    it('finds a writable full-range scaling for maxima from 1e-320 to 1e308 Gy (in process, in mutation runs)', () => {
      const { cases, bad, worstFill } = scalingSweep(fullRangeScaling, formatDecimalString, UINT32_MAX, 0.37);
      expect(cases).toBeGreaterThan(1600);
      expect(bad).toEqual([]);
      expect(worstFill).toBeGreaterThan(1 - 1e-8);
    });
  }
});

