// SPDX-License-Identifier: BSD-3-Clause
/**
 * Paths that are not regular files (character devices, FIFOs, directories) are refused before
 * anything is read, with E_NOT_A_FILE, by every reader and every CLI command; a cohort folder
 * holding one lists it as skipped; a regular file larger than the memory ceiling is E_TOO_LARGE
 * before it is read. Readers that could block (a FIFO's open) or read forever (/dev/zero) run in
 * child processes with a timeout, so that a regression fails the test instead of hanging it.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexCohort } from '../../src/cohort/index-cohort.js';
import { DicomParser } from '../../src/dicom/parser.js';
import { DosekitError } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';
import { distModule, runNodeScript } from '../helpers/child-node.js';
import { examplePath } from '../helpers/examples.js';

/** Generous: these used to take minutes, hang forever, or die. */
const FAST_MS = 10_000;
const CHILD_TIMEOUT_MS = 30_000;

let dir: string;
let fifo: string;
let folder: string;
const devices = ['/dev/zero', '/dev/urandom'].filter((path) => existsSync(path));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dosekit-inputs-'));
  fifo = join(dir, 'pipe.dcm');
  const made = spawnSync('mkfifo', [fifo]);
  if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr}`);
  folder = join(dir, 'a-folder.dcm');
  mkdirSync(folder);
  // A cohort folder: a FIFO among ordinary files.
  mkdirSync(join(dir, 'cohort'));
  spawnSync('mkfifo', [join(dir, 'cohort', 'b-pipe.dcm')]);
  copyFileSync(examplePath('rtplan.dcm'), join(dir, 'cohort', 'a-plan.dcm'));
  writeFileSync(join(dir, 'cohort', 'c-notes.txt'), 'not DICOM\n');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The `error CODE: message` line of a CLI run. */
function errorLine(stderr: string): string {
  return stderr.split('\n').find((line) => line.startsWith('error ')) ?? stderr;
}

describe('the CLI refuses paths that are not regular files', () => {
  const cases = (): [string, string[], string][] => [
    ...devices.map((device): [string, string[], string] => [`info ${device}`, ['info', device], device]),
    ['info FIFO', ['info', fifo], fifo],
    ['info directory', ['info', folder], folder],
    ['dvh --rtdose FIFO', ['dvh', '--rtss', examplePath('rtss.dcm'), '--rtdose', fifo], fifo],
    ['dvh --rtss FIFO', ['dvh', '--rtss', fifo, '--rtdose', examplePath('rtdose_substitute.dcm')], fifo],
    ['dvh --rtdose /dev/zero', ['dvh', '--rtss', examplePath('rtss.dcm'), '--rtdose', '/dev/zero'], '/dev/zero'],
    ['dvh --rtss directory', ['dvh', '--rtss', folder, '--rtdose', examplePath('rtdose_substitute.dcm')], folder],
    ['sum FIFO', ['sum', fifo, examplePath('rtdose_substitute.dcm'), '-o', join(dir, 'sum-out.dcm')], fifo],
    ['sum /dev/zero', ['sum', examplePath('rtdose_substitute.dcm'), '/dev/zero', '-o', join(dir, 'sum-out.dcm')], '/dev/zero'],
    ['check --rtdose FIFO', ['check', '--rtss', examplePath('rtss.dcm'), '--rtdose', fifo], fifo],
    ['check --rtss /dev/zero', ['check', '--rtss', '/dev/zero', '--rtdose', examplePath('rtdose_substitute.dcm')], '/dev/zero'],
  ];

  it('E_NOT_A_FILE naming the path and the way out, exit 1, fast', () => {
    for (const [label, args, path] of cases()) {
      const started = performance.now();
      const result = runCli(args, { timeoutMs: CHILD_TIMEOUT_MS });
      const elapsed = performance.now() - started;
      const line = errorLine(result.stderr);
      expect(line, label).toMatch(/^error E_NOT_A_FILE: /);
      expect(line, label).toContain(path);
      expect(line, label).toContain('regular file');
      expect(result.code, label).toBe(1);
      expect(elapsed, label).toBeLessThan(FAST_MS);
    }
  });

  it('a cohort folder holding a FIFO: batch finishes and reports the FIFO skipped', () => {
    const out = join(dir, 'results.csv');
    const started = performance.now();
    const result = runCli(['batch', join(dir, 'cohort'), '--out', out], { timeoutMs: CHILD_TIMEOUT_MS });
    expect(performance.now() - started).toBeLessThan(FAST_MS);
    const skipped = result.stderr.split('\n').filter((line) => line.startsWith('skipped E_NOT_A_FILE: '));
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toContain(join(dir, 'cohort', 'b-pipe.dcm'));
    expect(skipped[0]).toContain('FIFO');
    // Exit 2: a problem was reported, the rest was done (results written).
    expect(result.code).toBe(2);
    expect(existsSync(out)).toBe(true);
  });

  it('a file larger than --max-memory: E_TOO_LARGE before reading', () => {
    const size = statSync(examplePath('rtplan.dcm')).size;
    const result = runCli(['--max-memory', '100K', 'info', examplePath('rtplan.dcm')], { timeoutMs: CHILD_TIMEOUT_MS });
    const line = errorLine(result.stderr);
    expect(line).toMatch(/^error E_TOO_LARGE: /);
    expect(line).toContain(examplePath('rtplan.dcm'));
    expect(line).toContain('--max-memory');
    expect(result.code).toBe(1);
    // The same file is read under a ceiling just above its size.
    expect(runCli(['--max-memory', String(size + 1024), 'info', examplePath('rtplan.dcm')], { timeoutMs: CHILD_TIMEOUT_MS }).code).toBe(0);
  });
});

describe('the API refuses paths that are not regular files', () => {
  /** Calls each reader on each path in a child process and prints one JSON line per call. */
  const script = `
    const { DicomParser } = await import(${JSON.stringify(distModule('dicom/parser.js'))});
    const { DoseGrid } = await import(${JSON.stringify(distModule('model/dose-grid.js'))});
    const { readDicomHeaderFile } = await import(${JSON.stringify(distModule('dicom/header-file.js'))});
    const readers = {
      'DicomParser.fromFile': (p) => DicomParser.fromFile(p),
      'DoseGrid.fromFile': (p) => DoseGrid.fromFile(p),
      readDicomHeaderFile: (p) => readDicomHeaderFile(p),
    };
    for (const path of process.argv.slice(1)) {
      for (const [name, read] of Object.entries(readers)) {
        try {
          await read(path);
          console.log(JSON.stringify({ name, path, code: 'none' }));
        } catch (error) {
          console.log(JSON.stringify({ name, path, code: error.code, message: error.message, file: error.details?.file }));
        }
      }
    }
  `;

  it('E_NOT_A_FILE from DicomParser.fromFile, DoseGrid.fromFile and readDicomHeaderFile, fast', () => {
    const paths = [...devices, fifo, folder];
    const result = runNodeScript(script, { argv: paths, timeoutMs: CHILD_TIMEOUT_MS, maxOldSpaceMb: 512 });
    expect(result.signal, result.stderr).toBeNull();
    const lines = result.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { name: string; path: string; code: string; message: string; file: string });
    expect(lines).toHaveLength(paths.length * 3);
    for (const line of lines) {
      expect(line.code, `${line.name}(${line.path})`).toBe('E_NOT_A_FILE');
      expect(line.file).toBe(line.path);
      expect(line.message).toContain(line.path);
      expect(line.message).toMatch(/copy it to a regular file|give the path of a file/i);
    }
    expect(result.elapsedMs).toBeLessThan(FAST_MS);
  });

  it('a directory through fromFile (in process): E_NOT_A_FILE naming it', async () => {
    let caught: unknown;
    try {
      await DicomParser.fromFile(folder);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DosekitError);
    expect((caught as DosekitError).code).toBe('E_NOT_A_FILE');
    expect((caught as DosekitError).message).toContain(`${folder}: is a directory`);
  });

  it('indexCohort lists a FIFO inside a folder as a problem and never opens it', async () => {
    const index = await indexCohort([join(dir, 'cohort')]);
    expect(index.objects.map((o) => o.kind)).toEqual(['rtplan']);
    expect(index.problems).toHaveLength(1);
    expect(index.problems[0].code).toBe('E_NOT_A_FILE');
    expect(index.problems[0].path).toBe(join(dir, 'cohort', 'b-pipe.dcm'));
    expect(index.problems[0].message).toContain('FIFO');
  });

  it('indexCohort given a FIFO or a device as a root lists it as a problem', async () => {
    const index = await indexCohort([fifo, ...devices]);
    expect(index.objects).toHaveLength(0);
    expect(index.problems.map((p) => [p.path, p.code])).toEqual([fifo, ...devices].map((p) => [p, 'E_NOT_A_FILE']));
  });
});
