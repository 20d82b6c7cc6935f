// SPDX-License-Identifier: BSD-3-Clause
// Runaway work in DVH calculation: a contour vertex kilometres away (refused per ROI; the precise
// algorithm's surface walk bounded by the dose grid and interruptible either way), and maximum
// doses far above the usual (the histogram's bins coarsen past MAX_HISTOGRAM_BINS instead of
// growing with the dose; beyond MAX_PLAUSIBLE_DOSE_GY the dose is refused).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { createCheckpoint } from '../../src/backend/abort.js';
import { DicomParser } from '../../src/dicom/parser.js';
import { calculateDvhs, getDvh } from '../../src/dvh/calculate.js';
import { MAX_HISTOGRAM_BINS } from '../../src/dvh/dose-binning.js';
import { surfaceStoredDoseRange } from '../../src/dvh/surface-dose.js';
import { MAX_PLAUSIBLE_DOSE_GY } from '../../src/model/dose-plausibility.js';
import { MAX_CONTOUR_COORDINATE_MM } from '../../src/model/structure-set.js';
import * as api from '../../src/index.js';
import { TransferSyntax, makeSyntheticDose, syntheticStructureSetDataset, writeDataset } from '../helpers/dicom-writer.js';
import { boxRing, makeDoseGrid, makeStructureSet } from '../helpers/synthetic.js';

const ALGORITHMS = ['precise', 'dicompyler'] as const;

/** The synthetic structure set (BODY, PTV) with one coordinate of BODY's third contour replaced. */
function structureSetWithVertex(value: number, coordinate = 3): Uint8Array {
  const dataset = syntheticStructureSetDataset();
  const body = (dataset.ROIContourSequence as { ContourSequence: { ContourData: number[] }[] }[])[0];
  body.ContourSequence[2].ContourData[coordinate] = value;
  return writeDataset(dataset, TransferSyntax.ExplicitVRLittleEndian);
}

/** A dose grid of `doseGy(x, y, z)` on 41 x 41 x 11 voxels of 2 mm (-40..40 mm, z -10..10 mm). */
function grid(doseGy: (x: number, y: number, z: number) => number, scaling: number, source = 'dose.dcm') {
  return makeDoseGrid({
    rows: 41,
    columns: 41,
    frames: 11,
    originMm: [-40, -40, -10],
    pixelSpacingMm: [2, 2],
    frameOffsetsMm: Array.from({ length: 11 }, (_, k) => 2 * k),
    orientation: 'HFS',
    scaling,
    dose: doseGy,
    source,
  });
}

/** A box ROI over [x0, x1] x [y0, y1] on the planes z = -4, -2, ..., 4 (end caps reach -5 and 5). */
function boxStructure(x0: number, y0: number, x1: number, y1: number) {
  const planes = [-4, -2, 0, 2, 4].map((zMm) => ({ zMm, rings: [boxRing(x0, y0, x1, y1)] }));
  return makeStructureSet([{ number: 1, name: 'Box', planes }]);
}

describe('a contour vertex beyond 10 m', () => {
  it.each([1e5, 1e10, 1e300])('at %d mm: E_MALFORMED_DICOM for that ROI only (ROI, contour and vertex named), the others computed, on both algorithms, at once', async (far) => {
    const rtss = DicomParser.fromBytes(structureSetWithVertex(far), 'far-rtss.dcm');
    const dose = DicomParser.fromBytes(makeSyntheticDose(), 'dose.dcm');
    for (const algorithm of ALGORITHMS) {
      const started = performance.now();
      const result = await calculateDvhs(rtss, dose, { backend: 'cpu', algorithm, force: true });
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toMatchObject({ roi: 1, name: 'BODY', code: 'E_MALFORMED_DICOM' });
      expect(result.errors[0].message).toMatch(/far-rtss\.dcm: ROI 1, contour 3, vertex 2: ContourData/);
      expect(result.errors[0].message).toContain(`${MAX_CONTOUR_COORDINATE_MM} mm`);
      expect(result.dvhs.map((d) => d.roi)).toEqual([2]);
      expect(result.dvhs[0].dvh.volume).toBeCloseTo(0.75, 6);
      // Refused before any work on it: far below the seconds a walk along the edge took.
      expect(performance.now() - started).toBeLessThan(10_000);
    }
  }, 60_000);

  it('a far z, and an ROI built in code (not read from a file), fail the same way', async () => {
    const rtss = DicomParser.fromBytes(structureSetWithVertex(-2e4, 5), 'far-z.dcm');
    const dose = DicomParser.fromBytes(makeSyntheticDose(), 'dose.dcm');
    const fromFile = await calculateDvhs(rtss, dose, { backend: 'cpu', force: true });
    expect(fromFile.errors[0]).toMatchObject({ roi: 1, code: 'E_MALFORMED_DICOM' });
    expect(fromFile.errors[0].message).toMatch(/ROI 1, contour 3, vertex 2: .*-20000/);

    const built = makeStructureSet([
      { number: 1, name: 'Far', planes: [-2, 0, 2].map((zMm) => ({ zMm, rings: [zMm === 0 ? [[0, 0], [1e9, 0], [0, 10]] : boxRing(-5, -5, 5, 5)] })) },
      { number: 2, name: 'Near', planes: [-2, 0, 2].map((zMm) => ({ zMm, rings: [boxRing(-5, -5, 5, 5)] })) },
      { number: 3, name: 'NaN', planes: [-2, 0, 2].map((zMm) => ({ zMm, rings: [zMm === 2 ? [[0, 0], [5, Number.NaN], [0, 5]] : boxRing(-5, -5, 5, 5)] })) },
    ]);
    const doseGrid = grid(() => 2, 1e-4);
    for (const algorithm of ALGORITHMS) {
      const result = await calculateDvhs(built, doseGrid, { backend: 'cpu', algorithm });
      expect(result.errors).toHaveLength(2);
      expect(result.errors[0]).toMatchObject({ roi: 1, code: 'E_MALFORMED_DICOM' });
      expect(result.errors[0].message).toMatch(/ROI 1, contour 2, vertex 2: ContourData has the point \(1000000000, 0, 0\) mm/);
      expect(result.errors[1]).toMatchObject({ roi: 3, code: 'E_MALFORMED_DICOM' });
      expect(result.errors[1].message).toMatch(/ROI 3, contour 3, vertex 2: .*not a finite/);
      expect(result.dvhs.map((d) => d.roi)).toEqual([2]);
    }
    // A derived ROI with it as an operand says why.
    await expect(getDvh(built, doseGrid, { name: 'Both', expression: 'Far | Near' }, { backend: 'cpu' })).rejects.toMatchObject({ code: 'E_MALFORMED_DICOM' });
  });

  it('a vertex at 9 000 mm (allowed) computes under the precise algorithm in about the time of any other ROI', async () => {
    const rtss = DicomParser.fromBytes(structureSetWithVertex(9000), 'rtss.dcm');
    const dose = DicomParser.fromBytes(makeSyntheticDose(), 'dose.dcm');
    const started = performance.now();
    const result = await calculateDvhs(rtss, dose, { backend: 'cpu', force: true });
    expect(result.errors).toEqual([]);
    expect(result.dvhs.map((d) => d.roi)).toEqual([1, 2]);
    expect(performance.now() - started).toBeLessThan(20_000);
  }, 60_000);
});

describe('the precise algorithm surface walk', () => {
  // Dose rising along x: 0 Gy at x = -40 mm to 80 Gy at x = 40 mm (the grid's last column).
  const linear = grid((x) => x + 40, 1e-4);

  it('is bounded by the dose grid: an edge 1e12 mm long costs no more than one across the grid, and sees the same extremes', async () => {
    const slab = (x1: number) => [{ rings: [Float64Array.from([-10, 0, x1, 0, x1, 5, -10, 5])], zLowMm: -1, zHighMm: 1 }];
    const started = performance.now();
    const far = await surfaceStoredDoseRange(linear, slab(1e12), 0.01);
    expect(performance.now() - started).toBeLessThan(10_000);
    const near = await surfaceStoredDoseRange(linear, slab(100), 0.01);
    expect(far).not.toBeNull();
    // The grid clamps beyond its edge: 80 Gy at most, 30 Gy at x = -10 mm.
    expect(far![0] * 1e-4).toBeCloseTo(30, 6);
    expect(far![1] * 1e-4).toBeCloseTo(80, 6);
    expect(far).toEqual(near);
  }, 60_000);

  it('yields and honours an abort', async () => {
    const controller = new AbortController();
    controller.abort();
    // 240 000 points on 7 faces: long enough to pass several checkpoints.
    const ring = Float64Array.from([-30, -30, 30, -30, 30, 30, -30, 30]);
    await expect(surfaceStoredDoseRange(linear, [{ rings: [ring], zLowMm: -5, zHighMm: 5 }], 0.001, createCheckpoint(controller.signal))).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('large maximum doses', () => {
  it('MAX_HISTOGRAM_BINS and MAX_PLAUSIBLE_DOSE_GY are public', () => {
    expect(api.MAX_HISTOGRAM_BINS).toBe(MAX_HISTOGRAM_BINS);
    expect(MAX_HISTOGRAM_BINS).toBe(2 ** 17);
    expect(api.MAX_PLAUSIBLE_DOSE_GY).toBe(100_000);
    expect(api.MAX_CONTOUR_COORDINATE_MM).toBe(10_000);
  });

  it('a uniform 3 800 Gy box (brachytherapy next to a source): done in seconds, 5 cGy bins with a warning, mean and max of 3 800 Gy', async () => {
    const structure = boxStructure(-9, -9, 9, 9);
    const dose = grid(() => 3800, 1e-3);
    for (const algorithm of ALGORITHMS) {
      const started = performance.now();
      const dvh = await getDvh(structure, dose, 1, { backend: 'cpu', algorithm });
      expect(performance.now() - started).toBeLessThan(20_000);
      const width = dvh.bins[1] - dvh.bins[0];
      expect(width).toBeCloseTo(0.05, 12);
      expect(dvh.bins.length).toBeLessThanOrEqual(MAX_HISTOGRAM_BINS + 1);
      expect(dvh.computedBy?.warnings?.some((w) => /5 cGy \(0\.05 Gy\) wide/.test(w))).toBe(true);
      // Within one bin (dicompyler's maximum is its last bin's upper edge).
      for (const value of [dvh.mean, dvh.max, dvh.min]) expect(Math.abs(value - 3800)).toBeLessThanOrEqual(width + 1e-9);
      expect(dvh.volume).toBeCloseTo((18 * 18 * 10) / 1000, 6);
    }
  }, 120_000);

  it('the histograms are checked against the memory ceiling before they are allocated', async () => {
    const previous = process.env.DOSEKIT_MAX_MEMORY;
    process.env.DOSEKIT_MAX_MEMORY = '1M';
    try {
      await expect(getDvh(boxStructure(-9, -9, 9, 9), grid(() => 3800, 1e-3), 1, { backend: 'cpu' })).rejects.toMatchObject({ code: 'E_TOO_LARGE' });
    } finally {
      if (previous === undefined) delete process.env.DOSEKIT_MAX_MEMORY;
      else process.env.DOSEKIT_MAX_MEMORY = previous;
    }
  });

  it('a maximum of 200 000 Gy is refused with E_IMPLAUSIBLE_DOSE naming the file, the maximum, DoseGridScaling and the way out', async () => {
    const dose = grid(() => 200_000, 1e-4, 'huge-dose.dcm');
    for (const algorithm of ALGORITHMS) {
      const error = await calculateDvhs(boxStructure(-9, -9, 9, 9), dose, { backend: 'cpu', algorithm }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'E_IMPLAUSIBLE_DOSE', details: { file: 'huge-dose.dcm', attribute: 'DoseGridScaling' } });
      const message = (error as Error).message;
      expect(message).toMatch(/^huge-dose\.dcm: the maximum dose is 200000 Gy \(largest stored value 2000000000 x DoseGridScaling 0\.0001 Gy\), more than 100000 Gy/);
      expect(message).toMatch(/check DoseGridScaling and DoseUnits/);
    }
  });

  it.each([
    ['DoseGridScaling 1', (d: Record<string, unknown>) => (d.DoseGridScaling = 1)],
    ['no DoseGridScaling', (d: Record<string, unknown>) => delete d.DoseGridScaling],
    ['DoseGridScaling 1e30', (d: Record<string, unknown>) => (d.DoseGridScaling = 1e30)],
  ])('stored integers up to 38 million with %s: E_IMPLAUSIBLE_DOSE, not E_INTERNAL', async (_, edit) => {
    const dose = DicomParser.fromBytes(
      makeSyntheticDose({ value: (c, r, f) => Math.round(38_000_000 * Math.exp(-((c - 8) ** 2 + (r - 6) ** 2 + (f - 2) ** 2) / 20)) }, edit),
      'unscaled-dose.dcm',
    );
    const rtss = DicomParser.fromBytes(writeDataset(syntheticStructureSetDataset(), TransferSyntax.ExplicitVRLittleEndian), 'rtss.dcm');
    for (const algorithm of ALGORITHMS) {
      await expect(calculateDvhs(rtss, dose, { backend: 'cpu', algorithm, force: true })).rejects.toMatchObject({ code: 'E_IMPLAUSIBLE_DOSE', details: { file: 'unscaled-dose.dcm' } });
    }
  });

  it('`dosekit info` warns of a maximum above 100 000 Gy (and that DVH calculation will refuse it), not of an ordinary one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dosekit-implausible-'));
    const unscaled = join(dir, 'unscaled.dcm');
    const ordinary = join(dir, 'ordinary.dcm');
    writeFileSync(unscaled, makeSyntheticDose({ value: () => 38_000_000 }, (d) => delete d.DoseGridScaling));
    writeFileSync(ordinary, makeSyntheticDose());
    const run = async (args: string[]) => {
      let stdout = '';
      let stderr = '';
      const code = await main(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTerminal: false });
      return { code, stdout, stderr };
    };
    const table = await run(['info', unscaled]);
    expect(table.code).toBe(0);
    expect(table.stderr).toMatch(/^warning: .*unscaled\.dcm: the maximum dose is 38000000 Gy \(largest stored value 38000000 x DoseGridScaling 1 Gy\).*E_IMPLAUSIBLE_DOSE.*DoseGridScaling and DoseUnits/);
    // Said once, not once per way of saying it.
    expect(table.stderr.match(/E_IMPLAUSIBLE_DOSE/g)).toHaveLength(1);
    const json = await run(['info', unscaled, '--json']);
    expect(JSON.parse(json.stdout).warnings.some((w: string) => w.includes('E_IMPLAUSIBLE_DOSE'))).toBe(true);
    expect(json.stderr).toMatch(/^warning: /);
    expect(json.stderr.match(/E_IMPLAUSIBLE_DOSE/g)).toHaveLength(1);
    const fine = await run(['info', ordinary, '--json']);
    expect(fine.stderr).toBe('');
    expect(JSON.parse(fine.stdout).warnings).toEqual([]);
  });

  it('at 20 000 Gy: 20 cGy bins, and D / V statistics of a known dose within one bin of the analytic values', async () => {
    // Dose linear in x, 10 000 Gy at x = -40 mm to 20 000 Gy at x = 40 mm. The box [-9, 9] mm has
    // voxel boundaries for edges, so the samples' cells tile it: its doses are uniform on
    // [13 875, 16 125] Gy.
    const dose = grid((x) => 10_000 + 125 * (x + 40), 2e-5);
    expect(dose.maxDoseGy).toBeCloseTo(20_000, 6);
    const dvh = await getDvh(boxStructure(-9, -9, 9, 9), dose, 1, { backend: 'cpu' });
    const width = dvh.bins[1] - dvh.bins[0];
    expect(width).toBeCloseTo(0.2, 12);
    expect(dvh.computedBy?.warnings?.some((w) => /20 cGy \(0\.2 Gy\) wide/.test(w))).toBe(true);
    const low = 13_875;
    const range = 2250;
    for (const percent of [98, 95, 50, 2]) {
      expect(Math.abs(dvh.statistic(`D${percent}`).value - (low + (1 - percent / 100) * range)), `D${percent}`).toBeLessThanOrEqual(width);
    }
    expect(Math.abs(dvh.mean - 15_000)).toBeLessThanOrEqual(width);
    expect(Math.abs(dvh.max - (low + range))).toBeLessThanOrEqual(width);
    expect(Math.abs(dvh.min - low)).toBeLessThanOrEqual(width);
    // V(d) is the fraction above d; one 20 cGy bin holds 1e-4 of the volume.
    for (const [doseGy, fraction] of [[14_437.5, 0.75], [15_000, 0.5], [15_900, 0.1]] as const) {
      expect(Math.abs(dvh.statistic(`V${doseGy}Gy`).value / dvh.volume - fraction), `V${doseGy}Gy`).toBeLessThanOrEqual((0.2 / range) * 1.01);
    }
  }, 120_000);
});
