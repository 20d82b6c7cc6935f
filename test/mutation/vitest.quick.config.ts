// SPDX-License-Identifier: BSD-3-Clause
// The quick mutation pass (test/mutation/stryker.quick.config.mjs): the small modules with the fast
// test files that exercise them. Fewer tests than the full run, so its scores are lower bounds.
import { defineConfig } from 'vitest/config';
export default defineConfig({
  test: {
    // As in vitest.mutation.config.ts: instrumented code runs up to ten times slower.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    include: [
      'test/unit/cohort.test.ts',
      'test/unit/contour-data.test.ts',
      'test/unit/contour-data-scanner.test.ts',
      'test/unit/contour-digits.test.ts',
      'test/golden/dicomparser-parity.test.ts',
      'test/unit/dvh-statistics.test.ts',
      'test/unit/dvh-conversions.test.ts',
      'test/unit/dvh-construct.test.ts',
      'test/unit/dvh-dose-range.test.ts',
      'test/unit/dicompyler-bin-edges.test.ts',
      'test/unit/dvh-calculate-cases.test.ts',
      'test/golden/dvh-dcc-parity.test.ts',
      'test/golden/dvh-dicom-dvh.test.ts',
    ],
  },
});
