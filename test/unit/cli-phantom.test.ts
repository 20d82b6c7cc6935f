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
    expect(list.length).toBe(284);
    expect(new Set(list).size).toBe(284);
    expect(runCli(['phantom', '--shape', 'cube']).stderr).toMatch(/^error E_USAGE: --shape/);
  });
});
