// SPDX-License-Identifier: BSD-3-Clause
// `dosekit check`: the planning system's DVHs (the example RT Dose's DVH Sequence) against dosekit's.
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DicomParser } from '../../src/dicom/parser.js';
import { withDvhSequence } from '../../src/dicom/write-dvh-sequence.js';
import { DVH } from '../../src/dvh/dvh.js';
import { parseTolerance } from '../../src/cli/check.js';
import { runCli } from '../helpers/cli.js';
import { exampleBytes } from '../helpers/examples.js';

const RTSS = 'examples/rtss.dcm';
const RTDOSE = 'examples/rtdose_substitute.dcm';
const tmp = () => mkdtempSync(join(tmpdir(), 'dosekit-check-'));
const check = (...args: string[]) => runCli(['check', '--rtss', RTSS, '--backend', 'cpu', ...args]);

interface RoiJson {
  roi: number;
  name: string;
  gammaPassRate: number | null;
  pass: boolean;
  differences: Record<string, number | null> | null;
  error?: { code: string; message: string };
}

describe('dosekit check', () => {
  it('--format json on the example: every ROI of the DVH Sequence, the small Nodes and Scar fail at 1 %/1 %, exit code 3', () => {
    const { code, stdout, stderr } = check('--rtdose', RTDOSE, '--format', 'json');
    expect(stderr).toBe('');
    expect(code).toBe(3);
    const out = JSON.parse(stdout) as { tolerance: unknown; algorithm: string; pass: boolean; rois: RoiJson[] };
    expect(out).toMatchObject({ tolerance: { dosePercent: 1, volumePercent: 1 }, algorithm: 'precise', pass: false });
    expect(out.rois.map((r) => r.roi)).toEqual([1, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(out.rois.filter((r) => !r.pass).map((r) => r.name)).toEqual(['Nodes', 'Scar']);
    for (const r of out.rois) {
      expect(r.pass).toBe(r.gammaPassRate === 100);
      expect(Object.keys(r.differences!)).toEqual(['volumeCm3', 'meanGy', 'D98', 'D95', 'D50', 'D2', 'D0.03cc']);
    }
    const heart = out.rois.find((r) => r.name === 'Heart')!;
    expect(Math.abs(heart.differences!.volumeCm3!)).toBeLessThan(0.1);
    expect(Math.abs(heart.differences!.meanGy!)).toBeLessThan(0.005);
  });

  it('--tolerance 3%/3% lets the Scar pass; --format table and csv', () => {
    const table = check('--rtdose', RTDOSE, '--tolerance', '3%/3%');
    expect(table.code).toBe(3);
    expect(table.stdout).toContain('DVH-gamma 3%/3%');
    expect(table.stdout).toMatch(/\n\s+8\s+Scar\s+100\.0 %\s+pass/);
    expect(table.stdout).toMatch(/\n\s+7\s+Nodes\s+\d+\.\d %\s+FAIL/);
    expect(table.stdout).toContain('8 of 9 ROIs pass');
    const csv = check('--rtdose', RTDOSE, '--format', 'csv', '--tolerance', '3');
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('roi,name,gammaPassRatePercent,pass,points,maxGamma,diffVolumeCm3,diffMeanGy,diffD98Gy,diffD95Gy,diffD50Gy,diffD2Gy,diffD0.03ccGy,error');
    expect(lines.length).toBe(10);
    expect(lines.find((l) => l.startsWith('8,Scar,100,true,'))).toBeDefined();
  });

  it('--plot DIR writes one SVG per ROI with both curves, safely', () => {
    const dir = join(tmp(), 'plots');
    const first = check('--rtdose', RTDOSE, '--plot', dir, '--format', 'json', '--algorithm', 'dicompyler');
    expect(first.code).toBe(3);
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['roi-1-BODY.svg', 'roi-10-Tumor_Bed_Block.svg', 'roi-3-Borders.svg', 'roi-4-Breast.svg', 'roi-5-Heart.svg', 'roi-6-Lt_Lung.svg', 'roi-7-Nodes.svg', 'roi-8-Scar.svg', 'roi-9-Tumor_Bed.svg']);
    const svg = readFileSync(join(dir, 'roi-5-Heart.svg'), 'utf8');
    expect(svg).toContain('>planning system</text>');
    expect(svg).toContain('>dosekit</text>');
    expect(svg.match(/class="dvh-curve"/g)).toHaveLength(2);
    expect(svg).toContain('ROI 5 Heart: DVH-gamma 1%/1% pass rate 100.0 % (pass)');
    const again = check('--rtdose', RTDOSE, '--plot', dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('E_OUTPUT_EXISTS');
    expect(check('--rtdose', RTDOSE, '--plot', dir, '--force').code).toBe(3);
  });

  it('an RT Dose without DVHs is a fatal E_NO_DVH; bad options are usage errors', () => {
    const none = check('--rtdose', 'examples/rtdose_shifted.dcm');
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^error E_NO_DVH: examples\/rtdose_shifted\.dcm: the RT Dose carries no DVHs .*nothing to check/);
    expect(check('--rtdose', RTDOSE, '--tolerance', '0%/1%').stderr).toContain('E_USAGE');
    expect(check('--rtdose', RTDOSE, '--format', 'xml').code).toBe(1);
    expect(check('--rtdose', RTSS).stderr).toContain('E_NOT_RTDOSE');
    expect(runCli(['check', '--help']).stdout).toContain('An ROI passes when every point');
  });

  it('dosekit’s own DVHs written back pass at 100 %; an ROI it cannot calculate fails with its error', () => {
    const folder = tmp();
    const written = join(folder, 'with-dosekit-dvhs.dcm');
    expect(runCli(['dvh', '--rtss', RTSS, '--rtdose', RTDOSE, '--backend', 'cpu', '--format', 'csv', '--write-rtdose', written]).code).toBe(2);
    const own = check('--rtdose', written, '--format', 'json');
    expect(own.code).toBe(0);
    const rois = (JSON.parse(own.stdout) as { rois: RoiJson[] }).rois;
    expect(rois.every((r) => r.gammaPassRate === 100)).toBe(true);
    // The empty Areola (ROI 2) with a made-up DVH next to the planning system's heart.
    const heart = DVH.fromDicomDvh(DicomParser.fromBytes(exampleBytes('rtdose_substitute.dcm')), 5);
    const odd = join(folder, 'areola.dcm');
    writeFileSync(odd, withDvhSequence(exampleBytes('rtdose_substitute.dcm'), [{ roi: 2, dvh: new DVH({ counts: [1], bins: [0, 1] }) }, { roi: 5, dvh: heart }]));
    const mixed = check('--rtdose', odd, '--format', 'json');
    expect(mixed.code).toBe(3);
    const [areola, heartRow] = (JSON.parse(mixed.stdout) as { rois: RoiJson[] }).rois;
    expect(areola).toMatchObject({ roi: 2, name: 'Areola', pass: false, gammaPassRate: null, error: { code: 'E_EMPTY_ROI' } });
    expect(heartRow).toMatchObject({ roi: 5, name: 'Heart', pass: true });
    expect(existsSync(odd)).toBe(true);
  });
});

describe('parseTolerance', () => {
  it('reads DOSE%/VOLUME%, with or without % signs, one number for both', () => {
    expect(parseTolerance('1%/1%')).toEqual({ dosePercent: 1, volumePercent: 1 });
    expect(parseTolerance('3/2')).toEqual({ dosePercent: 3, volumePercent: 2 });
    expect(parseTolerance(' 2.5% ')).toEqual({ dosePercent: 2.5, volumePercent: 2.5 });
    for (const bad of ['', '1%/', 'a/b', '-1/1', '0/1', '1/2/3']) expect(() => parseTolerance(bad)).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
  });
});
