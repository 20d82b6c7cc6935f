// SPDX-License-Identifier: BSD-3-Clause
// Options and expressions that used to explode (crash, run for minutes, exhaust memory) or be
// silently ignored: each is refused up front with a coded error naming it and its accepted range,
// and legitimate values still give the numbers they gave before.
import { describe, expect, it } from 'vitest';
import { type CalculateDvhsOptions, calculateDvhs, getDvh } from '../../src/dvh/calculate.js';
import type { DvhCalculationOptions } from '../../src/dvh/calculation-options.js';
import { MAX_MARGIN_MM, MAX_ROI_EXPRESSION_DEPTH, MAX_ROI_EXPRESSION_LENGTH } from '../../src/dvh/option-limits.js';
import { parseRoiDefinition, parseRoiExpression } from '../../src/dvh/roi-expression.js';
import { parseStatisticName } from '../../src/dvh/statistics.js';
import { makePhantom } from '../../src/phantom/phantom.js';
import type { DoseGrid } from '../../src/model/dose-grid.js';
import type { StructureSet } from '../../src/model/structure-set.js';
import { exampleParser } from '../helpers/examples.js';
import { boxRing, makeDoseGrid, makeStructureSet } from '../helpers/synthetic.js';

/** A 2 mm grid over x, y in [-30, 30], frames z = -12..12 (2 mm apart), a uniform 10 Gy. */
function grid(): DoseGrid {
  return makeDoseGrid({
    rows: 31,
    columns: 31,
    frames: 13,
    originMm: [-30, -30, -12],
    pixelSpacingMm: [2, 2],
    frameOffsetsMm: Array.from({ length: 13 }, (_, k) => 2 * k),
    orientation: 'HFS',
    scaling: 0.001,
    dose: () => 10,
  });
}

/** Box: [-5, 5] x [-5, 5] on z = -2, 0, 2 (planes 2 mm apart). Other: [10, 20] x [10, 20] on the same planes. */
function structures(): StructureSet {
  const zs = [-2, 0, 2];
  return makeStructureSet([
    { number: 1, name: 'Box', planes: zs.map((zMm) => ({ zMm, rings: [boxRing(-5, -5, 5, 5)] })) },
    { number: 2, name: 'Other', planes: zs.map((zMm) => ({ zMm, rings: [boxRing(10, 10, 20, 20)] })) },
  ]);
}

const ss = structures();
const dose = grid();
const calc = (options: CalculateDvhsOptions) => calculateDvhs(ss, dose, { backend: 'cpu', ...options });

describe('sizes an option inflates are bounded before the work starts', () => {
  it('interpolationResolutionMm 1e-4 (a 20 000-fold split of each voxel) is E_INVALID_ARGUMENT naming the option and the finest accepted resolution', async () => {
    const started = performance.now();
    const run = calc({ algorithm: 'dicompyler', interpolationResolutionMm: 1e-4, rois: [1] });
    await expect(run).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT', details: { option: 'interpolationResolutionMm' } });
    await expect(run).rejects.toThrow(/interpolationResolutionMm .* at least 0\.0313 mm/);
    expect(performance.now() - started).toBeLessThan(10_000);
    // [row, column] form: only the column resolution is too fine.
    await expect(calc({ algorithm: 'dicompyler', interpolationResolutionMm: [1, 0.01], rois: [1] })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
  });

  it('a sampling finer than the memory ceiling allows is E_TOO_LARGE before any work', async () => {
    // 64 x 64 samples per 2 mm voxel: Box alone covers (10 mm / 0.03125 mm + 2)^2 = 103 684 samples per plane.
    await expect(calc({ algorithm: 'dicompyler', interpolationResolutionMm: 2 / 64, rois: [1], memoryLimitBytes: 200_000 })).rejects.toMatchObject({ code: 'E_TOO_LARGE' });
    await expect(calc({ algorithm: 'precise', supersampling: 63, rois: [1], memoryLimitBytes: 200_000 })).rejects.toMatchObject({ code: 'E_TOO_LARGE' });
  });

  it('interpolationSegmentsBetweenPlanes 1e9 (used to crash the process) and 101 are E_INVALID_ARGUMENT naming 0 to 100', async () => {
    for (const segments of [1e9, 101, -1, 2.5]) {
      await expect(calc({ algorithm: 'dicompyler', interpolationSegmentsBetweenPlanes: segments, rois: [1] })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT', message: expect.stringMatching(/interpolationSegmentsBetweenPlanes .*from 0 to 100/) });
    }
  });

  it('endCaps 1e9 (used to never finish) and 51 mm are E_INVALID_ARGUMENT naming 0 to 50 mm', async () => {
    const started = performance.now();
    for (const endCaps of [1e9, 51, -1, Number.NaN]) {
      await expect(calc({ algorithm: 'precise', endCaps, rois: [1] })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT', message: expect.stringMatching(/endCaps .*from 0 to 50/) });
    }
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('thicknessMm 1e9 (mean above max) and 50.5 are E_INVALID_ARGUMENT naming 0 to 50 mm', async () => {
    for (const thicknessMm of [1e9, 50.5, -2, Number.POSITIVE_INFINITY]) {
      await expect(calc({ algorithm: 'dicompyler', thicknessMm, rois: [1] })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT', message: expect.stringMatching(/thicknessMm .*from 0 .* to 50/) });
    }
  });

  it('expand(Box, 1000) and margins nested past 100 mm are E_BAD_ROI_EXPRESSION at parse time, within seconds', async () => {
    const started = performance.now();
    for (const expression of ['expand(Box, 1000)', 'shrink(Box, 100.5)', 'expand(Box, [1, 1, 300])', 'expand(expand(Box, 60), 60)', 'Other | shrink(expand(Box, 50), 51)']) {
      await expect(calc({ rois: [{ name: 'X', expression }] })).rejects.toMatchObject({ code: 'E_BAD_ROI_EXPRESSION' });
    }
    expect(() => parseRoiExpression('expand(Box, 1000)')).toThrow(/1000 mm is more than the 100 mm accepted/);
    expect(() => parseRoiExpression('expand(expand(Box, 60), 60)')).toThrow(/add up to 120 mm/);
    expect(performance.now() - started).toBeLessThan(10_000);
    // At the bounds: accepted.
    expect(() => parseRoiExpression(`expand(Box, ${MAX_MARGIN_MM})`)).not.toThrow();
    expect(() => parseRoiExpression('expand(shrink(Box, 50), 50) | expand(Other, 100)')).not.toThrow();
  });

  it('a margin whose fields exceed the memory ceiling fails that derived ROI with E_TOO_LARGE', async () => {
    // 20 mm around Box on a fine grid of 0.5 mm cells: (10 + 40 + 3) / 0.5 squared, about 11 000 cells per field.
    const r = await calc({ rois: [1, { name: 'Big', expression: 'expand(Box, 20)' }], memoryLimitBytes: 100_000 });
    expect(r.errors.map((e) => [e.name, e.code])).toEqual([['Big', 'E_TOO_LARGE']]);
    expect(r.dvhs.map((d) => d.name)).toEqual(['Box']);
  });
});

describe('ROI expressions: nesting and length are bounded', () => {
  const nested = (depth: number) => `${'('.repeat(depth)}Box${')'.repeat(depth)}`;

  it('5 000 and 10 000 nested parentheses are E_BAD_ROI_EXPRESSION, not a stack overflow', () => {
    for (const depth of [5_000, 10_000]) {
      expect(() => parseRoiExpression(nested(depth))).toThrow(expect.objectContaining({ code: 'E_BAD_ROI_EXPRESSION' }));
      expect(() => parseRoiDefinition(`X = ${nested(depth)}`)).toThrow(expect.objectContaining({ code: 'E_BAD_ROI_EXPRESSION' }));
    }
  });

  it(`${MAX_ROI_EXPRESSION_DEPTH} levels parse; one more (parentheses or expand/shrink) is refused with the column`, () => {
    expect(parseRoiExpression(nested(MAX_ROI_EXPRESSION_DEPTH))).toMatchObject({ kind: 'roi', ref: 'Box' });
    expect(() => parseRoiExpression(nested(MAX_ROI_EXPRESSION_DEPTH + 1))).toThrow(expect.objectContaining({ code: 'E_BAD_ROI_EXPRESSION', details: expect.objectContaining({ column: MAX_ROI_EXPRESSION_DEPTH + 1 }) }));
    const calls = `${'expand('.repeat(MAX_ROI_EXPRESSION_DEPTH + 1)}Box${', 0)'.repeat(MAX_ROI_EXPRESSION_DEPTH + 1)}`;
    expect(() => parseRoiExpression(calls)).toThrow(/more than 100 levels/);
  });

  it(`expressions longer than ${MAX_ROI_EXPRESSION_LENGTH} characters are refused; a chain that long still parses and evaluates`, async () => {
    // 'Box | ' repeated: a union of Box with itself is Box.
    const chain = (n: number) => Array.from({ length: n }, () => 'Box').join(' | ');
    const longest = chain(Math.floor((MAX_ROI_EXPRESSION_LENGTH + 3) / 6));
    expect(longest.length).toBeLessThanOrEqual(MAX_ROI_EXPRESSION_LENGTH);
    expect(() => parseRoiExpression(`${longest} | Box`)).toThrow(expect.objectContaining({ code: 'E_BAD_ROI_EXPRESSION', message: expect.stringMatching(/characters long; at most 4096/) }));
    const r = await calc({ algorithm: 'dicompyler', rois: [1, { name: 'Chain', expression: longest }] });
    expect(r.errors).toEqual([]);
    expect(r.dvhs[1].dvh.volume).toBe(r.dvhs[0].dvh.volume);
  });
});

describe('options the chosen algorithm cannot honour are refused (E_USAGE), never ignored', () => {
  const precise: [string, DvhCalculationOptions][] = [
    ['limitCGy', { limitCGy: 500 }],
    ['interpolationSegmentsBetweenPlanes', { interpolationSegmentsBetweenPlanes: 2 }],
    ['interpolationResolutionMm', { interpolationResolutionMm: 1 }],
    ['useStructureExtents', { useStructureExtents: true }],
  ];
  for (const [option, options] of precise) {
    it(`${option} with precise (named, and as the default) names the dicompyler algorithm`, async () => {
      for (const algorithm of ['precise', undefined] as const) {
        await expect(calc({ ...options, algorithm, rois: [1] })).rejects.toMatchObject({ code: 'E_USAGE', message: expect.stringMatching(new RegExp(`${option} .*dicompyler algorithm`)) });
      }
      await expect(getDvh(ss, dose, 1, { ...options, backend: 'cpu' })).rejects.toMatchObject({ code: 'E_USAGE' });
    });
  }
  const dicompyler: [string, DvhCalculationOptions][] = [
    ['endCaps', { endCaps: 'none' }],
    ['endCaps', { endCaps: 1 }],
    ['supersampling', { supersampling: 3 }],
  ];
  for (const [option, options] of dicompyler) {
    it(`${option} ${JSON.stringify(options)} with dicompyler names the precise algorithm`, async () => {
      await expect(calc({ ...options, algorithm: 'dicompyler', rois: [1] })).rejects.toMatchObject({ code: 'E_USAGE', message: expect.stringMatching(new RegExp(`${option} .*precise algorithm`)) });
    });
  }

  it('values that ask for nothing beyond the algorithm\'s own behaviour are accepted', async () => {
    const a = await calc({ algorithm: 'precise', interpolationSegmentsBetweenPlanes: 0, useStructureExtents: false, rois: [1] });
    const b = await calc({ algorithm: 'dicompyler', endCaps: 'half', rois: [1] });
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
  });
});

describe('legitimate values give the numbers they gave before', () => {
  it('dicompyler, interpolationResolutionMm = half the pixel spacing: 10 x 10 samples of 1 mm^2 on each of 3 planes of 2 mm = 0.6 cm^3', async () => {
    // The 2 mm voxels split in 2 x 2: samples at odd half-millimetres (-4.5 ... 4.5 inside [-5, 5]).
    const dvh = await getDvh(ss, dose, 1, { algorithm: 'dicompyler', backend: 'cpu', interpolationResolutionMm: 1 });
    expect(dvh.volume).toBeCloseTo(0.6, 12);
    // Voxel centres only: -4, -2, 0, 2, 4 inside, 25 of 4 mm^2 on each plane.
    expect((await getDvh(ss, dose, 1, { algorithm: 'dicompyler', backend: 'cpu' })).volume).toBeCloseTo(0.6, 12);
  });

  it('precise, thicknessMm 50 and endCaps 50 (the bounds) run; the uniform 10 Gy dose stays 10 Gy', async () => {
    const r = await calc({ algorithm: 'precise', thicknessMm: 4, endCaps: 50, rois: [1] });
    expect(r.errors).toEqual([]);
    const dvh = r.dvhs[0].dvh;
    // Prism volume: 100 mm^2 x the slabs [-52, 0], [-2, 2] and [0, 52] mm (4 mm slabs, 50 mm caps) = 100 x 108 mm^3.
    expect(dvh.volume).toBeCloseTo((100 * (50 + 4 + 4 + 50)) / 1000, 9);
    // The mean is taken at bin midpoints: within half a 0.1 cGy bin of the dose.
    expect(Math.abs(dvh.mean - 10)).toBeLessThanOrEqual(0.0005 + 1e-9);
    expect(dvh.max).toBeCloseTo(10, 6);
  });
});

describe('statistics that cannot exist are refused when parsed', () => {
  it('D150 and D100.0001 are E_BAD_STATISTIC (they used to return 0 Gy); D100 and D0 are fine', async () => {
    for (const name of ['D150', 'D100.0001', 'D100.0001%', 'd101']) expect(() => parseStatisticName(name)).toThrow(expect.objectContaining({ code: 'E_BAD_STATISTIC' }));
    expect(parseStatisticName('D100')).toEqual({ kind: 'D', volume: 100, volumeUnits: '%' });
    expect(parseStatisticName('D0')).toEqual({ kind: 'D', volume: 0, volumeUnits: '%' });
    const dvh = await getDvh(ss, dose, 1, { algorithm: 'dicompyler', backend: 'cpu' });
    expect(() => dvh.statistic('D150')).toThrow(expect.objectContaining({ code: 'E_BAD_STATISTIC' }));
  });

  it('doseConstraint, the same lookup by value: above 100 % or a negative volume is E_INVALID_ARGUMENT (it returned 0)', async () => {
    const dvh = await getDvh(ss, dose, 1, { algorithm: 'dicompyler', backend: 'cpu' });
    for (const [volume, units] of [[150, '%'], [100.0001, '%'], [-1, '%'], [-0.5, 'cm3']] as const) {
      expect(() => dvh.doseConstraint(volume, units)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    }
    // The whole structure receives the uniform 10 Gy: D100 is 10 Gy (the lower edge of its bin).
    expect(dvh.doseConstraint(100).value).toBeCloseTo(10, 9);
  });

  it('numbers past float64 are E_BAD_STATISTIC; signs, exponents and NaN are outside the grammar', () => {
    for (const name of [`V${'9'.repeat(400)}Gy`, `D${'9'.repeat(400)}cc`, 'D-5', 'V-1Gy', 'D1e2', 'DNaN', 'VInfinityGy', 'D.5']) {
      expect(() => parseStatisticName(name)).toThrow(expect.objectContaining({ code: 'E_BAD_STATISTIC' }));
    }
  });
});

describe('a derived ROI may not take the name of another ROI', () => {
  it('the name of a structure-set ROI, in any case, is E_BAD_ROI_EXPRESSION', async () => {
    for (const name of ['Box', 'box', ' BOX ']) {
      await expect(calc({ rois: [1, { name, expression: 'Box | Other' }] })).rejects.toMatchObject({ code: 'E_BAD_ROI_EXPRESSION', message: expect.stringMatching(/has the name of ROI 1 "Box"/) });
    }
  });

  it('two derived ROIs of one name (ignoring case) are E_BAD_ROI_EXPRESSION before any file is read', async () => {
    const run = calculateDvhs('/nonexistent/rtss.dcm', '/nonexistent/rtdose.dcm', { rois: [{ name: 'Both', expression: 'Box | Other' }, { name: 'both', expression: 'Box & Other' }] });
    await expect(run).rejects.toMatchObject({ code: 'E_BAD_ROI_EXPRESSION', message: expect.stringMatching(/two derived ROIs are named "Both" and "both"/) });
  });
});

describe('phantoms: grid and contour spacings are bounded', () => {
  it('doseGridMm 0.01 (10^11 voxels) and contourSpacingMm 1e-4 are E_INVALID_ARGUMENT naming the range, at once', () => {
    const started = performance.now();
    expect(() => makePhantom({ shape: 'sphere', contourSpacingMm: 2, doseGridMm: 0.01, dose: 'gradient-ap' })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT', message: expect.stringMatching(/doseGridMm .*from 0\.2 to 20/) }));
    expect(() => makePhantom({ shape: 'sphere', contourSpacingMm: 1e-4, doseGridMm: 2, dose: 'gradient-ap' })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT', message: expect.stringMatching(/contourSpacingMm .*from 0\.1 to 20/) }));
    expect(() => makePhantom({ shape: 'sphere', contourSpacingMm: 2, doseGridMm: 1e9, dose: 'gradient-ap' })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});

describe('the example Heart (real DICOM)', () => {
  it('expand(Heart, 1000) is refused at once; expand(Heart, 5) is computed', async () => {
    const rtss = exampleParser('rtss.dcm');
    const rtdose = exampleParser('rtdose_substitute.dcm');
    const started = performance.now();
    await expect(calculateDvhs(rtss, rtdose, { backend: 'cpu', rois: [{ name: 'X', expression: 'expand(Heart, 1000)' }] })).rejects.toMatchObject({ code: 'E_BAD_ROI_EXPRESSION' });
    expect(performance.now() - started).toBeLessThan(10_000);
    const r = await calculateDvhs(rtss, rtdose, { backend: 'cpu', algorithm: 'dicompyler', rois: ['Heart', { name: 'Heart+5', expression: 'expand(Heart, 5)' }] });
    expect(r.errors).toEqual([]);
    expect(r.dvhs[1].dvh.volume).toBeGreaterThan(r.dvhs[0].dvh.volume);
  }, 60_000);
});
