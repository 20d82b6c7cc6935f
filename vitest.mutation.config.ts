// SPDX-License-Identifier: BSD-3-Clause
// The test files mutation testing (`npm run mutation`, stryker.config.mjs) runs against each
// mutant: those that exercise src/ and fallback/ in-process. CLI tests run the built dist/ in a
// child process, which Stryker does not mutate, and GPU or browser tests compare with the CPU
// kernels rather than with an independent truth, so they are left out to keep a run within hours;
// bad-input.test.ts fuzzes whole files for
// minutes, beyond its time limit once every statement is instrumented; option-bounds and
// runaway-work test limits on work, not numbers, on deliberately large inputs.
import { defineConfig } from 'vitest/config';

export const MUTATION_TEST_FILES = [
  'test/unit/api-arguments.test.ts',
  'test/unit/cancellation.test.ts',
  'test/unit/cli-check-sequence.test.ts',
  'test/unit/cohort.test.ts',
  'test/unit/contour-data.test.ts',
  'test/unit/contour-data-scanner.test.ts',
  'test/unit/contour-digits.test.ts',
  'test/unit/dicom-write.test.ts',
  'test/unit/dicompyler-bin-edges.test.ts',
  'test/unit/dose-quantize.test.ts',
  'test/unit/dose-sum-truth.test.ts',
  'test/unit/dose-sum.test.ts',
  'test/unit/dvh-calculate-cases.test.ts',
  'test/unit/dvh-construct.test.ts',
  'test/unit/dvh-conversions.test.ts',
  'test/unit/dvh-describe.test.ts',
  'test/unit/dvh-dose-range.test.ts',
  'test/unit/dvh-export.test.ts',
  'test/unit/dvh-gamma.test.ts',
  'test/unit/dvh-plot.test.ts',
  'test/unit/dvh-sources.test.ts',
  'test/unit/dvh-statistics.test.ts',
  'test/unit/geometry-semantics.test.ts',
  'test/unit/grid-geometry.test.ts',
  'test/unit/grid-orientation-truth.test.ts',
  'test/unit/numeric-junk.test.ts',
  'test/unit/pixel-data-size.test.ts',
  'test/unit/polygon-mask.test.ts',
  'test/unit/rle.test.ts',
  'test/unit/roi-algebra.test.ts',
  'test/unit/roi-expression.test.ts',
  'test/unit/transfer-syntax.test.ts',
  'test/golden/dicomparser-parity.test.ts',
  'test/golden/dose-dcc-parity.test.ts',
  'test/golden/dvh-dcc-parity.test.ts',
  'test/golden/dvh-dicom-dvh.test.ts',
  'test/golden/dvhcalc-parity.test.ts',
  'test/analytical/phantom-truth.test.ts',
];

export default defineConfig({
  test: {
    include: MUTATION_TEST_FILES,
    // Instrumented code (a coverage counter on every statement, a switch at every mutant) runs
    // up to ten times slower than the build.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    // Left out: the structure-algebra identities on the whole example (both algorithms; the
    // synthetic identities in the same file run) and the margin tests (margins are not among the
    // mutated modules): each takes minutes once instrumented, and they would run for every mutant.
    testNamePattern: /^(?!margins |.*the example: Breast & Tumor Bed).*$/,
  },
});
