// SPDX-License-Identifier: BSD-3-Clause
// DVH-gamma (Ebert et al., Phys Med Biol 55 (2010) N337) on curves small enough to compute by hand.
//
// The reference R used by most cases: cumulative, Gy / cm3, 100 cm3 receiving at least 2.5 Gy,
// then falling linearly to 0 cm3 at 10 Gy:
//   bins   [0, 2.5, 4, 5.5, 7, 8.5, 10]
//   counts [100, 100, 80, 60, 40, 20]          (volume at each lower edge; 0 at 10 Gy)
// Its maximum dose is 10 Gy (upper edge of the highest non-empty bin) and its volume 100 cm3, so at
// 1 %/1 % ΔD = 0.1 Gy and ΔV = 1 cm3. In tolerance units (x = D / ΔD, y = V / ΔV) its vertices are
// (0, 100), (25, 100), (40, 80), (55, 60), (70, 40), (85, 20), (100, 0): flat to x = 25, then a
// straight line of slope -100/75 = -4/3, i.e. 4x + 3y = 400.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DicomParser } from '../../src/dicom/parser.js';
import { DVH, compareDvhs, dvhGamma } from '../../src/dvh/index.js';
import { examplePath } from '../helpers/examples.js';

const R_BINS = [0, 2.5, 4, 5.5, 7, 8.5, 10];
const R_COUNTS = [100, 100, 80, 60, 40, 20];
const reference = new DVH({ counts: R_COUNTS, bins: R_BINS, name: 'R' });

function shifted(doseGy: number): DVH {
  return new DVH({ counts: R_COUNTS, bins: R_BINS.map((b) => b + doseGy), name: `R + ${doseGy} Gy` });
}

function gammas(result: { curve: readonly { gamma: number }[] }): number[] {
  return result.curve.map((p) => p.gamma);
}

function expectAllClose(actual: number[], expected: number[], digits = 12): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(a, `point ${i}`).toBeCloseTo(expected[i]!, digits));
}

describe('dvhGamma: hand-computed cases', () => {
  it('the reference has the tolerances and points worked out above', () => {
    const g = dvhGamma(reference, reference);
    expect(g.doseTolerance).toBeCloseTo(0.1, 15);
    expect(g.volumeTolerance).toBe(1);
    expect(g.curve.map((p) => [p.dose, p.volume])).toEqual([
      [0, 100],
      [2.5, 100],
      [4, 80],
      [5.5, 60],
      [7, 40],
      [8.5, 20],
      [10, 0],
    ]);
    expect([g.doseUnits, g.volumeUnits, g.notes]).toEqual(['Gy', 'cm3', []]);
  });

  it('identical curves: every gamma is 0 and the pass rate 100 %', () => {
    const g = dvhGamma(reference, reference.with({ name: 'copy' }));
    expect(gammas(g)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect([g.passRatePercent, g.pass, g.points, g.failing.length, g.maxGamma]).toEqual([100, true, 7, 0, 0]);
  });

  it('shifted by 0.5 ΔD (0.05 Gy): 0 on the flat part, 0.4 on the slope', () => {
    // Evaluated: (0,100) (0.5,100) (25.5,100) (40.5,80) ... (100.5,0) in tolerance units. Flat reference
    // points (0,100) and (25,100) lie on its flat part: gamma 0. The sloped part is the reference line
    // moved 0.5 along x: 4x + 3y = 402. A sloped reference point has 4x + 3y = 400, so its distance is
    // |400 - 402| / sqrt(4² + 3²) = 2/5 = 0.4 (not 0.5: the nearest point of a sloped curve is off to
    // the side, not straight along the dose axis). E.g. (40,80) -> foot (40.32, 80.24), inside a segment.
    const g = dvhGamma(reference, shifted(0.05));
    expectAllClose(gammas(g), [0, 0, 0.4, 0.4, 0.4, 0.4, 0.4]);
    expect([g.passRatePercent, g.pass]).toEqual([100, true]);
  });

  it('shifted by 2 ΔD (0.2 Gy): 0 where the curve is flat, 1.6 (fail) on the slope', () => {
    // Evaluated slope 4x + 3y = 4·27 + 300 = 408: distance 8/5 = 1.6 for every sloped reference point
    // (for (100,0) the foot (101.28, 0.96) is on the last segment; the 0-volume ray from (102,0) is 2
    // away). (0,100) and (25,100) lie on the evaluated flat part (x from 0 to 27): gamma 0. So 2 of 7
    // points pass: 28.57 %.
    const g = dvhGamma(reference, shifted(0.2));
    expectAllClose(gammas(g), [0, 0, 1.6, 1.6, 1.6, 1.6, 1.6]);
    expect(g.pass).toBe(false);
    expect(g.passRatePercent).toBeCloseTo(200 / 7, 12);
    expect(g.failing.map((p) => p.dose)).toEqual([4, 5.5, 7, 8.5, 10]);
    // 2 %/2 % halves every distance: 0.8 everywhere on the slope, all pass.
    const loose = dvhGamma(reference, shifted(0.2), { doseTolerancePercent: 2, volumeTolerancePercent: 2 });
    expectAllClose(gammas(loose), [0, 0, 0.8, 0.8, 0.8, 0.8, 0.8]);
    expect(loose.pass).toBe(true);
  });

  it('volume scaled by 1.005 (0.5 ΔV at full volume)', () => {
    // Evaluated: flat at y = 100.5 to x = 25, then the line from (25,100.5) to (100,0), slope
    // s = -100.5/75 = -1.34. (0,100): straight below the flat part, gamma 0.5. A point on the
    // reference slope sits a vertical gap g = 0.005·V below the evaluated line, i.e. at the
    // perpendicular distance g / sqrt(1 + s²) = g / sqrt(2.7956). The corner (25,100) has gap 0.5 to
    // that line (foot just inside the sloped segment), less than its 0.5 to the flat part.
    const g = dvhGamma(reference, new DVH({ counts: R_COUNTS.map((c) => c * 1.005), bins: R_BINS }));
    const k = Math.sqrt(2.7956);
    expectAllClose(gammas(g), [0.5, 0.5 / k, 0.4 / k, 0.3 / k, 0.2 / k, 0.1 / k, 0]);
    expect(g.pass).toBe(true);
  });

  it('minimises over segments, not only vertices: the minimum inside a segment', () => {
    // Reference (0,100) (5,49) (10,0) Gy/cm3; evaluated the single segment (0,100)-(10,0). ΔD = 0.1 Gy,
    // ΔV = 1 cm3. In tolerance units the evaluated line is x + y = 100; the middle point (50,49) is
    // |50 + 49 - 100| / sqrt(2) = 1/sqrt(2) from it, foot (50.5, 49.5) in the segment's interior.
    // Its nearest evaluated vertex is (100,0), sqrt(50² + 49²) = 70.0 away.
    const ref = new DVH({ counts: [100, 49], bins: [0, 5, 10] });
    const ev = new DVH({ counts: [100], bins: [0, 10] });
    const g = dvhGamma(ref, ev);
    expectAllClose(gammas(g), [0, Math.SQRT1_2, 0]);
    expect(g.pass).toBe(true);
  });

  it('a reference point beyond the evaluated maximum is measured to the 0-volume continuation', () => {
    // Evaluated ends at 9.8 Gy (98 in tolerance units): the reference end point (100,0) is on the ray
    // V = 0 beyond it, gamma 0; the rest of the curve is moved 2 units along x and fails.
    const g = dvhGamma(reference, new DVH({ counts: R_COUNTS, bins: [0, 2.3, 3.8, 5.3, 6.8, 8.3, 9.8] }));
    expect(g.curve[6]!.gamma).toBe(0);
    expect(g.curve[3]!.gamma).toBeCloseTo(1.6, 12);
  });
});

describe('dvhGamma: units and arguments', () => {
  it('converts cGy to Gy, and compares relative volume when a curve has no absolute volume (and says so)', () => {
    const cgy = new DVH({ counts: R_COUNTS, bins: R_BINS.map((b) => b * 100), doseUnits: 'cGy' });
    const g = dvhGamma(reference, cgy);
    expect(g.maxGamma).toBeLessThan(1e-12);
    expect(g.doseUnits).toBe('Gy');
    const relative = dvhGamma(reference, shifted(0.05).relativeVolume);
    expect(relative.volumeUnits).toBe('%');
    expect(relative.notes.join(' ')).toContain('% of each structure');
    expectAllClose(gammas(relative), [0, 0, 0.4, 0.4, 0.4, 0.4, 0.4]);
  });

  it('uses a prescription to compare relative dose with absolute dose, and refuses without one', () => {
    const percent = reference.relativeDose(20);
    expect(dvhGamma(percent, reference).maxGamma).toBeLessThan(1e-12);
    expect(() => dvhGamma(percent.with({ rxDose: undefined }), reference)).toThrow(expect.objectContaining({ code: 'E_NO_RX_DOSE' }));
    const both = dvhGamma(percent.with({ rxDose: undefined }), shifted(0.05).relativeDose(20).with({ rxDose: undefined }));
    expect(both.doseUnits).toBe('%');
    expectAllClose(gammas(both), [0, 0, 0.4, 0.4, 0.4, 0.4, 0.4]);
  });

  it('refuses a tolerance that is not a positive number', () => {
    for (const bad of [0, -1, Number.NaN, Infinity]) {
      expect(() => dvhGamma(reference, reference, { doseTolerancePercent: bad })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
      expect(() => dvhGamma(reference, reference, { volumeTolerancePercent: bad })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    }
  });

  it('an empty reference passes only against an empty curve', () => {
    const empty = new DVH({ counts: [0], bins: [0, 1] });
    expect(dvhGamma(empty, empty).pass).toBe(true);
    const g = dvhGamma(empty, reference);
    expect([g.pass, g.maxGamma]).toEqual([false, Infinity]);
  });
});

describe('compareDvhs(reference, evaluated, options)', () => {
  it('keeps dicompyler’s rows and text and adds gamma and the endpoint differences', () => {
    const evaluated = shifted(0.05);
    const c = compareDvhs(reference, evaluated);
    expect(c.text).toBe(reference.compare(evaluated).text);
    expect(c.rows.map((r) => r.label)).toEqual(['Volume', 'Max', 'Min', 'Mean', 'D100', 'D98', 'D95', 'D2cc']);
    expect(c.gamma.passRatePercent).toBe(100);
    // Every dose of the curve moves by 0.05 Gy; D98 = 2.65 -> 2.70, D2 = 9.85 -> 9.90, the volume stays.
    expect(c.differences.volumeCm3).toBe(0);
    for (const key of ['meanGy', 'D98', 'D95', 'D50', 'D2', 'D0.03cc'] as const) expect(c.differences[key], key).toBeCloseTo(0.05, 12);
    const strict = reference.compare(shifted(0.2), { doseTolerancePercent: 1, volumeTolerancePercent: 1 });
    expect(strict.gamma.pass).toBe(false);
    expect(reference.compare(shifted(0.2), { doseTolerancePercent: 3, volumeTolerancePercent: 3 }).gamma.pass).toBe(true);
  });

  it('gives null differences where the units do not allow them', () => {
    const c = compareDvhs(reference.relativeVolume, shifted(0.05).relativeVolume);
    expect(c.differences.volumeCm3).toBeNull();
    expect(c.differences['D0.03cc']).toBeNull();
    expect(c.differences.D50).toBeCloseTo(0.05, 12);
  });

  it('the planning system’s heart DVH of the example against itself: 100 %, gamma 0, in well under a second', async () => {
    const parser = DicomParser.fromBytes(readFileSync(examplePath('rtdose_substitute.dcm')));
    const heart = DVH.fromDicomDvh(parser, 5);
    const body = DVH.fromDicomDvh(parser, 1);
    const started = performance.now();
    const c = compareDvhs(body, body.with({ name: 'copy' }));
    expect(performance.now() - started).toBeLessThan(1000);
    expect([c.gamma.passRatePercent, c.gamma.maxGamma]).toEqual([100, 0]);
    expect(compareDvhs(heart, heart).gamma.points).toBe(250);
  });
});
