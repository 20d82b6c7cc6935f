// SPDX-License-Identifier: BSD-3-Clause
// A quick mutation pass over the small modules (sharding, ContourData, DVH statistics, binning,
// numpy's float32 sum) with their fast test files only, minutes instead of hours:
//   npx stryker run test/mutation/stryker.quick.config.mjs
import base from '../../stryker.config.mjs';

export default {
  ...base,
  vitest: { configFile: 'test/mutation/vitest.quick.config.ts' },
  mutate: ['src/cohort/shard.ts', 'src/dicom/contour-data.ts', 'src/dvh/statistics.ts', 'src/dvh/dose-binning.ts', 'src/dvh/numpy-sum.ts'],
  jsonReporter: { fileName: 'reports/mutation/quick.json' },
  htmlReporter: { fileName: 'reports/mutation/quick.html' },
  incrementalFile: 'reports/stryker-incremental-quick.json',
};
