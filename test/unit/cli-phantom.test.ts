// SPDX-License-Identifier: BSD-3-Clause
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('dosekit phantom', () => {
  it('writes DICOM files and the truth, which dosekit dvh reproduces (precise algorithm)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dosekit-phantom-'));
    const made = runCli(['phantom', '--shape', 'sphere', '--contour-spacing-mm', '2', '--grid-mm', '2', '--dose', 'gradient-ap', '--out', dir]);
    expect(made.code).toBe(0);
    const [folder] = readdirSync(dir);
    const truth = JSON.parse(readFileSync(join(dir, folder, 'truth.json'), 'utf8'));
    // 16 Gy at the centre, 1 Gy/mm: the sphere spans about 4-28 Gy, mean 16 Gy by symmetry.
    expect(truth.meanGy).toBeCloseTo(16, 6);
    const out = JSON.parse(runCli(['dvh', '--rtss', join(dir, folder, 'rtss.dcm'), '--rtdose', join(dir, folder, 'rtdose.dcm'), '--format', 'json', '--stats', 'D95,D5']).stdout);
    const dvh = out.dvhs[0];
    expect(dvh.volumeCm3).toBeCloseTo(truth.volumeCm3, 9);
    expect(Math.abs(dvh.meanGy - truth.meanGy) / truth.meanGy).toBeLessThan(0.01);
    expect(Math.abs(dvh.stats.D95.value - truth.D95Gy) / truth.D95Gy).toBeLessThan(0.03);
    expect(Math.abs(dvh.stats.D5.value - truth.D5Gy) / truth.D5Gy).toBeLessThan(0.03);
    // Not over an existing phantom without --force.
    expect(runCli(['phantom', '--shape', 'sphere', '--contour-spacing-mm', '2', '--grid-mm', '2', '--out', dir]).stderr).toMatch(/^error E_OUTPUT_EXISTS/);
  });

  it('--list names every phantom of the suite; bad options are usage errors', () => {
    const list = runCli(['phantom', '--list']).stdout.trim().split('\n');
    expect(list.length).toBe(304);
    expect(new Set(list).size).toBe(304);
    expect(list).toContain('cone-rotated c2mm g2x2.5x3mm gradient-lr');
    expect(runCli(['phantom', '--shape', 'cube']).stderr).toMatch(/^error E_USAGE: --shape/);
    expect(runCli(['phantom', '--shape', 'sphere', '--grid-mm', '2,2']).stderr).toMatch(/^error E_USAGE: --grid-mm needs one spacing or three/);
    expect(runCli(['phantom', '--shape', 'sphere', '--grid-mm', '2,0.1,2']).stderr).toMatch(/^error E_USAGE: --grid-mm needs a number of mm from 0\.2 to 20/);
  });

  it('--grid-mm X,Y,Z writes a non-square grid; --dose gradient-lr a dose along x', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dosekit-phantom-'));
    const made = runCli(['phantom', '--shape', 'cylinder', '--contour-spacing-mm', '3', '--grid-mm', '3,2,2.5', '--dose', 'gradient-lr', '--out', dir]);
    expect(made.code).toBe(0);
    const [folder] = readdirSync(dir);
    expect(folder).toBe('cylinder_c3mm_g3x2x2.5mm_gradient-lr');
    const truth = JSON.parse(readFileSync(join(dir, folder, 'truth.json'), 'utf8'));
    expect(truth.spec.doseGridMm).toEqual([3, 2, 2.5]);
    expect(truth.model).toMatch(/exact DVH of the right-prism model of the contours/);
    // Symmetric about x = cx: mean 16 Gy; the 128-gon reaches x = cx -+ 12 mm, 4 and 28 Gy.
    expect(truth.meanGy).toBeCloseTo(16, 9);
    expect([truth.minGy, truth.maxGy]).toEqual([4, 28]);
  });
});
