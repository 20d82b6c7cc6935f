// SPDX-License-Identifier: BSD-3-Clause
// The output rules of every command, through the built bin: only regular files are ever replaced
// (a FIFO, a device, a socket or a folder at the target is E_OUTPUT_NOT_A_FILE, with or without
// --force), `-` is standard output, two outputs of one command never share a path, and every
// output is checked (folder writable, target free) before any work.
import { spawnSync } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { DicomParser } from '../../src/dicom/parser.js';
import { ROOT, runCli } from '../helpers/cli.js';

const RTSS = 'examples/rtss.dcm';
const RTDOSE = 'examples/rtdose_substitute.dcm';
const SHIFTED = 'examples/rtdose_shifted.dcm';
/** A quick DVH: one ROI (Heart, ROI 5) with the dicompyler algorithm on the CPU. */
const DVH = ['dvh', '--rtss', RTSS, '--rtdose', RTDOSE, '--roi', '5', '--algorithm', 'dicompyler', '--backend', 'cpu'];
const NO_SCHEDULER = { SLURM_ARRAY_TASK_ID: '', SLURM_ARRAY_TASK_COUNT: '', SLURM_ARRAY_TASK_MIN: '', SLURM_ARRAY_TASK_STEP: '', JOB_COMPLETION_INDEX: '' };

let dir: string;
let fifo: string;
const at = (name: string) => join(dir, name);
const cli = (args: readonly string[]) => runCli(args, { env: NO_SCHEDULER });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dosekit-outputs-'));
  fifo = at('pipe.csv');
  execFileSync('mkfifo', [fifo]);
  writeFileSync(at('plain.txt'), 'a regular file\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('only regular files are replaced', () => {
  /** Every command whose output is a file, with that output at `target`. */
  const commands = (target: string): string[][] => [
    [...DVH, '--out', target],
    [...DVH, '--csv', target],
    [...DVH, '--plot', target],
    [...DVH, '--write-rtdose', target],
    ['check', '--rtss', RTSS, '--rtdose', RTDOSE, '--out', target],
    ['batch', join(ROOT, 'examples'), '--backend', 'cpu', '-o', target],
    ['sum', RTDOSE, RTDOSE, '-o', target],
  ];

  it.each([false, true])('a FIFO at the target is E_OUTPUT_NOT_A_FILE naming it and -o - (force %s), and stays a FIFO', (force) => {
    for (const args of commands(fifo)) {
      const run = cli([...args, ...(force ? ['--force'] : [])]);
      expect(run.stderr, args.join(' ')).toMatch(/^error E_OUTPUT_NOT_A_FILE: .*pipe\.csv is a FIFO \(named pipe\).*`-o -`/);
      expect(run.code).toBe(1);
      expect(lstatSync(fifo).isFIFO()).toBe(true);
    }
  }, 120_000);

  it('a folder at the target is E_OUTPUT_NOT_A_FILE with --force, and is left alone', () => {
    const folder = at('folder.csv');
    mkdirSync(folder);
    for (const args of commands(folder)) {
      const run = cli([...args, '--force']);
      expect(run.stderr, args.join(' ')).toMatch(/^error E_OUTPUT_NOT_A_FILE: .*folder\.csv is a directory/);
      expect(lstatSync(folder).isDirectory()).toBe(true);
    }
  }, 120_000);

  it('a symbolic link is followed: to a regular file, the file is replaced and the link stays; to a FIFO or to nothing, refused', () => {
    const real = at('real.csv');
    writeFileSync(real, 'old\n');
    const link = at('link.csv');
    symlinkSync(real, link);
    expect(cli([...DVH, '--format', 'csv', '--out', link, '--force']).code).toBe(0);
    expect(readlinkSync(link)).toBe(real);
    expect(readFileSync(real, 'utf8')).toMatch(/^roi,name,volumeCm3/);

    const toFifo = at('to-fifo.csv');
    symlinkSync(fifo, toFifo);
    expect(cli([...DVH, '--out', toFifo, '--force']).stderr).toMatch(/^error E_OUTPUT_NOT_A_FILE: .*to-fifo\.csv .*FIFO/);
    expect(lstatSync(toFifo).isSymbolicLink()).toBe(true);
    const dangling = at('dangling.csv');
    symlinkSync(at('nothing-here.csv'), dangling);
    expect(cli([...DVH, '--out', dangling, '--force']).stderr).toMatch(/^error E_OUTPUT_NOT_A_FILE: .*dangling\.csv is a symbolic link to .*nothing-here\.csv, which does not exist/);
    expect(existsSync(at('nothing-here.csv'))).toBe(false);
  }, 60_000);
});

describe('- is standard output', () => {
  it('dvh --csv - writes the CSV to standard output (the table goes to --out)', () => {
    const run = cli([...DVH, '--out', at('table.txt'), '--csv', '-']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^roi,name,volumeCm3,minGy,meanGy,maxGy,.*\n5,Heart,440\.2312/);
    expect(readFileSync(at('table.txt'), 'utf8')).toMatch(/Heart/);
    const plot = cli([...DVH, '--format', 'json', '--out', at('dvh.json'), '--plot', '-']);
    expect(plot.stdout).toMatch(/^<svg/);
  });

  it('batch -o - writes the CSV (or with --format json, the JSON) to standard output', () => {
    const run = cli(['batch', join(ROOT, 'examples'), '--rois', 'Heart', '--algorithm', 'dicompyler', '--backend', 'cpu', '-o', '-']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^patientId,studyInstanceUid,rtdose,.*\n.*Heart/);
    const json = cli(['batch', join(ROOT, 'examples'), '--rois', 'Heart', '--algorithm', 'dicompyler', '--backend', 'cpu', '-o', '-', '--format', 'json']);
    expect(JSON.parse(json.stdout).rows[0]).toMatchObject({ name: 'Heart', error: null });
    // A shard needs a file beside which its manifest goes.
    expect(cli(['batch', join(ROOT, 'examples'), '--shard', '0/2', '-o', '-']).stderr).toMatch(/^error E_USAGE: .*--shard .*file/i);
  }, 60_000);

  it('sum -o - writes the RT Dose to standard output when it is not a terminal, the report to standard error', () => {
    const run = spawnSync(process.execPath, [join(ROOT, 'bin/dosekit.js'), 'sum', RTDOSE, RTDOSE, '-o', '-'], { cwd: ROOT, env: { ...process.env, ...NO_SCHEDULER }, maxBuffer: 256 * 1024 * 1024 });
    expect(run.status, run.stderr.toString()).toBe(0);
    const bytes = new Uint8Array(run.stdout);
    expect(new TextDecoder().decode(bytes.subarray(128, 132))).toBe('DICM');
    const grid = DicomParser.fromBytes(bytes, 'stdout.dcm').toDoseGrid();
    expect(grid.shape).toEqual([194, 129, 98]);
    expect(run.stderr.toString()).toMatch(/summed 2 doses/);
  });

  it('sum -o - on a terminal is E_USAGE (binary DICOM would garble it); so is --json with -o -', async () => {
    const stderr: string[] = [];
    const io = { stdout: () => {}, stderr: (t: string) => void stderr.push(t), isTerminal: false, stdoutIsTerminal: true };
    expect(await main(['sum', RTDOSE, RTDOSE, '-o', '-'], io)).toBe(1);
    expect(stderr.join('')).toMatch(/^error E_USAGE: .*standard output is a terminal/);
    expect(cli(['sum', RTDOSE, RTDOSE, '-o', '-', '--json']).stderr).toMatch(/^error E_USAGE: .*--json/);
  });
});

describe('two outputs of one command never share a path', () => {
  it('dvh: the same file by two spellings, through a symbolic link, or standard output twice, is E_USAGE before any work', () => {
    const sub = at('sub');
    mkdirSync(sub, { recursive: true });
    const missing = ['--rtss', at('no-rtss.dcm'), '--rtdose', at('no-rtdose.dcm')];
    const a = at('same.csv');
    const spelled = join(relative(ROOT, sub), '..', 'same.csv');
    const same = cli(['dvh', ...missing, '--out', a, '--csv', spelled, '--force']);
    expect(same.stderr).toMatch(/^error E_USAGE: --out and --csv both write to .*same\.csv/);
    expect(same.code).toBe(1);
    symlinkSync(a, at('alias.csv'));
    expect(cli(['dvh', ...missing, '--csv', a, '--plot', at('alias.csv'), '--force']).stderr).toMatch(/^error E_USAGE: --csv and --plot both write to /);
    expect(cli(['dvh', ...missing, '--write-rtdose', a, '--out', a, '--force']).stderr).toMatch(/^error E_USAGE: --out and --write-rtdose both write to /);
    // Without --out the --format output is standard output.
    expect(cli(['dvh', ...missing, '--csv', '-']).stderr).toMatch(/^error E_USAGE: --out and --csv both write to standard output/);
    expect(existsSync(a)).toBe(false);
  });

  it('check: --plot (a folder) on the --out path is E_USAGE before any work', () => {
    const missing = ['--rtss', at('no-rtss.dcm'), '--rtdose', at('no-rtdose.dcm')];
    expect(cli(['check', ...missing, '--out', at('check.txt'), '--plot', at('check.txt')]).stderr).toMatch(/^error E_USAGE: --out and --plot both write to /);
  });
});

describe('every output is checked before any work', () => {
  const blocked = () => join(at('plain.txt'), 'out.csv'); // its "folder" is a regular file

  it.each([
    ['dvh --out', () => ['dvh', '--rtss', at('no.dcm'), '--rtdose', at('no.dcm'), '--out', blocked()]],
    ['dvh --csv', () => ['dvh', '--rtss', at('no.dcm'), '--rtdose', at('no.dcm'), '--csv', blocked()]],
    ['dvh --plot', () => ['dvh', '--rtss', at('no.dcm'), '--rtdose', at('no.dcm'), '--plot', blocked()]],
    ['check --out', () => ['check', '--rtss', at('no.dcm'), '--rtdose', at('no.dcm'), '--out', blocked()]],
    ['check --plot', () => ['check', '--rtss', at('no.dcm'), '--rtdose', at('no.dcm'), '--plot', blocked()]],
    ['batch -o', () => ['batch', at('no-cohort'), '-o', blocked()]],
    ['batch --merge -o', () => ['batch', '--merge', at('no-shard.csv'), '-o', blocked()]],
    ['sum -o', () => ['sum', at('no.dcm'), at('no.dcm'), '-o', blocked()]],
  ])('%s into an unwritable folder fails with E_FILE_WRITE before reading any input', (_, args) => {
    const run = cli(args());
    expect(run.stderr).toMatch(/^error E_FILE_WRITE: cannot write .*plain\.txt\/out\.csv: .*plain\.txt is not a folder/);
    expect(run.code).toBe(1);
  });

  it('dvh: an existing --csv without --force is refused before the calculation', () => {
    writeFileSync(at('exists.csv'), 'x\n');
    const run = cli(['dvh', '--rtss', at('no.dcm'), '--rtdose', at('no.dcm'), '--csv', at('exists.csv')]);
    expect(run.stderr).toMatch(/^error E_OUTPUT_EXISTS: .*exists\.csv/);
  });

  it('phantom: a file in the way of the third phantom of the suite stops it before the first is written', () => {
    const out = at('phantoms');
    const third = cli(['phantom', '--list']).stdout.split('\n')[2].replace(/[^A-Za-z0-9.-]+/g, '_');
    mkdirSync(join(out, third), { recursive: true });
    writeFileSync(join(out, third, 'truth.json'), '{}\n');
    const run = cli(['phantom', '--suite', '--out', out]);
    expect(run.stderr).toMatch(/^error E_OUTPUT_EXISTS: .*truth\.json/);
    expect(run.stdout).toBe('');
    const blockedFolder = cli(['phantom', '--shape', 'sphere', '--out', at('plain.txt')]);
    expect(blockedFolder.stderr).toMatch(/^error E_FILE_WRITE: .*plain\.txt is not a folder/);
  });
});
