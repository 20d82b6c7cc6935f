// SPDX-License-Identifier: BSD-3-Clause
// The README's code examples run as written (against the built package, as a user imports it).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DoseGrid } from '../../src/model/dose-grid.js';
import { ROOT } from '../helpers/cli.js';

function example(tag: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const match = readme.match(new RegExp(`<!-- readme-example:${tag} -->\\s*\`\`\`ts\\n([\\s\\S]*?)\`\`\``));
  if (!match) throw new Error(`README example ${tag} not found`);
  return match[1];
}

function runModule(code: string): { status: number | null; stdout: string; stderr: string } {
  // Inside the repository, so `import ... from 'dosekit'` resolves to this package (self-reference).
  mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, 'test-artifacts', 'readme-example-'));
  const file = join(dir, 'example.mjs');
  writeFileSync(file, code);
  return spawnSync(process.execPath, [file], { cwd: ROOT, encoding: 'utf8' });
}

describe('README examples', () => {
  it('the DVH example runs and prints the heart statistics of the example dose', () => {
    const { status, stdout, stderr } = runModule(example('dvh'));
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^\d+\.\d\d Gy$/);
    expect(stdout).toContain('Structure: Heart');
  });

  it('the calculation example runs and reports the empty Areola', () => {
    const { status, stdout, stderr } = runModule(example('calc'));
    expect(stderr).toBe('');
    expect(status).toBe(0);
    // The precise algorithm (the default): the heart's prism-model volume and D95.
    expect(stdout).toMatch(/^Heart 439\.\d+ 0\.0\d+/m);
    expect(stdout).toContain('Areola E_EMPTY_ROI');
  });

  it('the summation example writes the trilinear sum of the two example doses', async () => {
    const written = join(ROOT, 'dosekit-output', 'total.dcm');
    rmSync(written, { force: true }); // the example does not replace an existing file
    const { status, stderr } = runModule(example('sum'));
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const total = await DoseGrid.fromFile(written);
    // dicompyler-core's maximum of the same sum (shared/reference/dcc-reference.json,
    // dose.sum_interp_base_plus_shifted_order1.dose_grid.max).
    expect(total.maxDoseGy).toBeCloseTo(29.25852675648, 4);
    expect(total.info.summationType).toBe('MULTI_PLAN');
  });
});
