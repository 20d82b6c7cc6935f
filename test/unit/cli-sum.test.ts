// SPDX-License-Identifier: BSD-3-Clause
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DoseGrid } from '../../src/model/dose-grid.js';
import { runCli } from '../helpers/cli.js';
import { TransferSyntax, encodeDataset, naturalize, readDicomDict } from '../helpers/dicom-writer.js';
import { exampleBytes } from '../helpers/examples.js';

const BASE = 'examples/rtdose_substitute.dcm';
const SHIFTED = 'examples/rtdose_shifted.dcm';
// dicompyler-core 0.5.7's maxima of the same sums (shared/reference/dcc-reference.json, `dose.<case>.dose_grid.max`):
const DCC_MAX_BASE_PLUS_BASE = 29.361528; // sum_coincident_base_plus_base
const DCC_MAX_BASE_PLUS_SHIFTED_ORDER1 = 29.25852675648; // sum_interp_base_plus_shifted_order1
const DCC_MAX_BASE_PLUS_SHIFTED_ORDER0 = 29.289834; // sum_interp_base_plus_shifted_order0

let dir: string;
let base: DoseGrid;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dosekit-sum-'));
  base = await DoseGrid.fromFile(BASE);
});

describe('dosekit sum', () => {
  it('base + base: voxel by voxel, twice the input everywhere, a new MULTI_PLAN RT Dose', async () => {
    const out = join(dir, 'double.dcm');
    const { code, stdout, stderr } = runCli(['sum', BASE, BASE, '-o', out]);
    expect(stderr).toBe(`wrote ${out}\n`);
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        `summed 2 doses onto the grid of ${BASE} (194 x 129 x 98 voxels, 2.5 x 2.5 x 3 mm)`,
        `  ${BASE}  weight 1  direct`,
        `  ${BASE}  weight 1  direct`,
        'max dose 29.362 Gy; backend cpu',
        '',
      ].join('\n'),
    );
    const sum = await DoseGrid.fromFile(out);
    expect(sum.maxDoseGy).toBeCloseTo(DCC_MAX_BASE_PLUS_BASE, 6);
    expect(Math.abs(sum.maxDoseGy - 2 * base.maxDoseGy)).toBeLessThan(1e-6);
    expect(sum.shape).toEqual(base.shape);
    const step = sum.gyPerStoredUnit;
    let worst = 0;
    for (let i = 0; i < sum.pixels.length; i += 1) worst = Math.max(worst, Math.abs(sum.pixels[i] * step - 2 * base.pixels[i] * base.gyPerStoredUnit));
    expect(worst).toBeLessThanOrEqual(step);

    const bytes = readFileSync(out);
    const { meta } = readDicomDict(bytes);
    const { dataset } = naturalize(bytes);
    const inputUid = naturalize(exampleBytes('rtdose_substitute.dcm')).dataset.SOPInstanceUID;
    expect(dataset.SOPInstanceUID).toMatch(/^[0-9.]+$/);
    expect(dataset.SOPInstanceUID).not.toBe(inputUid);
    expect(meta['00020003'].Value?.[0]).toBe(dataset.SOPInstanceUID);
    expect(dataset.DoseSummationType).toBe('MULTI_PLAN');
  });

  it('base + shifted: resampled onto the first grid, with dicompyler-core maxima for order 1 and 0', async () => {
    const out = join(dir, 'shifted.dcm');
    const trilinear = runCli(['sum', BASE, SHIFTED, '-o', out, '--backend', 'cpu']);
    expect(trilinear.code).toBe(0);
    expect(trilinear.stdout).toContain(`  ${SHIFTED}     weight 1  resampled (trilinear, order 1, mode constant)\n`);
    expect(trilinear.stdout).toMatch(/^max dose 29\.259 Gy; backend cpu$/m);
    expect((await DoseGrid.fromFile(out)).maxDoseGy).toBeCloseTo(DCC_MAX_BASE_PLUS_SHIFTED_ORDER1, 5);
    const uids = [BASE, SHIFTED].map((f) => naturalize(readFileSync(f)).dataset.SOPInstanceUID);
    expect(uids).not.toContain(naturalize(readFileSync(out)).dataset.SOPInstanceUID);

    const nearest = runCli(['sum', BASE, SHIFTED, '-o', out, '--order', '0', '--backend', 'cpu', '--force']);
    expect(nearest.code).toBe(0);
    expect(nearest.stdout).toContain('resampled (nearest neighbour, order 0, mode constant)');
    expect((await DoseGrid.fromFile(out)).maxDoseGy).toBeCloseTo(DCC_MAX_BASE_PLUS_SHIFTED_ORDER0, 5);
  });

  it('--weights scales each input', async () => {
    const out = join(dir, 'weighted.dcm');
    const { code, stdout } = runCli(['sum', BASE, BASE, '--weights', '1,0.5', '-o', out]);
    expect(code).toBe(0);
    expect(stdout).toContain(`  ${BASE}  weight 0.5  direct\n`);
    expect(Math.abs((await DoseGrid.fromFile(out)).maxDoseGy - 1.5 * (DCC_MAX_BASE_PLUS_BASE / 2))).toBeLessThan(1e-6);
  });

  it('--json: one object naming the output, grid, inputs, maximum and backend', () => {
    const out = join(dir, 'report.dcm');
    const { code, stdout, stderr } = runCli(['sum', BASE, SHIFTED, '-o', out, '--weights', '1,2', '--json']);
    expect(code).toBe(0);
    expect(stderr).toBe(`wrote ${out}\n`);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      output: out,
      grid: { shape: [194, 129, 98], spacingMm: [2.5, 2.5, 3] },
      inputs: [
        { file: BASE, weight: 1, resampled: false },
        { file: SHIFTED, weight: 2, resampled: true },
      ],
      order: 1,
      mode: 'constant',
      warnings: [],
    });
    expect(['cpu', 'webgpu']).toContain(report.backend.kind);
    expect(report.maxDoseGy).toBeGreaterThan(DCC_MAX_BASE_PLUS_SHIFTED_ORDER1);
    expect(report.seconds).toBeGreaterThan(0);
  });

  it('usage errors: one input, no -o, bad --weights, --order, --mode', () => {
    const out = join(dir, 'never.dcm');
    const cases: [string[], RegExp][] = [
      [['sum', BASE, '-o', out], /^error E_USAGE: .*at least two/],
      [['sum', BASE, SHIFTED], /^error E_USAGE: .*-o/],
      [['sum', BASE, SHIFTED, '-o', out, '--weights', '1'], /^error E_USAGE: --weights has 1 value for 2/],
      [['sum', BASE, SHIFTED, '-o', out, '--weights', '1,x'], /^error E_USAGE: --weights .*"x"/],
      [['sum', BASE, SHIFTED, '-o', out, '--weights', '1,-0.5'], /^error E_USAGE: --weights /],
      [['sum', BASE, SHIFTED, '-o', out, '--order', '3'], /^error E_USAGE: --order /],
      [['sum', BASE, SHIFTED, '-o', out, '--mode', 'wrap'], /^error E_USAGE: --mode /],
    ];
    for (const [args, message] of cases) {
      const { code, stdout, stderr } = runCli(args);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toMatch(message);
    }
    expect(existsSync(out)).toBe(false);
    expect(runCli(['sum', '--help']).stdout).toMatch(/--force .*frame of reference.*replace an existing output file/);
  });

  it('never writes over an existing file without --force, nor over an input', () => {
    const out = join(dir, 'existing.dcm');
    writeFileSync(out, 'keep me');
    const exists = runCli(['sum', BASE, BASE, '-o', out]);
    expect(exists.code).toBe(1);
    expect(exists.stderr).toMatch(/^error E_OUTPUT_EXISTS: .*--force/);
    expect(readFileSync(out, 'utf8')).toBe('keep me');

    const input = join(dir, 'input.dcm');
    copyFileSync(BASE, input);
    for (const args of [['-o', input], ['-o', input, '--force']]) {
      const clobber = runCli(['sum', input, SHIFTED, ...args]);
      expect(clobber.code).toBe(1);
      expect(clobber.stderr).toMatch(/^error E_OUTPUT_IS_INPUT: /);
      expect(readFileSync(input).equals(Buffer.from(exampleBytes('rtdose_substitute.dcm')))).toBe(true);
    }
    expect(runCli(['sum', BASE, BASE, '-o', out, '--force']).code).toBe(0);
    expect(readFileSync(out).length).toBeGreaterThan(1_000_000);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a non-dose input and a frame-of-reference mismatch (unless --force, with a warning)', () => {
    const out = join(dir, 'mismatch.dcm');
    const rtss = runCli(['sum', BASE, 'examples/rtss.dcm', '-o', out]);
    expect(rtss.code).toBe(1);
    expect(rtss.stderr).toMatch(/^error E_NOT_RTDOSE: .*rtss\.dcm/);

    const { meta, dict } = readDicomDict(exampleBytes('rtdose_substitute.dcm'));
    (dict['00200052'] as { Value: string[] }).Value = ['1.2.826.0.1.3680043.10.999.2'];
    const otherFrame = join(dir, 'other-frame.dcm');
    writeFileSync(otherFrame, encodeDataset(meta, dict, TransferSyntax.ImplicitVRLittleEndian));
    const refused = runCli(['sum', BASE, otherFrame, '-o', out]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error E_INCOMPATIBLE_DOSE: FrameOfReferenceUID differs.*--force/);
    expect(existsSync(out)).toBe(false);

    const forced = runCli(['sum', BASE, otherFrame, '-o', out, '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toMatch(/^warning: FrameOfReferenceUID differs: .*1\.2\.826\.0\.1\.3680043\.10\.999\.2.*\n/m);
    expect(forced.stderr).toMatch(/wrote .*mismatch\.dcm\n$/);
    expect(existsSync(out)).toBe(true);
  });
});
