// SPDX-License-Identifier: BSD-3-Clause
// Family 5, non-regular files: a FIFO, a directory and /dev/zero given as inputs to `info`, `dvh`,
// `sum`, `check` and `batch --merge`; a FIFO (and links to a FIFO and to /dev/zero) inside a
// `batch` cohort folder; output targets that are a FIFO or a directory, with and without
// --force: E_NOT_A_FILE / E_OUTPUT_NOT_A_FILE, nothing hangs (every child has a short time
// limit), and a FIFO or folder given as the output is still what it was afterwards.
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv, writeBase } from './common.mjs';
import { baseDose, structBytes } from './dicom.mjs';
import { caseRng } from './prng.mjs';

export const FAMILY = 'files';
/** CPU-time bound: these must fail or finish at once (a child blocked on a FIFO is killed at 4x this, wall-clock). */
const TIME_MS = 8000;

export function mkfifo(path) {
  execFileSync('mkfifo', [path]);
  return path;
}

/** Inputs: in/rtss.dcm, in/dose.dcm, in/pipe.dcm (FIFO), in/folder.dcm (a directory), /dev/zero. */
function inputs(folders) {
  const paths = writeBase(folders.input);
  const fifo = mkfifo(join(folders.input, 'pipe.dcm'));
  const dir = join(folders.input, 'folder.dcm');
  mkdirSync(dir);
  return { ...paths, fifo, dir, zero: '/dev/zero' };
}

function stillA(path, kind) {
  try {
    const st = lstatSync(path);
    const is = kind === 'fifo' ? st.isFIFO() : st.isDirectory();
    return is ? [] : [`${path} is no longer a ${kind}`];
  } catch {
    return [`${path} is gone (it was a ${kind})`];
  }
}

export function fileCases(seed, count = 0) {
  const cases = [];
  const add = (id, build, expect, extra = {}) =>
    cases.push({
      id: `${FAMILY}/${id}`,
      family: FAMILY,
      seed,
      setup: async (folders) => {
        const p = inputs(folders);
        const made = await build(p, folders);
        return { ...made, expect: { timeMs: TIME_MS, ...expect }, ...extra };
      },
    });
  const notAFile = { codes: ['E_NOT_A_FILE'], exits: [1] };
  for (const which of ['fifo', 'dir', 'zero']) {
    add(`info-${which}`, (p) => ({ args: ['info', p[which]] }), notAFile);
    add(`dvh-rtdose-${which}`, (p) => ({ args: ['dvh', '--rtss', p.rtss, '--rtdose', p[which]] }), notAFile);
    add(`dvh-rtss-${which}`, (p) => ({ args: ['dvh', '--rtss', p[which], '--rtdose', p.dose] }), notAFile);
    add(`sum-${which}`, (p) => ({ args: ['sum', p.dose, p[which], '-o', 'sum.dcm'] }), notAFile);
  }
  // Links to a FIFO and to /dev/zero, and /dev/null: followed, and refused for what they reach.
  add('info-link-to-fifo', (p, folders) => {
    const link = join(folders.input, 'link.dcm');
    symlinkSync(p.fifo, link);
    return { args: ['info', link] };
  }, notAFile);
  add('dvh-rtdose-link-to-zero', (p, folders) => {
    const link = join(folders.input, 'zero-link.dcm');
    symlinkSync('/dev/zero', link);
    return { args: ['dvh', '--rtss', p.rtss, '--rtdose', link] };
  }, notAFile);
  add('info-dev-null', () => ({ args: ['info', '/dev/null'] }), notAFile);
  add('check-rtdose-zero', (p) => ({ args: ['check', '--rtss', p.rtss, '--rtdose', p.zero] }), notAFile);
  add('merge-fifo', (p) => ({ args: ['batch', '--merge', p.fifo, '-o', 'all.csv'] }), { codes: ['E_NOT_A_FILE', 'E_SHARD_MISMATCH'], exits: [1] });
  add('info-good-and-fifo', (p) => ({ args: ['info', p.dose, p.fifo] }), { codes: ['E_NOT_A_FILE'], exits: [2] });
  // Exit 2 is "some files failed and the rest were described" (README); with no file described, 1.
  add('info-all-non-regular', (p) => ({ args: ['info', p.fifo, p.dir, p.zero] }), notAFile);
  // A FIFO named as the cohort: refused (exit 1), or skipped as one unreadable entry of the cohort
  // (exit 2, an empty result written), as `batch` treats any bad file; both keep the FIFO unread.
  add('batch-cohort-is-fifo', (p) => ({ args: ['batch', p.fifo, '--out', 'out.csv'], outputs: ['out.csv*'] }), { codes: ['E_NOT_A_FILE', 'E_USAGE'], exits: [1, 2] });
  // A cohort folder with a FIFO, a link to a FIFO and a link to /dev/zero next to one good patient.
  add(
    'batch-cohort-with-fifo',
    (p, folders) => {
      const cohort = join(folders.input, 'cohort');
      mkdirSync(join(cohort, 'P1'), { recursive: true });
      writeFileSync(join(cohort, 'P1', 'rtss.dcm'), structBytes().bytes);
      writeFileSync(join(cohort, 'P1', 'dose.dcm'), baseDose().bytes);
      mkfifo(join(cohort, 'P1', 'aaa-pipe.dcm'));
      symlinkSync(p.fifo, join(cohort, 'link-to-pipe.dcm'));
      symlinkSync('/dev/zero', join(cohort, 'link-to-zero.dcm'));
      return {
        args: ['batch', cohort, '--out', 'out.csv'],
        outputs: ['out.csv*'],
        oracle: (result, f) => {
          if (result.code !== 0 && result.code !== 2) return [];
          let rows;
          try {
            rows = parseCsv(readFileSync(join(f.work, 'out.csv'), 'utf8'));
          } catch {
            return ['no out.csv'];
          }
          const data = rows.slice(1).filter((r) => r.length > 1 && r[0] !== '');
          const names = data.map((r) => r[rows[0].indexOf('name')]).sort();
          return names.join(',') === 'Box,Cylinder,Slab' ? [] : [`out.csv rows are for ${names.join(', ') || 'nothing'}; expected Box, Cylinder, Slab of P1`];
        },
      };
    },
    { codes: ['E_NOT_A_FILE'], exits: [0, 2] },
  );
  // Output targets: a FIFO or a directory, with and without --force.
  const outputs = [
    ['dvh-out', (p, t) => ['dvh', '--rtss', p.rtss, '--rtdose', p.dose, '--format', 'json', '-o', t]],
    ['dvh-csv', (p, t) => ['dvh', '--rtss', p.rtss, '--rtdose', p.dose, '--csv', t]],
    ['dvh-plot', (p, t) => ['dvh', '--rtss', p.rtss, '--rtdose', p.dose, '--plot', t]],
    ['dvh-write-rtdose', (p, t) => ['dvh', '--rtss', p.rtss, '--rtdose', p.dose, '--write-rtdose', t]],
    ['sum-out', (p, t) => ['sum', p.dose, p.dose, '-o', t]],
    ['batch-out', (p, t, folders) => {
      const cohort = join(folders.input, 'cohort', 'P1');
      mkdirSync(cohort, { recursive: true });
      writeFileSync(join(cohort, 'rtss.dcm'), structBytes().bytes);
      writeFileSync(join(cohort, 'dose.dcm'), baseDose().bytes);
      return ['batch', join(folders.input, 'cohort'), '--out', t];
    }],
    ['phantom-out', (_p, t) => ['phantom', '--shape', 'sphere', '--grid-mm', '3', '--contour-spacing-mm', '3', '-o', t], 'fifo-only'],
  ];
  for (const [name, build, only] of outputs) {
    for (const kind of only === 'fifo-only' ? ['fifo'] : ['fifo', 'dir']) {
      for (const force of [false, true]) {
        add(
          `${name}-${kind}${force ? '-force' : ''}`,
          (p, folders) => {
            const ext = name === 'dvh-plot' ? 'svg' : name === 'batch-out' || name === 'dvh-csv' ? 'csv' : name === 'dvh-out' ? 'json' : 'dcm';
            const target = join(folders.work, `target.${ext}`);
            if (kind === 'fifo') mkfifo(target);
            else mkdirSync(target);
            return { args: [...build(p, target, folders), ...(force ? ['--force'] : [])], oracle: () => stillA(target, kind) };
          },
          // phantom's -o names a folder: a FIFO there may also be E_FILE_WRITE ("not a folder").
          { codes: name === 'phantom-out' ? ['E_OUTPUT_NOT_A_FILE', 'E_FILE_WRITE'] : ['E_OUTPUT_NOT_A_FILE'], exits: [1] },
        );
      }
    }
  }
  // Random: `info` of several files, some of them non-regular, in random order.
  for (let k = 0; k < count; k += 1) {
    const rng = caseRng(seed, FAMILY, k);
    const picks = Array.from({ length: rng.int(1, 6) }, () => rng.pick(['dose', 'rtss', 'fifo', 'dir', 'zero', 'null']));
    const bad = picks.filter((x) => !['dose', 'rtss'].includes(x)).length;
    cases.push({
      id: `${FAMILY}/random-${k}`,
      family: FAMILY,
      seed,
      describe: `info of ${picks.join(', ')}`,
      setup: async (folders) => {
        const p = { ...inputs(folders), null: '/dev/null' };
        return { args: ['info', ...picks.map((x) => p[x])], expect: { timeMs: TIME_MS, codes: ['E_NOT_A_FILE'], exits: bad === 0 ? [0] : bad === picks.length ? [1] : [2] } };
      },
    });
  }
  return cases;
}
