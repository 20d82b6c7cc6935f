// SPDX-License-Identifier: BSD-3-Clause
// The command line refuses options that used to explode or be ignored, before any work, with the
// option named and its accepted range (the built bin, as a user runs it).
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const FILES = ['--rtss', 'examples/rtss.dcm', '--rtdose', 'examples/rtdose_substitute.dcm', '--backend', 'cpu'];
const DICOMPYLER = [...FILES, '--algorithm', 'dicompyler'];
/** Files that do not exist: a refusal that names the option proves nothing was read or calculated. */
const MISSING = ['--rtss', '/nonexistent/rtss.dcm', '--rtdose', '/nonexistent/rtdose.dcm', '--backend', 'cpu'];

/** Runs the CLI and expects a fatal error with `code` whose message matches `message`, within `seconds`. */
function expectRefused(args: readonly string[], code: string, message: RegExp, seconds = 20): void {
  const started = performance.now();
  const r = runCli(args, { timeoutMs: 60_000 });
  expect(r.stderr).toMatch(new RegExp(`^error ${code}: `));
  expect(r.stderr).toMatch(message);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  expect(performance.now() - started).toBeLessThan(seconds * 1000);
}

describe('dosekit dvh: sizes an option inflates', () => {
  it('--interp-resolution-mm 1e-4 is E_INVALID_ARGUMENT naming the finest accepted resolution (was E_INTERNAL)', () => {
    expectRefused(['dvh', ...DICOMPYLER, '--roi', 'Heart', '--interp-resolution-mm', '1e-4'], 'E_INVALID_ARGUMENT', /interpolationResolutionMm .*--interp-resolution-mm.* at least 0\.0391 mm/);
  });

  it('--interp-segments 1000000000 is E_USAGE naming 0 to 100 (was SIGSEGV)', () => {
    expectRefused(['dvh', ...DICOMPYLER, '--interp-segments', '1000000000'], 'E_USAGE', /--interp-segments needs a whole number from 0 to 100/);
  });

  it('--thickness-mm 1e9 is E_USAGE naming 0 to 50 mm (was a mean above the max)', () => {
    expectRefused(['dvh', ...FILES, '--thickness-mm', '1e9'], 'E_USAGE', /--thickness-mm needs a number of mm from 0 to 50/);
  });

  it('numbers are parsed strictly: NaN, negative, Infinity, 1e400, empty and hex are E_USAGE', () => {
    for (const [option, value] of [
      ['--thickness-mm', 'NaN'],
      ['--thickness-mm', '-1'],
      ['--thickness-mm', 'Infinity'],
      ['--thickness-mm', '1e400'],
      ['--thickness-mm', ''],
      ['--thickness-mm', '0x10'],
      ['--rx-dose-gy', '0'],
      ['--rx-dose-gy', '-60'],
      ['--rx-dose-gy', '1e400'],
    ]) {
      expectRefused(['dvh', ...MISSING, `${option}=${value}`], 'E_USAGE', new RegExp(`${option} needs `));
    }
    for (const [option, value] of [
      ['--limit-cgy', '2.5'],
      ['--limit-cgy', '0'],
      ['--interp-resolution-mm', '0'],
      ['--interp-resolution-mm', 'NaN'],
      ['--interp-segments', '-1'],
    ]) {
      expectRefused(['dvh', ...MISSING, '--algorithm', 'dicompyler', `${option}=${value}`], 'E_USAGE', new RegExp(`${option} needs `));
    }
  });

  it("--roi-expr 'X=expand(Heart, 1000)' is E_BAD_ROI_EXPRESSION at once (ran for minutes in gigabytes)", () => {
    expectRefused(['dvh', ...MISSING, '--roi-expr', 'X=expand(Heart, 1000)'], 'E_BAD_ROI_EXPRESSION', /1000 mm is more than the 100 mm accepted/, 10);
  });

  it('10 000 nested parentheses in --roi-expr are E_BAD_ROI_EXPRESSION (was a stack overflow); 101 levels too', () => {
    expectRefused(['dvh', ...MISSING, '--roi-expr', `X=${'('.repeat(10_000)}Heart${')'.repeat(10_000)}`], 'E_BAD_ROI_EXPRESSION', /characters long; at most 4096/, 10);
    expectRefused(['dvh', ...MISSING, '--roi-expr', `X=${'('.repeat(101)}Heart${')'.repeat(101)}`], 'E_BAD_ROI_EXPRESSION', /more than 100 levels/, 10);
  });
});

describe('dosekit dvh: options the algorithm would ignore', () => {
  for (const option of [['--limit-cgy', '500'], ['--interp-segments', '2'], ['--interp-resolution-mm', '1.25'], ['--structure-extents']]) {
    it(`${option[0]} with precise (the default, and named) is E_USAGE naming the dicompyler algorithm (was ignored)`, () => {
      expectRefused(['dvh', ...FILES, '--roi', 'Heart', ...option], 'E_USAGE', new RegExp(`${option[0]} is an option of the dicompyler algorithm.*--algorithm dicompyler`));
      expectRefused(['dvh', ...FILES, '--algorithm', 'precise', '--roi', 'Heart', ...option], 'E_USAGE', /of the dicompyler algorithm/);
    });
  }

  it('with dicompyler they are taken: --limit-cgy 100 drops the Heart\'s dose above 1 Gy from its volume', () => {
    const run = (extra: string[]) => JSON.parse(runCli(['dvh', ...DICOMPYLER, '--roi', 'Heart', '--format', 'json', '--stats', 'D95', ...extra]).stdout).dvhs[0];
    const limited = run(['--limit-cgy', '100']);
    expect(limited.maxGy).toBeLessThanOrEqual(1);
    expect(limited.volumeCm3).toBeLessThan(run([]).volumeCm3);
  });
});

describe('dosekit dvh --stats: statistics that cannot exist', () => {
  it('D150 and D100.0001 are E_BAD_STATISTIC before any file is read (they printed 0)', () => {
    for (const stat of ['D150', 'D100.0001', 'D95,D150']) expectRefused(['dvh', ...MISSING, '--stats', stat], 'E_BAD_STATISTIC', /does not exist; D takes 0 to 100 %/);
  });

  it('V95% without --rx-dose-gy is E_NO_RX_DOSE naming --rx-dose-gy before any file is read (was a blank cell and exit 0)', () => {
    expectRefused(['dvh', ...MISSING, '--stats', 'D95,V95%', '--format', 'csv'], 'E_NO_RX_DOSE', /--stats V95% .*--rx-dose-gy/);
    expectRefused(['dvh', ...MISSING, '--stats', 'V95'], 'E_NO_RX_DOSE', /--rx-dose-gy/);
  });

  it('with --rx-dose-gy, V95% is calculated', () => {
    const r = runCli(['dvh', ...DICOMPYLER, '--roi', 'Heart', '--stats', 'V95%', '--rx-dose-gy', '1', '--format', 'csv']);
    expect(r.code).toBe(0);
    const row = r.stdout.trim().split('\n')[1].split(',');
    expect(Number(row[6])).toBeGreaterThan(0);
  });

  it('dosekit batch --stats V95% is E_NO_RX_DOSE, D150 E_BAD_STATISTIC, before the folders are searched', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dosekit-bounds-'));
    expectRefused(['batch', '/nonexistent-folder', '-o', join(dir, 'x.csv'), '--stats', 'V95%'], 'E_NO_RX_DOSE', /--stats V95% .*give the dose in Gy/);
    expectRefused(['batch', '/nonexistent-folder', '-o', join(dir, 'x.csv'), '--stats', 'D150'], 'E_BAD_STATISTIC', /does not exist/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('dosekit dvh --roi-expr: names', () => {
  it("'Heart=...' (any case) is E_BAD_ROI_EXPRESSION: two Heart rows could not be told apart", () => {
    for (const name of ['Heart', 'HEART']) {
      expectRefused(['dvh', ...DICOMPYLER, '--roi-expr', `${name}=expand(Heart, 5)`], 'E_BAD_ROI_EXPRESSION', /has the name of ROI \d+ "Heart"/);
    }
  });

  it('two --roi-expr of one name are E_BAD_ROI_EXPRESSION', () => {
    expectRefused(['dvh', ...DICOMPYLER, '--roi-expr', 'Both=Heart|Lung', '--roi-expr', 'both = Heart & Lung'], 'E_BAD_ROI_EXPRESSION', /two derived ROIs are named "Both" and "both"/);
  });
});

describe('dosekit phantom: spacings', () => {
  it('--grid-mm 0.01 is E_USAGE naming 0.2 to 20 mm at once (was E_INTERNAL); no file is written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dosekit-bounds-'));
    expectRefused(['phantom', '--shape', 'sphere', '--grid-mm', '0.01', '-o', dir], 'E_USAGE', /--grid-mm needs a number of mm from 0\.2 to 20/, 10);
    expectRefused(['phantom', '--shape', 'sphere', '--contour-spacing-mm', '1e-5', '-o', dir], 'E_USAGE', /--contour-spacing-mm needs a number of mm from 0\.1 to 20/, 10);
    expectRefused(['phantom', '--shape', 'sphere', '--grid-mm', 'abc', '-o', dir], 'E_USAGE', /--grid-mm needs/, 10);
    expect(readdirSync(dir)).toEqual([]);
  });
});
