// SPDX-License-Identifier: BSD-3-Clause
// CSV injection: text cells that a spreadsheet would run as a formula (OWASP: starting with =, +,
// -, @, tab or carriage return) get a leading single quote in every CSV dosekit writes; numbers
// never do; --csv-no-escape writes the text as it is.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvRow } from '../../src/cli/batch-format.js';
import type { BatchRow } from '../../src/cli/batch-rows.js';
import { csvField, parseCsvRecords } from '../../src/cli/csv.js';
import { DVH } from '../../src/dvh/index.js';
import { runCli } from '../helpers/cli.js';
import { rewriteDicom, setElement } from '../helpers/dicom-rewrite.js';
import type { DcmjsDataset } from '../helpers/dicom-writer.js';
import { exampleBytes } from '../helpers/examples.js';

const NO_SCHEDULER = { SLURM_ARRAY_TASK_ID: '', SLURM_ARRAY_TASK_COUNT: '', SLURM_ARRAY_TASK_MIN: '', SLURM_ARRAY_TASK_STEP: '', JOB_COMPLETION_INDEX: '' };
/** The classic injection payload, as the name of ROI 5 (Heart). */
const EVIL_ROI = "=cmd|' /C calc'!A0";
const EVIL_PATIENT = '=1+2';

describe('csvField', () => {
  it.each([
    ['=1+2', "'=1+2"],
    ['+41 22', "'+41 22"],
    ['-0.5', "'-0.5"], // text that looks like a number is still text
    ['@SUM(A1:A9)', "'@SUM(A1:A9)"],
    ['\tTab', "'\tTab"],
    ['\rCR', `"'\rCR"`],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['a=b', 'a=b'],
    ['Heart', 'Heart'],
    ['', ''],
  ])('text %j is written %j', (text, cell) => {
    expect(csvField(text)).toBe(cell);
  });

  it('numbers are never escaped; escapeFormulas: false leaves text as it is (quoted when needed)', () => {
    expect(csvField(-0.5)).toBe('-0.5');
    expect(csvField(-1e-7)).toBe('-1e-7');
    expect(csvField('=1+2', { escapeFormulas: false })).toBe('=1+2');
    expect(csvField('=A1,B1', { escapeFormulas: false })).toBe('"=A1,B1"');
  });

  it('a batch row: text columns escaped, a negative number in a number column untouched', () => {
    const row: BatchRow = {
      patientId: EVIL_PATIENT,
      studyInstanceUid: '1.2.3',
      rtdose: '/d/rtdose.dcm',
      rtss: '/d/rtss.dcm',
      roi: 5,
      name: '-Heart',
      volumeCm3: 12.5,
      minGy: -0.5,
      meanGy: 1,
      maxGy: 2,
      stats: [-0.25],
      algorithm: 'precise',
      backend: 'cpu',
      error: null,
      pairing: 'plan',
    };
    expect(csvRow(row)).toBe("'=1+2,1.2.3,/d/rtdose.dcm,/d/rtss.dcm,5,'-Heart,12.5,-0.5,1,2,-0.25,precise,cpu,,plan\n");
    expect(csvRow(row, { escapeFormulas: false })).toBe('=1+2,1.2.3,/d/rtdose.dcm,/d/rtss.dcm,5,-Heart,12.5,-0.5,1,2,-0.25,precise,cpu,,plan\n');
  });
});

describe('DVH.toCSV', () => {
  it('a name or notes cannot start a formula cell when a spreadsheet splits the metadata line at commas or semicolons; the text reads back exactly', () => {
    const name = 'Heart,=HYPERLINK("http://x","y");@SUM(1),+1, -2';
    const notes = 'planned;=1+2\nsecond line,-3';
    const dvh = new DVH({ counts: [2, 1], bins: [0, 1, 2], name, notes });
    const text = dvh.toCSV();
    for (const line of text.split('\n')) {
      for (const cell of line.split(/[,;]/)) expect(cell, line).not.toMatch(/^[=+\-@\t\r]/);
    }
    const back = DVH.fromCSV(text);
    expect(back.name).toBe(name);
    expect(back.notes).toBe(notes);
  });
});

describe('the CLI writes escaped CSV, unless --csv-no-escape', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dosekit-csv-escape-'));
    const cohort = join(dir, 'cohort');
    mkdirSync(cohort);
    const patient = (dict: DcmjsDataset) => setElement(dict, '00100020', 'LO', EVIL_PATIENT);
    const same = (uid: string) => uid;
    writeFileSync(join(cohort, 'rtdose.dcm'), rewriteDicom(exampleBytes('rtdose_substitute.dcm'), same, patient));
    writeFileSync(join(cohort, 'rtplan.dcm'), rewriteDicom(exampleBytes('rtplan.dcm'), same, patient));
    writeFileSync(
      join(cohort, 'rtss.dcm'),
      rewriteDicom(exampleBytes('rtss.dcm'), same, (dict) => {
        patient(dict);
        for (const item of dict['30060020'].Value as DcmjsDataset[]) {
          if (Number(item['30060022'].Value?.[0]) === 5) item['30060026'] = { vr: 'LO', Value: [EVIL_ROI] };
        }
      }),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const fieldsOf = (text: string) => parseCsvRecords(text).records;

  it('dvh --format csv and --csv', () => {
    const args = ['dvh', '--rtss', join(dir, 'cohort/rtss.dcm'), '--rtdose', join(dir, 'cohort/rtdose.dcm'), '--roi', '5', '--algorithm', 'dicompyler', '--backend', 'cpu'];
    const run = runCli([...args, '--format', 'csv', '--csv', join(dir, 'dvh.csv')]);
    expect(run.code, run.stderr).toBe(0);
    expect(fieldsOf(run.stdout)[1].slice(0, 3)).toEqual(['5', `'${EVIL_ROI}`, expect.stringMatching(/^440\.23/)]);
    expect(fieldsOf(readFileSync(join(dir, 'dvh.csv'), 'utf8'))[1][1]).toBe(`'${EVIL_ROI}`);
    const raw = runCli([...args, '--format', 'csv', '--csv-no-escape']);
    expect(fieldsOf(raw.stdout)[1][1]).toBe(EVIL_ROI);
  });

  it('batch', () => {
    const args = ['batch', join(dir, 'cohort'), '--rois', EVIL_ROI, '--algorithm', 'dicompyler', '--backend', 'cpu'];
    const run = runCli([...args, '-o', join(dir, 'batch.csv')], { env: NO_SCHEDULER });
    expect(run.code, run.stderr).toBe(0);
    const [header, row] = fieldsOf(readFileSync(join(dir, 'batch.csv'), 'utf8'));
    const cell = (name: string) => row[header.indexOf(name)];
    expect(cell('patientId')).toBe(`'${EVIL_PATIENT}`);
    expect(cell('name')).toBe(`'${EVIL_ROI}`);
    expect(cell('volumeCm3')).toMatch(/^440\.23/);
    runCli([...args, '--csv-no-escape', '-o', join(dir, 'batch-raw.csv')], { env: NO_SCHEDULER });
    const [, rawRow] = fieldsOf(readFileSync(join(dir, 'batch-raw.csv'), 'utf8'));
    expect(rawRow[header.indexOf('patientId')]).toBe(EVIL_PATIENT);
    expect(rawRow[header.indexOf('name')]).toBe(EVIL_ROI);
  });
});
