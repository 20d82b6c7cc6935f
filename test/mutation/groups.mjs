// SPDX-License-Identifier: BSD-3-Clause
// The modules mutation testing covers, in groups that each run against the in-process test files
// that exercise them. A group's score counts only its own test files, so it is a lower bound of
// what the whole suite kills. `npm run mutation` runs every group (test/mutation/run.mjs);
// `npm run mutation -- dose` runs one.
//
// Left out of every group: CLI tests (they run the built dist/ in a child process, which a
// mutation run does not reach); GPU and browser tests (they compare with the CPU kernels, not with
// an independent truth); bad-input.test.ts (it fuzzes whole files for minutes, beyond its time
// limit once every statement is instrumented); option-bounds and runaway-work tests (limits on
// work on deliberately large inputs).

/** Test files every group runs: argument checks of every public export. */
const ARGUMENTS = ['test/unit/api-arguments.test.ts'];

/** Test files of the CPU kernels and the calculation plans, which they exercise together. */
const CALCULATION_TESTS = [
  ...ARGUMENTS,
  'test/unit/polygon-mask.test.ts',
  'test/unit/dose-histogram-kernel.test.ts',
  'test/unit/calculation-plan-edges.test.ts',
  'test/unit/dvh-calculate-cases.test.ts',
  'test/unit/dicompyler-bin-edges.test.ts',
  'test/unit/grid-orientation-truth.test.ts',
  'test/unit/geometry-semantics.test.ts',
  'test/unit/cancellation.test.ts',
  'test/unit/dvh-sources.test.ts',
  'test/golden/dvhcalc-parity.test.ts',
  'test/analytical/phantom-truth.test.ts',
  'test/unit/plan-precise-truth.test.ts',
  'test/unit/plan-dicompyler-truth.test.ts',
  'test/unit/derived-roi-truth.test.ts',
  'test/unit/surface-dose-walk.test.ts',
];

/**
 * Test files of the CPU kernels: their own tests and the closed-form and parity tests of both
 * algorithms. Left out of this group only: the phantom suite, the geometry-semantics and the
 * cancellation tests, which run the kernels' inner loops over whole phantoms and the example at
 * fine sampling (minutes per mutant once those loops are instrumented; the calculation group
 * keeps them).
 */
const KERNEL_TESTS = [
  ...ARGUMENTS,
  'test/unit/polygon-mask.test.ts',
  'test/unit/polygon-mask-edges.test.ts',
  'test/unit/dose-histogram-kernel.test.ts',
  'test/unit/calculation-plan-edges.test.ts',
  'test/unit/dvh-calculate-cases.test.ts',
  'test/unit/dicompyler-bin-edges.test.ts',
  'test/unit/grid-orientation-truth.test.ts',
  'test/unit/dvh-sources.test.ts',
  'test/golden/dvhcalc-parity.test.ts',
];

/**
 * Tests of the kernels group's files left out by name: the hostile-argument sweep over every
 * export and the example at 0.5 mm in-plane sampling push millions of samples through the
 * instrumented kernels (over half the group's test time for each mutant) and kill nothing that
 * the kernels' own tests and the closed-form cases do not.
 */
const KERNEL_SLOW_TESTS = ['every export is called with every hostile value', '0.5 mm in-plane sampling agrees'];

/** @type {readonly { name: string, why: string, mutate: string[], tests: string[], leaveOut?: string[] }[]} */
export const MUTATION_GROUPS = [
  {
    name: 'statistics',
    why: 'DVH statistics (D, V, mean, min, max, relative and absolute forms), histogram binning and numpy\'s float32 sum',
    mutate: ['src/dvh/statistics.ts', 'src/dvh/dose-binning.ts', 'src/dvh/numpy-sum.ts'],
    tests: [
      ...ARGUMENTS,
      'test/unit/dvh-statistics.test.ts',
      'test/unit/dvh-lookups.test.ts',
      'test/unit/dvh-conversions.test.ts',
      'test/unit/dvh-construct.test.ts',
      'test/unit/dvh-dose-range.test.ts',
      'test/unit/dvh-describe.test.ts',
      'test/unit/dose-binning.test.ts',
      'test/golden/numpy-sum.test.ts',
      'test/unit/dicompyler-bin-edges.test.ts',
      'test/unit/dvh-calculate-cases.test.ts',
      'test/golden/dvh-dcc-parity.test.ts',
      'test/golden/dvh-dicom-dvh.test.ts',
    ],
  },
  {
    name: 'dicom',
    why: 'ContourData decoding and the pixel readers (native, RLE)',
    mutate: ['src/dicom/contour-data.ts', 'src/dicom/pixel-data.ts', 'src/dicom/rle.ts'],
    tests: [
      ...ARGUMENTS,
      'test/unit/contour-data.test.ts',
      'test/unit/contour-data-scanner.test.ts',
      'test/unit/contour-digits.test.ts',
      'test/unit/numeric-junk.test.ts',
      'test/unit/pixel-data-size.test.ts',
      'test/unit/pixel-data-edges.test.ts',
      'test/unit/rle.test.ts',
      'test/unit/rle-edges.test.ts',
      'test/unit/transfer-syntax.test.ts',
      'test/golden/dicomparser-parity.test.ts',
      'test/golden/dose-dcc-parity.test.ts',
    ],
  },
  {
    name: 'dose',
    why: 'dose summation, scaling, resampling and quantisation',
    mutate: ['src/dose/*.ts', 'fallback/trilinear-resample.ts'],
    tests: [
      ...ARGUMENTS,
      'test/unit/dose-sum-truth.test.ts',
      'test/unit/dose-sum.test.ts',
      'test/unit/dose-quantize.test.ts',
      'test/unit/dose-ops-edges.test.ts',
      'test/unit/trilinear-resample-edges.test.ts',
      'test/unit/dicom-write.test.ts',
      'test/unit/grid-geometry.test.ts',
      'test/unit/cancellation.test.ts',
      'test/golden/dose-dcc-parity.test.ts',
    ],
  },
  {
    name: 'kernels',
    why: 'the CPU kernels: polygon masks and dose histograms',
    mutate: ['fallback/dose-histogram.ts', 'fallback/polygon-mask.ts'],
    tests: KERNEL_TESTS,
    leaveOut: KERNEL_SLOW_TESTS,
  },
  {
    name: 'calculation',
    why: 'both algorithms\' calculation plans: sampling, slabs, batches, the surface dose range',
    mutate: [
      'src/dvh/calculation-plan.ts',
      'src/dvh/plan-dicompyler.ts',
      'src/dvh/plan-precise.ts',
      'src/dvh/sampling.ts',
      'src/dvh/surface-dose.ts',
    ],
    tests: CALCULATION_TESTS,
  },
  {
    name: 'algebra',
    why: 'structure algebra: union, intersection and difference on both algorithms',
    mutate: ['src/dvh/boolean-tree.ts', 'src/dvh/roi-algebra.ts', 'src/dvh/lattice-algebra.ts', 'src/dvh/derived-shape.ts', 'src/dvh/plan-derived.ts'],
    tests: [...ARGUMENTS, 'test/unit/lattice-algebra.test.ts', 'test/unit/roi-algebra.test.ts', 'test/unit/roi-expression.test.ts', 'test/unit/derived-roi-truth.test.ts'],
  },
  {
    name: 'cohort',
    why: 'cohort sharding',
    mutate: ['src/cohort/shard.ts'],
    tests: [...ARGUMENTS, 'test/unit/cohort.test.ts'],
  },
];

/** The group named by DOSEKIT_MUTATION_GROUP (the runner sets it), or undefined. */
export function selectedGroup(env = process.env) {
  const name = env.DOSEKIT_MUTATION_GROUP;
  if (name === undefined) return undefined;
  const group = MUTATION_GROUPS.find((g) => g.name === name);
  if (!group) throw new Error(`Unknown mutation group "${name}"; the groups are ${MUTATION_GROUPS.map((g) => g.name).join(', ')}.`);
  return group;
}
