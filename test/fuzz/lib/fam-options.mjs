// SPDX-License-Identifier: BSD-3-Clause
// Family 4, oversized and junk option values: each must give a coded error (E_USAGE,
// E_INVALID_ARGUMENT, E_TOO_LARGE, E_BAD_ROI_EXPRESSION...) or a correct result, quickly and
// within the memory bound. Values that are not finite decimal numbers, and negative values of
// options that cannot be negative, must be refused (exit 1).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPTION_CODES, ROI_CODES, STATS, baselineDvh, compareDvhs, dvhOutput, writeBase } from './common.mjs';
import { baseDose, structBytes } from './dicom.mjs';
import { caseRng } from './prng.mjs';

export const FAMILY = 'options';
const ANY = [...OPTION_CODES, ...ROI_CODES];

/** Values that are no finite number: always refused. */
const NOT_A_NUMBER = ['abc', 'NaN', '', '1e400', '-1e400', 'Infinity', '5abc', '1,5', '--'];
const NEGATIVE = ['-1', '-0.5', '-1e-9'];
const EDGE = ['0', '1e-300', '1e9', '4294967297', '1.5', '1e-4', '2'];

/**
 * The numeric options: [command, option, build(value, paths) -> args, negativeRefused, outputs].
 * `paths` has rtss, dose and cohort (a folder with one patient).
 */
const NUMERIC = [
  ['dvh', '--rx-dose-gy', (v, p) => ['dvh', '--rtss', p.rtss, '--rtdose', p.dose, '--format', 'csv', '--stats', 'V95%,D95', `--rx-dose-gy=${v}`], true],
  ['dvh', '--limit-cgy', (v, p) => ['dvh', '--rtss', p.rtss, '--rtdose', p.dose, '--format', 'csv', `--limit-cgy=${v}`], true],
  ['dvh', '--thickness-mm', (v, p) => ['dvh', '--rtss', p.rtss, '--rtdose', p.dose, '--format', 'csv', `--thickness-mm=${v}`], true],
  ['dvh', '--interp-resolution-mm', (v, p) => ['dvh', '--rtss', p.rtss, '--rtdose', p.dose, '--format', 'csv', '--algorithm', 'dicompyler', `--interp-resolution-mm=${v}`], true],
  ['dvh', '--interp-segments', (v, p) => ['dvh', '--rtss', p.rtss, '--rtdose', p.dose, '--format', 'csv', '--algorithm', 'dicompyler', `--interp-segments=${v}`], true],
  ['sum', '--weights', (v, p) => ['sum', p.dose, p.dose, `--weights=${v},1`, '-o', 'sum.dcm'], false, ['sum.dcm']],
  ['sum', '--order', (v, p) => ['sum', p.dose, p.dose, `--order=${v}`, '-o', 'sum.dcm'], true, ['sum.dcm']],
  ['phantom', '--grid-mm', (v) => ['phantom', '--shape', 'sphere', `--grid-mm=${v}`, '-o', 'ph'], true, ['ph']],
  ['phantom', '--contour-spacing-mm', (v) => ['phantom', '--shape', 'cone', `--contour-spacing-mm=${v}`, '-o', 'ph'], true, ['ph']],
  ['batch', '--jobs', (v, p) => ['batch', p.cohort, '--out', 'out.csv', `--jobs=${v}`], true, ['out.csv*']],
  ['batch', '--shard', (v, p) => ['batch', p.cohort, '--out', 'out.csv', `--shard=${v}/2`], true, ['out.csv*']],
  ['info', '--max-memory', (v, p) => ['info', p.dose, `--max-memory=${v}`], true],
];

function writeInputs(folders) {
  const paths = writeBase(folders.input);
  const cohort = join(folders.input, 'cohort', 'P1');
  mkdirSync(cohort, { recursive: true });
  writeFileSync(join(cohort, 'rtss.dcm'), structBytes().bytes);
  writeFileSync(join(cohort, 'dose.dcm'), baseDose().bytes);
  return { ...paths, cohort: join(folders.input, 'cohort') };
}

function optionCase(seed, id, build, { refuse, outputs = [], describe, oracle, env } = {}) {
  return {
    id,
    family: FAMILY,
    seed,
    describe,
    setup: async (folders) => {
      const paths = writeInputs(folders);
      return {
        args: build(paths),
        env,
        outputs,
        expect: refuse ? { codes: ['E_USAGE', 'E_INVALID_ARGUMENT'], exits: [1] } : { codes: ANY },
        oracle: oracle ? await oracle() : undefined,
      };
    },
  };
}

const dvh = (p, ...extra) => ['dvh', '--rtss', p.rtss, '--rtdose', p.dose, '--format', 'csv', '--stats', STATS, ...extra];

/** A derived ROI that is Box under another name must have Box's statistics (when it is accepted). */
const sameAsBox = async () => {
  const truth = await baselineDvh();
  return (result) => {
    if (result.code !== 0) return [];
    const out = dvhOutput(result);
    const x = out?.dvhs?.find((d) => d.name === 'X');
    if (!x) return ['no DVH for the derived ROI "X"'];
    // A derived ROI's extremes come from its own sampling (README, derived ROIs); the rest must match.
    const box = truth.dvhs.find((d) => d.name === 'Box');
    return compareDvhs({ dvhs: [{ ...x, name: 'Box', minGy: box.minGy, maxGy: box.maxGy }] }, { dvhs: [box] }, { tol: 1e-6 }).map((f) => `${f} (X is Box)`);
  };
};

export function optionCases(seed, count) {
  const cases = [];
  const named = [
    ['interp-resolution-1e-4', (p) => dvh(p, '--algorithm', 'dicompyler', '--interp-resolution-mm', '1e-4')],
    ['interp-segments-1e9', (p) => dvh(p, '--algorithm', 'dicompyler', '--interp-segments', '1e9')],
    ['interp-both-extreme', (p) => dvh(p, '--algorithm', 'dicompyler', '--interp-segments', '1000', '--interp-resolution-mm', '0.001')],
    ['thickness-1e9', (p) => dvh(p, '--thickness-mm', '1e9')],
    ['limit-cgy-1e30', (p) => dvh(p, '--limit-cgy', '1e30')],
    ['expand-1000', (p) => dvh(p, '--roi', 'Box', '--roi-expr', 'X=expand(Box, 1000)')],
    ['expand-1e9', (p) => dvh(p, '--roi', 'Box', '--roi-expr', 'X=expand(Box, 1e9)')],
    ['shrink-1e9', (p) => dvh(p, '--roi', 'Box', '--roi-expr', 'X=shrink(Box, 1e9)')],
    ['deep-parentheses-10000', (p) => dvh(p, '--roi', 'Box', '--roi-expr', `X=${'('.repeat(10_000)}Box${')'.repeat(10_000)}`), { oracle: sameAsBox }],
    ['deep-parentheses-2000', (p) => dvh(p, '--roi', 'Box', '--roi-expr', `X=${'('.repeat(2000)}Box${')'.repeat(2000)}`), { oracle: sameAsBox }],
    ['deep-parentheses-90', (p) => dvh(p, '--roi', 'Box', '--roi-expr', `X=${'('.repeat(90)}Box${')'.repeat(90)}`), { oracle: sameAsBox }],
    ['deep-intersection-90', (p) => dvh(p, '--roi', 'Box', '--roi-expr', `X=${'(Box&'.repeat(90)}Box${')'.repeat(90)}`), { oracle: sameAsBox }],
    ['deep-expand-2000', (p) => dvh(p, '--roi', 'Box', '--roi-expr', `X=${'expand('.repeat(2000)}Box${', 0.001)'.repeat(2000)}`)],
    ['deep-expand-300', (p) => dvh(p, '--roi', 'Box', '--roi-expr', `X=${'expand('.repeat(300)}Box${', 0.1)'.repeat(300)}`)],
    ['deep-intersection-500', (p) => dvh(p, '--roi', 'Box', '--roi-expr', `X=${'(Box&'.repeat(500)}Box${')'.repeat(500)}`), { oracle: sameAsBox }],
    ['long-union-10000', (p) => dvh(p, '--roi', 'Box', '--roi-expr', `X=${Array(10_000).fill('Box').join('|')}`), { oracle: sameAsBox }],
    ['long-union-1000', (p) => dvh(p, '--roi', 'Box', '--roi-expr', `X=${Array(1000).fill('Box').join('|')}`), { oracle: sameAsBox }],
    ['many-roi-expr-50', (p) => dvh(p, ...Array.from({ length: 50 }, (_, i) => ['--roi-expr', `X${i}=Box|Slab`]).flat())],
    ['unbalanced-parentheses', (p) => dvh(p, '--roi-expr', `X=${'('.repeat(10_000)}Box`), { refuse: 'expr' }],
    ['stats-junk', (p) => dvh(p, '--stats', 'D1e400,V-5Gy,Dabc,D95cc%')],
    ['stats-5000', (p) => ['dvh', '--rtss', p.rtss, '--rtdose', p.dose, '--format', 'csv', '--stats', Array.from({ length: 5000 }, (_, i) => `D${(i % 99) + 1}`).join(',')]],
    ['roi-repeated-5000', (p) => dvh(p, ...Array.from({ length: 5000 }, () => ['--roi', 'Box']).flat())],
    ['roi-name-100k', (p) => dvh(p, '--roi', 'B'.repeat(100_000))],
    ['rx-dose-1e-300', (p) => dvh(p, '--stats', 'V95%', '--rx-dose-gy', '1e-300')],
    ['phantom-grid-0.01', () => ['phantom', '--shape', 'sphere', '--grid-mm', '0.01', '-o', 'ph'], { outputs: ['ph'] }],
    ['phantom-contours-0.001', () => ['phantom', '--shape', 'sphere', '--contour-spacing-mm', '0.001', '-o', 'ph'], { outputs: ['ph'] }],
    ['max-memory-1K', (p) => dvh(p, '--max-memory', '1K'), { refuse: 'memory' }],
    ['env-max-memory-1K', (p) => dvh(p), { refuse: 'memory', env: { DOSEKIT_MAX_MEMORY: '1K' } }],
    ['max-memory-huge', (p) => dvh(p, '--max-memory', '99999999999999999999999T')],
    ['sum-weights-1e308', (p) => ['sum', p.dose, p.dose, '--weights', '1e308,1e308', '-o', 'sum.dcm'], { outputs: ['sum.dcm'] }],
    ['batch-jobs-1e9', (p) => ['batch', p.cohort, '--out', 'out.csv', '--jobs', '1e9'], { outputs: ['out.csv*'] }],
    ['batch-shard-1e9', (p) => ['batch', p.cohort, '--out', 'out.csv', '--shard', '999999999/1000000000'], { outputs: ['out.csv*'] }],
  ];
  for (const [name, build, opts = {}] of named) {
    const refuse = opts.refuse === 'memory' ? undefined : opts.refuse;
    const kase = optionCase(seed, `${FAMILY}/${name}`, build, { refuse: !!refuse, outputs: opts.outputs, oracle: opts.oracle, env: opts.env });
    if (opts.refuse === 'expr') {
      const setup = kase.setup;
      kase.setup = async (f) => ({ ...(await setup(f)), expect: { codes: ['E_BAD_ROI_EXPRESSION', 'E_USAGE'], exits: [1] } });
    }
    if (opts.refuse === 'memory') {
      const setup = kase.setup;
      kase.setup = async (f) => ({ ...(await setup(f)), expect: { codes: ['E_TOO_LARGE', 'E_INVALID_ARGUMENT', 'E_USAGE'], exits: [1] } });
    }
    cases.push(kase);
  }
  // Every numeric option with one value of each kind, then random picks.
  const values = (rng) => rng.pick([...NOT_A_NUMBER, ...NEGATIVE, ...EDGE]);
  const planned = [];
  NUMERIC.forEach((entry, i) => planned.push([entry, NOT_A_NUMBER[i % NOT_A_NUMBER.length]], [entry, NEGATIVE[i % NEGATIVE.length]]));
  for (let k = 0; k < count; k += 1) {
    const rng = caseRng(seed, FAMILY, k);
    planned.push([rng.pick(NUMERIC), values(rng)]);
  }
  planned.forEach(([[command, option, build, negativeRefused, outputs = []], value], k) => {
    const refuse = NOT_A_NUMBER.includes(value) || (negativeRefused && NEGATIVE.includes(value));
    cases.push(optionCase(seed, `${FAMILY}/${command}${option}=[${value.replace(/,/g, ';')}]#${k}`, (p) => build(value, p), { refuse, outputs, describe: `${option} ${JSON.stringify(value)}` }));
  });
  return cases;
}
