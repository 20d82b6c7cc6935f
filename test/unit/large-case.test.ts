// SPDX-License-Identifier: BSD-3-Clause
// The large synthetic case of bench/large-case.mjs, at a CI size (64 x 64 x 40, 8 ROIs): the
// generator's files go through `dosekit dvh` (the built bin) with both algorithms, every ROI gets
// a DVH, and the volumes are the shapes' closed forms:
// - precise: the prism model's exact volume, planes x spacing x (n-gon or rectangle area less
//   the hole's);
// - dicompyler: voxel centres inside x voxel area x plane spacing. For boxes the count is a
//   closed form (lattice columns x rows strictly inside, less the hole's); for cylinders and
//   tubes it is the crossing test of every voxel centre (matplotlib's rule), and the volume is
//   within the lattice bound of the n-gon's (cells a convex ring crosses: 2 (W + H) / h + 4).
// Needs `npm run build` (the generator and the bin use dist/), as the other CLI tests.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LargeCaseManifest, largeCaseGeometry, largeCaseShapes, writeLargeCase } from '../../bench/lib/large-case.mjs';
import { DoseGrid } from '../../src/model/dose-grid.js';
import { runCli } from '../helpers/cli.js';
import { bruteForceMask } from '../helpers/point-in-path.js';

const OPTIONS = { columns: 64, rows: 64, frames: 40, spacingMm: [3, 3, 4], roiCount: 8, minCc: 1, maxCc: 200, minPoints: 64, maxPoints: 400, contourSpacingMm: 2.5 } as const;

interface DvhJson {
  roi: number;
  name: string;
  volumeCm3: number;
  minGy: number;
  maxGy: number;
}

let dir: string;
let manifest: LargeCaseManifest;
const outputs: Record<string, { code: number; dvhs: DvhJson[]; errors: unknown[]; stderr: string }> = {};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dosekit-large-case-'));
  manifest = writeLargeCase(dir, OPTIONS);
  for (const algorithm of ['dicompyler', 'precise']) {
    const { code, stdout, stderr } = runCli(['dvh', '--rtss', manifest.rtss, '--rtdose', manifest.rtdose, '--backend', 'cpu', '--algorithm', algorithm, '--format', 'json', '--stats', 'D95']);
    const out = JSON.parse(stdout);
    outputs[algorithm] = { code, stderr, errors: out.errors, dvhs: out.dvhs };
  }
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the large synthetic case at a CI size', () => {
  it('writes the grid and ROIs asked for: 32-bit pixels, sizes from 1 cc, holes, 64- to 400-point contours', () => {
    expect(manifest.voxels).toBe(64 * 64 * 40);
    expect(manifest.pixelDataBytes).toBe(64 * 64 * 40 * 4);
    expect(manifest.rtdoseBytes).toBeGreaterThan(manifest.pixelDataBytes);
    expect(manifest.shapes.map((s) => s.kind)).toEqual(['cylinder', 'box', 'tube', 'box-with-hole', 'cylinder', 'box', 'tube', 'box-with-hole']);
    expect(manifest.shapes[0].points).toBe(64);
    expect(manifest.shapes[7].points).toBe(400);
    expect(manifest.shapes[0].volumeMm3 / 1000).toBeGreaterThan(0.5);
    expect(manifest.shapes[7].volumeMm3 / 1000).toBeGreaterThan(150);
    // Cached: the same options reuse the folder.
    expect(writeLargeCase(dir, OPTIONS).reused).toBe(true);
  });

  it('dosekit dvh gives every ROI a DVH with both algorithms (exit code 0, no errors)', () => {
    for (const algorithm of ['dicompyler', 'precise']) {
      const out = outputs[algorithm];
      expect(out.stderr, algorithm).toBe('');
      expect(out.code, algorithm).toBe(0);
      expect(out.errors, algorithm).toEqual([]);
      expect(out.dvhs.map((d) => d.name), algorithm).toEqual(manifest.shapes.map((s) => s.name));
      for (const d of out.dvhs) {
        expect(d.maxGy).toBeGreaterThan(d.minGy);
        expect(d.maxGy).toBeLessThanOrEqual(manifest.maxDoseGy + 1e-9);
      }
    }
  });

  it('precise: every volume is the closed form of its prism model (1e-6)', () => {
    outputs.precise.dvhs.forEach((d, i) => {
      const expected = manifest.shapes[i].volumeMm3 / 1000;
      expect(Math.abs(d.volumeCm3 - expected) / expected, d.name).toBeLessThan(1e-6);
    });
  });

  it('dicompyler: boxes are voxel-centre counts in closed form; cylinders and tubes the crossing-test count, within the lattice bound of the n-gon', () => {
    const geometry = largeCaseGeometry({ ...manifest.spec });
    const xs = Float64Array.from({ length: geometry.columns }, (_, i) => geometry.originMm[0] + i * OPTIONS.spacingMm[0]);
    const ys = Float64Array.from({ length: geometry.rows }, (_, j) => geometry.originMm[1] + j * OPTIONS.spacingMm[1]);
    const voxelMm2 = OPTIONS.spacingMm[0] * OPTIONS.spacingMm[1];
    const shapes = largeCaseShapes(manifest.spec);
    outputs.dicompyler.dvhs.forEach((d, i) => {
      const shape = shapes[i];
      const slabMm3 = shape.planesZ.length * OPTIONS.contourSpacingMm * voxelMm2;
      let inside: number;
      if (shape.boxesMm) {
        const strictly = (axis: Float64Array, low: number, high: number) => axis.filter((v) => v > low && v < high).length;
        const count = ([x0, y0, x1, y1]: readonly number[]) => strictly(xs, x0, x1) * strictly(ys, y0, y1);
        inside = count(shape.boxesMm[0]) - (shape.boxesMm[1] ? count(shape.boxesMm[1]) : 0);
      } else {
        inside = bruteForceMask(xs, ys, shape.rings).reduce((n, v) => n + v, 0);
        // Each ring is convex: it crosses at most 2 (W + H) / h + 4 lattice cells, and only those can be miscounted.
        const h = Math.max(...OPTIONS.spacingMm.slice(0, 2));
        const bound = (r: number) => (2 * (4 * r) * h + 4 * h * h) * shape.planesZ.length * OPTIONS.contourSpacingMm;
        const boundMm3 = bound(shape.radiusMm!) + (shape.hole ? bound(shape.radiusMm! / 2) : 0);
        expect(Math.abs(d.volumeCm3 * 1000 - shape.volumeMm3), d.name).toBeLessThanOrEqual(boundMm3);
      }
      expect(inside, d.name).toBeGreaterThan(0);
      const expected = (inside * slabMm3) / 1000;
      expect(Math.abs(d.volumeCm3 - expected) / expected, d.name).toBeLessThan(1e-9);
    });
  });

  it('an RT Dose whose 32-bit PixelData starts 2 bytes off a multiple of 4 is read from a file without a copy (from bytes, with one)', async () => {
    // Two characters more in SeriesDescription (0008,103E, LO) move the pixel data by 2 bytes.
    const bytes = readFileSync(manifest.rtdose);
    const at = bytes.indexOf(Buffer.from([0x08, 0x00, 0x3e, 0x10, 0x4c, 0x4f]));
    expect(at).toBeGreaterThan(0);
    const length = bytes.readUInt16LE(at + 6);
    const moved = Buffer.concat([bytes.subarray(0, at + 6), Buffer.from([(length + 2) & 0xff, (length + 2) >> 8]), bytes.subarray(at + 8, at + 8 + length), Buffer.from('xx'), bytes.subarray(at + 8 + length)]);
    expect((moved.length - manifest.pixelDataBytes) % 4).toBe(2);
    const path = join(dir, 'rtdose-unaligned.dcm');
    writeFileSync(path, moved);
    const reference = await DoseGrid.fromFile(manifest.rtdose);
    const fromFile = await DoseGrid.fromFile(path);
    // A view of the file's own buffer (the values moved down 2 bytes in place), not a copy.
    expect(fromFile.pixels.buffer.byteLength).toBe(statSync(path).size);
    expect(fromFile.pixels.byteOffset % 4).toBe(0);
    expect(Buffer.compare(Buffer.from(fromFile.pixels.buffer, fromFile.pixels.byteOffset, fromFile.pixels.byteLength), Buffer.from(reference.pixels.buffer, reference.pixels.byteOffset, reference.pixels.byteLength))).toBe(0);
    // Bytes the caller owns are never rearranged: a copy, the input unchanged.
    const input = new Uint8Array(moved);
    const fromBytes = await DoseGrid.fromBytes(input, 'unaligned');
    expect(fromBytes.pixels.buffer).not.toBe(input.buffer);
    expect(Buffer.compare(Buffer.from(input), moved)).toBe(0);
    expect(fromBytes.maxStoredValue).toBe(reference.maxStoredValue);
    expect(fromBytes.pixels.every((v, i) => v === reference.pixels[i])).toBe(true);
  });
});
