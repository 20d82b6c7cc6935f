// SPDX-License-Identifier: BSD-3-Clause
// Mutation testing of the modules whose numbers users trust: `npm run mutation`.
// Results: reports/mutation/ (HTML and JSON); the summary and the surviving mutants are kept in
// bench/README.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  plugins: ['@stryker-mutator/*', './test/mutation/ignore-error-text.mjs'],
  ignorers: ['error-text'],
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: [
    // The CPU kernels: polygon rasterisation, the dose histograms, trilinear resampling.
    'fallback/*.ts',
    // DVH statistics (D, V, mean, min, max, relative and absolute forms).
    'src/dvh/statistics.ts',
    // The calculation plans of both algorithms, their sampling and binning.
    'src/dvh/calculation-plan.ts',
    'src/dvh/plan-dicompyler.ts',
    'src/dvh/plan-precise.ts',
    'src/dvh/plan-derived.ts',
    'src/dvh/sampling.ts',
    'src/dvh/dose-binning.ts',
    'src/dvh/surface-dose.ts',
    'src/dvh/numpy-sum.ts',
    // Dose summation, scaling, resampling and quantisation.
    'src/dose/*.ts',
    // ContourData decoding and the pixel readers.
    'src/dicom/contour-data.ts',
    'src/dicom/pixel-data.ts',
    'src/dicom/rle.ts',
    // Cohort sharding.
    'src/cohort/shard.ts',
    // Structure algebra: union, intersection and difference.
    'src/dvh/boolean-tree.ts',
    'src/dvh/roi-algebra.ts',
    'src/dvh/lattice-algebra.ts',
    'src/dvh/derived-shape.ts',
  ],
  concurrency: 3,
  // A static mutant (a module-level value, computed once at import) can only be tested by
  // re-running every test file in one process: about 7 minutes each here, instrumented. They are
  // reported as Ignored; the modules' constants are checked by the tests of what they bound.
  ignoreStatic: true,
  // Re-runs only the mutants whose code or covering tests changed since the last run.
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  timeoutMS: 20_000,
  // The first run of every test, instrumented, takes several minutes on two cores.
  dryRunTimeoutMinutes: 30,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  thresholds: { high: 90, low: 85, break: 85 },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
