// SPDX-License-Identifier: BSD-3-Clause
// The dose module against closed forms: trilinear resampling reproduces a linear dose exactly,
// grids in every orientation that share voxel centres add exactly, and the summation rules
// (compatibility, weights, immutability, cancellation) hold.
import { describe, expect, it } from 'vitest';
import { doseDifferenceGy, sumDoseGrids, sumDoseGy } from '../../src/dose/sum.js';
import { calculateDvhs } from '../../src/dvh/calculate.js';
import { DoseGrid } from '../../src/model/dose-grid.js';
import type { PatientOrientation } from '../../src/model/orientation.js';
import { examplePath } from '../helpers/examples.js';
import { mulberry32 } from '../helpers/point-in-path.js';
import { ALL_ORIENTATIONS, ORIENTATION_COSINES, makeDoseGrid } from '../helpers/synthetic.js';

/** A box of voxel centres in patient space: per patient axis the first centre, the count and the spacing (mm). */
interface Box {
  readonly x: readonly [number, number, number];
  readonly y: readonly [number, number, number];
  readonly z: readonly [number, number, number];
}

/** A grid in `orientation` whose voxel centres are exactly those of `box`, holding `dose`. */
function gridOver(box: Box, orientation: PatientOrientation, dose: (x: number, y: number, z: number) => number, scaling = 1e-6, frameSteps?: readonly number[]): DoseGrid {
  const cos = ORIENTATION_COSINES[orientation];
  const columnAxis = Math.abs(cos[0]) > 0 ? 'x' : 'y';
  const rowAxis = columnAxis === 'x' ? 'y' : 'x';
  const columnSign = cos[columnAxis === 'x' ? 0 : 1];
  const rowSign = cos[rowAxis === 'x' ? 3 : 4];
  const [c0, columns, dc] = box[columnAxis];
  const [r0, rows, dr] = box[rowAxis];
  const [z0, frames, dz] = box.z;
  const headFirst = orientation.startsWith('HF');
  const steps = frameSteps ?? new Array(frames - 1).fill(dz);
  const zs = [z0];
  for (const s of steps) zs.push(zs[zs.length - 1] + s);
  const origin: Record<'x' | 'y', number> = { x: 0, y: 0 };
  origin[columnAxis] = columnSign > 0 ? c0 : c0 + (columns - 1) * dc;
  origin[rowAxis] = rowSign > 0 ? r0 : r0 + (rows - 1) * dr;
  const originZ = headFirst ? zs[0] : zs[zs.length - 1];
  const offsets = headFirst ? zs.map((z) => z - originZ) : zs.map((z) => originZ - z).reverse();
  return makeDoseGrid({
    rows,
    columns,
    frames,
    originMm: [origin.x, origin.y, originZ],
    pixelSpacingMm: [dr, dc],
    frameOffsetsMm: offsets,
    orientation,
    scaling,
    dose,
    frameOfReferenceUid: '2.25.42',
  });
}

const linear = (x: number, y: number, z: number): number => 5 + 0.01 * x + 0.02 * y + 0.03 * z;

describe('orientation and spacing are honoured', () => {
  const box: Box = { x: [-20, 9, 2.5], y: [-10, 7, 3], z: [-6, 5, 2] };
  const hfs = gridOver(box, 'HFS', linear);

  it.each(ALL_ORIENTATIONS)('a %s grid with the same voxel centres as an HFS grid adds to exactly twice it', async (orientation) => {
    const other = gridOver(box, orientation, linear);
    expect(other.geometry.orientation).toBe(orientation);
    const { dose, coincident } = await sumDoseGy([hfs, other], { backend: 'cpu' });
    expect(coincident[1]).toBe(orientation === 'HFS');
    const base = hfs.doseGy();
    for (let i = 0; i < dose.length; i += 1) expect(dose[i]).toBe(2 * hfs.pixels[i] * hfs.gyPerStoredUnit);
    expect(base.length).toBe(dose.length);
  });

  it('trilinear resampling reproduces a linear dose at every target voxel inside the source, on random grids in every orientation', async () => {
    const random = mulberry32(20261125);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    for (let trial = 0; trial < 40; trial += 1) {
      const source: Box = {
        x: [-30 + 10 * random(), 6 + Math.floor(random() * 6), 1 + 3 * random()],
        y: [-30 + 10 * random(), 6 + Math.floor(random() * 6), 1 + 3 * random()],
        z: [-20 + 10 * random(), 4 + Math.floor(random() * 4), 1 + 3 * random()],
      };
      const uneven = trial % 3 === 0 ? Array.from({ length: source.z[1] - 1 }, () => 1 + 3 * random()) : undefined;
      const target: Box = {
        x: [-35 + 10 * random(), 8, 2 + 2 * random()],
        y: [-35 + 10 * random(), 8, 2 + 2 * random()],
        z: [-25 + 10 * random(), 6, 2 + 2 * random()],
      };
      const src = gridOver(source, pick(ALL_ORIENTATIONS), linear, 1e-6, uneven);
      const tgt = gridOver(target, pick(ALL_ORIENTATIONS), () => 0);
      const mode = trial % 2 === 0 ? 'constant' : 'nearest';
      const { dose } = await sumDoseGy([tgt, src], { backend: 'cpu', mode, weights: [0, 1] });
      const zs = src.geometry.frameZMm;
      const [zLo, zHi] = [Math.min(zs[0], zs[zs.length - 1]), Math.max(zs[0], zs[zs.length - 1])];
      const range = (b: readonly [number, number, number]): [number, number] => [b[0], b[0] + (b[1] - 1) * b[2]];
      const [xLo, xHi] = range(source.x);
      const [yLo, yHi] = range(source.y);
      const g = tgt.geometry;
      for (let f = 0; f < g.frames; f += 1) {
        for (let r = 0; r < g.rows; r += 1) {
          for (let c = 0; c < g.columns; c += 1) {
            const x = g.originMm[0] + g.rowCosines[0] * g.pixelSpacingMm[1] * c + g.columnCosines[0] * g.pixelSpacingMm[0] * r;
            const y = g.originMm[1] + g.rowCosines[1] * g.pixelSpacingMm[1] * c + g.columnCosines[1] * g.pixelSpacingMm[0] * r;
            const z = g.frameZMm[f];
            const inside = x >= xLo && x <= xHi && y >= yLo && y <= yHi && z >= zLo && z <= zHi;
            const value = dose[(f * g.rows + r) * g.columns + c];
            const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
            if (inside) expect(Math.abs(value - linear(x, y, z))).toBeLessThan(2e-6);
            else if (mode === 'constant') expect(value).toBe(0);
            else expect(Math.abs(value - linear(clamp(x, xLo, xHi), clamp(y, yLo, yHi), clamp(z, zLo, zHi)))).toBeLessThan(2e-6);
          }
        }
      }
    }
  });
});

describe('summation rules', () => {
  const box: Box = { x: [0, 6, 2], y: [0, 5, 2], z: [0, 4, 2] };
  const withInfo = (grid: DoseGrid, changes: Partial<DoseGrid['info']>): DoseGrid => new DoseGrid(grid.geometry, grid.pixels, grid.doseGridScaling, { ...grid.info, ...changes });
  const a = withInfo(gridOver(box, 'HFS', linear), { doseType: 'PHYSICAL', summationType: 'PLAN', source: 'a.dcm', referencedPlanUid: '2.25.100' });

  it.each([
    ['DoseUnits', { doseUnits: 'RELATIVE' }],
    ['DoseType', { doseType: 'EFFECTIVE' }],
    ['DoseSummationType', { summationType: 'FRACTION' }],
    ['FrameOfReferenceUID', { frameOfReferenceUid: '2.25.43' }],
  ] as const)('a different %s is E_INCOMPATIBLE_DOSE naming it; force sums and records a warning', async (attribute, change) => {
    const b = withInfo(a, { ...change, source: 'b.dcm' });
    await expect(a.add(b)).rejects.toMatchObject({ code: 'E_INCOMPATIBLE_DOSE', details: { attribute } });
    await expect(a.add(b)).rejects.toThrow(/force/);
    const forced = await a.add(b, { force: true });
    expect(forced.info.derivation?.warnings.join(' ')).toContain(attribute);
  });

  it('Gy and cGy doses add once both are in Gy', async () => {
    const inCGy = new DoseGrid(a.geometry, a.pixels, a.doseGridScaling * 100, { ...a.info, doseUnits: 'CGY' });
    const { dose } = await sumDoseGy([a, inCGy], { backend: 'cpu' });
    a.pixels.forEach((p, i) => expect(dose[i]).toBeCloseTo(2 * p * a.doseGridScaling, 12));
    expect((await a.add(inCGy)).info.doseUnits).toBe('GY');
  });

  it('weights: one per grid, finite and >= 0', async () => {
    await expect(sumDoseGrids([a, a], { weights: [1] })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    await expect(sumDoseGrids([a, a], { weights: [1, -1] })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    await expect(sumDoseGrids([a, a], { weights: [1, Number.NaN] })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    await expect(sumDoseGrids([])).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    await expect(a.add(a, { order: 3 as 1 })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    await expect(a.multiply(-1)).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    const sum = await sumDoseGrids([a, a, a], { weights: [1, 0.5, 2] });
    const step = sum.doseGridScaling;
    a.pixels.forEach((p, i) => expect(Math.abs(sum.pixels[i] * step - 3.5 * p * a.doseGridScaling)).toBeLessThanOrEqual(step / 2 + 1e-15));
  });

  it('inputs are never changed, and the result is a new MULTI_PLAN dose with new UIDs', async () => {
    const before = Uint32Array.from(a.pixels as Uint32Array);
    const b = gridOver({ x: [0.7, 6, 2], y: [0.3, 5, 2], z: [0.5, 4, 2] }, 'FFS', linear);
    const sum = await a.add(withInfo(b, { doseType: 'PHYSICAL', summationType: 'PLAN', referencedPlanUid: '2.25.200', source: 'b.dcm' }));
    expect(a.pixels).toEqual(before);
    expect(Object.isFrozen(sum)).toBe(true);
    expect(sum.info.summationType).toBe('MULTI_PLAN');
    expect(sum.info.sopInstanceUid).not.toBe(a.info.sopInstanceUid);
    expect(sum.info.derivation?.inputs.map((i) => [i.source, i.resampled])).toEqual([
      ['a.dcm', false],
      ['b.dcm', true],
    ]);
  });

  it('a difference is signed, and a grid minus itself is exactly zero', async () => {
    const shifted = gridOver({ x: [1, 6, 2], y: [0, 5, 2], z: [0, 4, 2] }, 'HFS', (x, y, z) => 2 * linear(x, y, z));
    const zero = await doseDifferenceGy(a, a);
    expect(zero.every((v) => v === 0)).toBe(true);
    const difference = await doseDifferenceGy(a, withInfo(shifted, { doseType: 'PHYSICAL', summationType: 'PLAN' }), { mode: 'nearest' });
    expect(Math.min(...difference)).toBeLessThan(0);
  });

  it('an aborted signal stops a sum with an AbortError', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(sumDoseGrids([a, a], { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('getIjkPoints gives the other grid\'s voxel centres in this grid\'s index space', async () => {
    const base = await DoseGrid.fromFile(examplePath('rtdose_substitute.dcm'));
    const shifted = await DoseGrid.fromFile(examplePath('rtdose_shifted.dcm'));
    const ijk = base.getIjkPoints(shifted);
    expect(ijk.column[0]).toBeCloseTo(3.3 / 2.5, 12);
    expect(ijk.row[0]).toBeCloseTo(-1.7 / 2.5, 12);
    expect(ijk.frame[0]).toBeCloseTo(1.2 / 3, 12);
    expect(ijk.along).toEqual([0, 1, 2]);
  });
});

describe('DVHs of a summed dose', () => {
  it('equal, for coincident grids, the DVHs of the dose summed directly', async () => {
    const base = await DoseGrid.fromFile(examplePath('rtdose_substitute.dcm'));
    const summed = await base.add(base);
    const direct = new DoseGrid(base.geometry, base.pixels, base.doseGridScaling * 2, base.info);
    const rtss = examplePath('rtss.dcm');
    for (const algorithm of ['dicompyler', 'precise'] as const) {
      const [fromSum, fromDirect] = await Promise.all([summed, direct].map((dose) => calculateDvhs(rtss, dose, { algorithm, backend: 'cpu', rois: [5, 8, 9] })));
      expect(fromSum.dvhs.map((d) => d.roi)).toEqual([5, 8, 9]);
      fromSum.dvhs.forEach((d, i) => {
        const other = fromDirect.dvhs[i].dvh;
        expect(Math.abs(d.dvh.volume - other.volume)).toBeLessThanOrEqual(1e-12 * other.volume);
        for (const stat of ['mean', 'max', 'min'] as const) expect(Math.abs(d.dvh[stat] - other[stat])).toBeLessThan(1e-6);
        for (const name of ['D95', 'D2', 'D0.03cc', 'V20Gy']) expect(Math.abs(d.dvh.statistic(name).value - other.statistic(name).value)).toBeLessThan(1e-6);
      });
    }
  });
});
