// SPDX-License-Identifier: BSD-3-Clause
// How contours are read as physicists draw them: self-intersecting (figure-8) contours, open and
// unknown contour types, contours written twice, ROI Numbers used twice, missing sequences.
// Every structure set here is a real DICOM file (written, then parsed); truths are closed forms.
import { describe, expect, it } from 'vitest';
import { DicomParser } from '../../src/dicom/parser.js';
import { calculateDvhs, getDvh } from '../../src/dvh/calculate.js';
import type { DvhAlgorithm } from '../../src/dvh/calculation-options.js';
import { describeFile } from '../../src/cli/info.js';
import { main } from '../../src/cli/main.js';
import { evenOddAreaMm2 } from '../../src/model/even-odd-area.js';
import { crossingTest } from '../helpers/point-in-path.js';
import { type NaturalDataset, syntheticDoseDataset, syntheticStructureSetDataset, writeDataset } from '../helpers/dicom-writer.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ALGORITHMS: readonly DvhAlgorithm[] = ['precise', 'dicompyler'];
const DOSE_GY = 2;
const SLICE_MM = 2.5;
const PLANES_Z_MM = [-2.5, 0, 2.5];

/**
 * A uniform 2 Gy dose, 1 mm voxels centred on half-millimetres (x, y from -20.5 to 18.5 mm, so no
 * contour vertex below lies on a voxel centre), frames z = -5 ... 5 mm.
 */
function uniformDose(): DicomParser {
  const dataset = syntheticDoseDataset({ rows: 40, columns: 40, frames: 5, pixelSpacing: [1, 1], origin: [-20.5, -20.5, -5], bitsAllocated: 16, doseGridScaling: 1e-3, value: () => 2000 });
  return DicomParser.fromBytes(writeDataset(dataset), 'uniform-dose.dcm');
}

type Ring = readonly (readonly [number, number])[];

interface ContourSpec {
  readonly ring: Ring;
  readonly type?: string;
}

/** An RT Structure Set file with one ROI per entry, each contour given plane by plane. */
function structureFile(rois: readonly { number: number; name: string; planes: readonly { z: number; contours: readonly ContourSpec[] }[] }[], edit: (ds: NaturalDataset) => void = () => {}): DicomParser {
  const dataset = syntheticStructureSetDataset(rois.map((r) => ({ number: r.number, name: r.name, zMm: [] })));
  (dataset.ROIContourSequence as NaturalDataset[]).forEach((item, k) => {
    item.ContourSequence = rois[k].planes.flatMap((plane) =>
      plane.contours.map((c) => ({
        ContourGeometricType: c.type ?? 'CLOSED_PLANAR',
        NumberOfContourPoints: c.ring.length,
        ContourData: c.ring.flatMap(([x, y]) => [x, y, plane.z]),
      })),
    );
  });
  edit(dataset);
  return DicomParser.fromBytes(writeDataset(dataset), 'structures.dcm');
}

// A bow-tie: the path (-15,-10) -> (15,10) -> (15,-10) -> (-15,10) crosses itself at (0, 0). Its
// even-odd region is two triangles, each with a 20 mm base on x = -15 or x = 15 and 15 mm high.
const BOW_TIE: Ring = [[-15, -10], [15, 10], [15, -10], [-15, 10]];
const BOW_TIE_AREA_MM2 = 2 * (0.5 * 20 * 15);
const SQUARE: Ring = [[-10, -10], [10, -10], [10, 10], [-10, 10]];
const SQUARE_AREA_MM2 = 400;

/** Prism volume (cm^3) of the precise and dicompyler algorithms: every plane a full slice thick (half-slice end caps). */
const slabVolumeCm3 = (areasMm2: readonly number[]) => (areasMm2.reduce((a, b) => a + b, 0) * SLICE_MM) / 1000;
/** `info`'s structure volume: end planes count half. */
const infoVolumeCm3 = (areasMm2: readonly number[]) => (areasMm2.reduce((a, b, k) => a + (k === 0 || k === areasMm2.length - 1 ? b / 2 : b), 0) * SLICE_MM) / 1000;

describe('even-odd area, independently of the DVH code', () => {
  it('a bow-tie is its two triangles; fine point-in-polygon sampling agrees on a random self-intersecting ring', () => {
    const flat = (ring: Ring) => Float64Array.from(ring.flat());
    expect(evenOddAreaMm2([flat(BOW_TIE)], 2)).toBeCloseTo(BOW_TIE_AREA_MM2, 9);
    // A star polygon {7/3}: heavily self-intersecting; the truth is counted on a 0.05 mm lattice.
    const star: [number, number][] = Array.from({ length: 7 }, (_, k) => [10 * Math.cos((2 * Math.PI * 3 * k) / 7), 10 * Math.sin((2 * Math.PI * 3 * k) / 7)]);
    const ring = flat(star);
    let inside = 0;
    const step = 0.05;
    for (let y = -10 + step / 2; y < 10; y += step) for (let x = -10 + step / 2; x < 10; x += step) if (crossingTest(x, y, ring)) inside += 1;
    expect(evenOddAreaMm2([ring], 2)).toBeCloseTo(inside * step * step, 0);
  });
});

describe('even-odd area of a contour that crosses itself thousands of times', () => {
  it('a 2001-point star {2001/1000} takes well under 10 s and agrees with point sampling within 1 %', () => {
    const n = 2001;
    const ring = new Float64Array(2 * n);
    for (let k = 0; k < n; k += 1) {
      ring[2 * k] = 100 * Math.cos((2 * Math.PI * 1000 * k) / n);
      ring[2 * k + 1] = 100 * Math.sin((2 * Math.PI * 1000 * k) / n);
    }
    const started = Date.now();
    const area = evenOddAreaMm2([ring], 2);
    expect(Date.now() - started).toBeLessThan(10_000);
    let inside = 0;
    const step = 1;
    for (let y = -100 + step / 2; y < 100; y += step) for (let x = -100 + step / 2; x < 100; x += step) if (crossingTest(x, y, ring)) inside += 1;
    expect(Math.abs(area - inside * step * step) / (inside * step * step)).toBeLessThan(0.01);
  });
});

describe('a self-intersecting (figure-8) contour follows the even-odd rule', () => {
  const rtss = () => structureFile([{ number: 1, name: 'BowTie', planes: PLANES_Z_MM.map((z) => ({ z, contours: [{ ring: BOW_TIE }] })) }]);

  for (const algorithm of ALGORITHMS) {
    it(`${algorithm}: volume = the two triangles x the slab, mean = the uniform dose`, async () => {
      const dvh = await getDvh(rtss(), uniformDose(), 1, { algorithm, backend: 'cpu' });
      const truth = slabVolumeCm3(PLANES_Z_MM.map(() => BOW_TIE_AREA_MM2));
      // precise: the exact prism volume; dicompyler: voxel centres on a 1 mm grid (sampling error of the edges).
      expect(dvh.volume).toBeCloseTo(truth, algorithm === 'precise' ? 6 : 1);
      expect(Math.abs(dvh.volume - truth) / truth).toBeLessThan(0.05);
      expect(dvh.mean).toBeCloseTo(DOSE_GY, 2);
    });
  }

  it('one figure-8 plane in a stack of squares keeps its volume (precise and info)', async () => {
    const z = [-5, -2.5, 0, 2.5, 5];
    const parser = structureFile([{ number: 1, name: 'Mixed', planes: z.map((zz) => ({ z: zz, contours: [{ ring: zz === 0 ? BOW_TIE : SQUARE }] })) }]);
    const areas = z.map((zz) => (zz === 0 ? BOW_TIE_AREA_MM2 : SQUARE_AREA_MM2));
    const dvh = await getDvh(parser, uniformDose(), 1, { backend: 'cpu' });
    expect(dvh.volume).toBeCloseTo(slabVolumeCm3(areas), 6);
    expect(describeFile(parser).structures![0].volumeCm3).toBeCloseTo(infoVolumeCm3(areas), 6);
  });

  it('info reports the even-odd volume of the bow-tie stack', () => {
    expect(describeFile(rtss()).structures![0].volumeCm3).toBeCloseTo(infoVolumeCm3(PLANES_Z_MM.map(() => BOW_TIE_AREA_MM2)), 6);
  });
});

describe('OPEN_PLANAR and unknown contour types are read as closed, with a warning', () => {
  for (const type of ['OPEN_PLANAR', 'OPEN_NONPLANAR', 'WHATEVER']) {
    for (const algorithm of ALGORITHMS) {
      it(`${type}, ${algorithm}: the square's volume and dose, warned on the DVH`, async () => {
        const parser = structureFile([{ number: 1, name: 'Open', planes: PLANES_Z_MM.map((z) => ({ z, contours: [{ ring: SQUARE, type }] })) }]);
        const dvh = await getDvh(parser, uniformDose(), 1, { algorithm, backend: 'cpu' });
        expect(dvh.volume).toBeCloseTo(slabVolumeCm3(PLANES_Z_MM.map(() => SQUARE_AREA_MM2)), algorithm === 'precise' ? 6 : 2);
        expect(dvh.mean).toBeCloseTo(DOSE_GY, 2);
        expect(dvh.computedBy?.warnings?.join('\n')).toMatch(new RegExp(`3 contours have ContourGeometricType ${type}, not CLOSED_PLANAR; they are read as closed`));
      });
    }
    it(`${type}: info gives the square's volume and the warning`, () => {
      const info = describeFile(structureFile([{ number: 1, name: 'Open', planes: PLANES_Z_MM.map((z) => ({ z, contours: [{ ring: SQUARE, type }] })) }]));
      expect(info.structures![0].volumeCm3).toBeCloseTo(infoVolumeCm3(PLANES_Z_MM.map(() => SQUARE_AREA_MM2)), 6);
      expect(info.warnings.join('\n')).toContain(`ROI 1 "Open": 3 contours have ContourGeometricType ${type}`);
    });
  }

  it('a POINT ROI stays a point ROI (E_POINT_ROI) on both algorithms', async () => {
    const parser = structureFile([{ number: 1, name: 'Marker', planes: PLANES_Z_MM.map((z) => ({ z, contours: [{ ring: [[1, 2]], type: 'POINT' }] })) }]);
    for (const algorithm of ALGORITHMS) {
      const result = await calculateDvhs(parser, uniformDose(), { algorithm, backend: 'cpu' });
      expect(result.errors.map((e) => e.code)).toEqual(['E_POINT_ROI']);
    }
  });
});

describe('a contour written twice on its plane', () => {
  const reversedRotated: Ring = [SQUARE[2], SQUARE[1], SQUARE[0], SQUARE[3]];
  const closedAgain: Ring = [...SQUARE, SQUARE[0]];
  const twins: readonly [string, Ring][] = [
    ['the same points', SQUARE],
    ['another start point, reversed', reversedRotated],
    ['with the first point repeated at the end', closedAgain],
  ];
  const twice = (twin: Ring) => structureFile([{ number: 1, name: 'Twice', planes: PLANES_Z_MM.map((z) => ({ z, contours: [{ ring: SQUARE }, { ring: twin }] })) }]);
  const single = slabVolumeCm3(PLANES_Z_MM.map(() => SQUARE_AREA_MM2));

  for (const [label, twin] of twins) {
    it(`${label}: precise and info count it once, with a warning`, async () => {
      const parser = twice(twin);
      const dvh = await getDvh(parser, uniformDose(), 1, { backend: 'cpu' });
      expect(dvh.volume).toBeCloseTo(single, 6);
      expect(dvh.mean).toBeCloseTo(DOSE_GY, 2);
      expect(dvh.computedBy?.warnings?.join('\n')).toMatch(/3 contours repeat another contour of the same plane .* on 3 planes/);
      const info = describeFile(parser);
      expect(info.structures![0].volumeCm3).toBeCloseTo(infoVolumeCm3(PLANES_Z_MM.map(() => SQUARE_AREA_MM2)), 6);
      expect(info.warnings.join('\n')).toContain('3 contours repeat another contour of the same plane');
    });

    it(`${label}: dicompyler cancels the pair as dicompyler-core does and says why, never "outside the dose grid"`, async () => {
      const result = await calculateDvhs(twice(twin), uniformDose(), { algorithm: 'dicompyler', backend: 'cpu' });
      expect(result.dvhs).toHaveLength(0);
      expect(result.errors[0].code).toBe('E_EMPTY_ROI');
      expect(result.errors[0].message).toMatch(/3 of its contours repeat another contour of their plane.*XOR/);
      expect(result.errors[0].message).not.toMatch(/outside the dose grid/);
    });
  }

  it('one plane repeated: dicompyler loses that plane (dicompyler-core) and warns; precise keeps it', async () => {
    const parser = structureFile([{ number: 1, name: 'OnePlane', planes: PLANES_Z_MM.map((z) => ({ z, contours: z === 0 ? [{ ring: SQUARE }, { ring: SQUARE }] : [{ ring: SQUARE }] })) }]);
    const dicompyler = await getDvh(parser, uniformDose(), 1, { algorithm: 'dicompyler', backend: 'cpu' });
    expect(dicompyler.volume).toBeCloseTo(slabVolumeCm3([SQUARE_AREA_MM2, 0, SQUARE_AREA_MM2]), 2);
    expect(dicompyler.computedBy?.warnings?.join('\n')).toContain('1 contour repeats another contour of the same plane');
    const precise = await getDvh(parser, uniformDose(), 1, { backend: 'cpu' });
    expect(precise.volume).toBeCloseTo(single, 6);
  });

  it('contours that only trace the same outline with other points are not repeats: they cancel on both algorithms, reported as no area', async () => {
    const extraPoint: Ring = [[-10, -10], [0, -10], [10, -10], [10, 10], [-10, 10]];
    const parser = structureFile([{ number: 1, name: 'Traced', planes: PLANES_Z_MM.map((z) => ({ z, contours: [{ ring: SQUARE }, { ring: extraPoint }] })) }]);
    for (const algorithm of ALGORITHMS) {
      const result = await calculateDvhs(parser, uniformDose(), { algorithm, backend: 'cpu' });
      expect(result.errors[0]?.code).toBe('E_EMPTY_ROI');
      expect(result.errors[0].message).toMatch(/enclose no area/);
    }
  });
});

describe('two ROIs with one ROI Number', () => {
  const small: Ring = [[-5, -5], [5, -5], [5, 5], [-5, 5]];
  const parser = () =>
    structureFile([
      { number: 3, name: 'Big', planes: PLANES_Z_MM.map((z) => ({ z, contours: [{ ring: SQUARE }] })) },
      { number: 3, name: 'Small', planes: PLANES_Z_MM.map((z) => ({ z, contours: [{ ring: small }] })) },
    ]);

  it('info lists both, each with its own contours and volume, and a warning naming both', () => {
    const info = describeFile(parser());
    expect(info.structures!.map((s) => [s.id, s.name])).toEqual([[3, 'Big'], [3, 'Small']]);
    expect(info.structures![0].volumeCm3).toBeCloseTo(infoVolumeCm3(PLANES_Z_MM.map(() => 400)), 6);
    expect(info.structures![1].volumeCm3).toBeCloseTo(infoVolumeCm3(PLANES_Z_MM.map(() => 100)), 6);
    expect(info.warnings.filter((w) => w.includes('ROI Number 3 is used by 2 ROIs ("Big" and "Small")'))).toHaveLength(1);
  });

  for (const algorithm of ALGORITHMS) {
    it(`${algorithm}: all ROIs gives both; by number the first (warned); by name either`, async () => {
      const all = await calculateDvhs(parser(), uniformDose(), { algorithm, backend: 'cpu' });
      expect(all.dvhs.map((d) => [d.roi, d.name])).toEqual([[3, 'Big'], [3, 'Small']]);
      const tolerance = algorithm === 'precise' ? 6 : 2;
      expect(all.dvhs[1].dvh.volume).toBeCloseTo(slabVolumeCm3(PLANES_Z_MM.map(() => 100)), tolerance);
      const byNumber = await getDvh(parser(), uniformDose(), 3, { algorithm, backend: 'cpu' });
      expect(byNumber.name).toBe('Big');
      expect(byNumber.computedBy?.warnings?.join('\n')).toMatch(/ROI Number 3 is used by 2 ROIs .*gives "Big" \(the first in file order\), so select the others by name/);
      const byName = await getDvh(parser(), uniformDose(), 'Small', { algorithm, backend: 'cpu' });
      expect(byName.volume).toBeCloseTo(slabVolumeCm3(PLANES_Z_MM.map(() => 100)), tolerance);
    });
  }
});

describe('required structure-set sequences', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dosekit-geometry-'));
  const capture = () => {
    const out = { stdout: '', stderr: '' };
    return { out, io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t), isTerminal: false } };
  };
  const doseFile = join(dir, 'dose.dcm');
  writeFileSync(doseFile, writeDataset(syntheticDoseDataset({ rows: 40, columns: 40, frames: 5, pixelSpacing: [1, 1], origin: [-20, -20, -5] })));

  it('no StructureSetROISequence: E_MISSING_ATTRIBUTE naming the file and attribute; `dosekit dvh` exits 1', async () => {
    const dataset = syntheticStructureSetDataset();
    delete dataset.StructureSetROISequence;
    const file = join(dir, 'no-roi-sequence.dcm');
    writeFileSync(file, writeDataset(dataset));
    expect(() => DicomParser.fromBytes(writeDataset(dataset), 'x.dcm').toStructureSet()).toThrow(/x\.dcm: the RT Structure Set has no StructureSetROISequence \(3006,0020\)/);
    const { out, io } = capture();
    expect(await main(['dvh', '--rtss', file, '--rtdose', doseFile, '--backend', 'cpu'], io)).toBe(1);
    expect(out.stderr).toMatch(/E_MISSING_ATTRIBUTE: .*no-roi-sequence\.dcm: the RT Structure Set has no StructureSetROISequence/);
    expect(out.stdout).toBe('');
  });

  it('`dosekit dvh` prints the contour warnings on standard error and in its JSON', async () => {
    const dataset = syntheticStructureSetDataset([{ number: 1, name: 'Twice', zMm: PLANES_Z_MM, halfWidthMm: 10 }]);
    const item = (dataset.ROIContourSequence as NaturalDataset[])[0];
    item.ContourSequence = [...(item.ContourSequence as NaturalDataset[]), ...(item.ContourSequence as NaturalDataset[])];
    const file = join(dir, 'twice.dcm');
    writeFileSync(file, writeDataset(dataset));
    const { out, io } = capture();
    expect(await main(['dvh', '--rtss', file, '--rtdose', doseFile, '--backend', 'cpu', '--format', 'json'], io)).toBe(0);
    expect(out.stderr).toMatch(/^warning: .*twice\.dcm: ROI 1 "Twice": 3 contours repeat another contour of the same plane/m);
    const json = JSON.parse(out.stdout) as { dvhs: { volumeCm3: number; warnings?: string[] }[] };
    expect(json.dvhs[0].volumeCm3).toBeCloseTo(slabVolumeCm3(PLANES_Z_MM.map(() => SQUARE_AREA_MM2)), 6);
    expect(json.dvhs[0].warnings?.join('\n')).toContain('3 contours repeat another contour');
  });

  it('`dosekit info` (table) prints the contour warnings on standard error', async () => {
    const dataset = syntheticStructureSetDataset([{ number: 1, name: 'Open', zMm: PLANES_Z_MM, halfWidthMm: 10 }]);
    for (const contour of (dataset.ROIContourSequence as NaturalDataset[])[0].ContourSequence as NaturalDataset[]) contour.ContourGeometricType = 'OPEN_PLANAR';
    const file = join(dir, 'open.dcm');
    writeFileSync(file, writeDataset(dataset));
    const { out, io } = capture();
    expect(await main(['info', file], io)).toBe(0);
    expect(out.stderr).toMatch(/^warning: .*open\.dcm: ROI 1 "Open": 3 contours have ContourGeometricType OPEN_PLANAR/m);
  });

  it('no ROIContourSequence: every ROI empty, warned; `dosekit dvh` reports each ROI and exits 2', async () => {
    const dataset = syntheticStructureSetDataset();
    delete dataset.ROIContourSequence;
    const file = join(dir, 'no-contours.dcm');
    writeFileSync(file, writeDataset(dataset));
    const parser = DicomParser.fromBytes(writeDataset(dataset), 'y.dcm');
    expect(parser.toStructureSet().rois.map((r) => r.empty)).toEqual([true, true]);
    expect(parser.warnings.map((w) => w.message).join('\n')).toContain('y.dcm: the RT Structure Set has no ROIContourSequence (3006,0039)');
    const { out, io } = capture();
    expect(await main(['dvh', '--rtss', file, '--rtdose', doseFile, '--backend', 'cpu'], io)).toBe(2);
    expect(out.stdout.match(/error E_EMPTY_ROI: .*no-contours\.dcm: ROI \d "\w+" has no contours/g)).toHaveLength(2);
  });
});
