// SPDX-License-Identifier: BSD-3-Clause
// Mutation testing of the modules whose numbers users trust. Run it with `npm run mutation`
// (test/mutation/run.mjs), which runs this configuration once per group of test/mutation/groups.mjs
// (DOSEKIT_MUTATION_GROUP names the group) and sums the groups' reports. Results:
// reports/mutation/<group>.json and .html, reports/mutation/summary.md; the summary and the
// surviving mutants are kept in bench/README.md.
import { MUTATION_GROUPS, selectedGroup } from './test/mutation/groups.mjs';

const group = selectedGroup();
const name = group?.name ?? 'all';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  plugins: ['@stryker-mutator/*', './test/mutation/ignore-error-text.mjs'],
  ignorers: ['error-text'],
  checkers: ['typescript'],
  // The mutated code type-checked alone (src and fallback), not the tests and benchmarks too.
  tsconfigFile: 'test/mutation/tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: group ? group.mutate : MUTATION_GROUPS.flatMap((g) => g.mutate),
  concurrency: 2,
  // A static mutant (a module-level value, computed once at import) can only be tested by
  // re-running every test file in one process: minutes each here, instrumented. They are
  // reported as Ignored; the modules' constants are checked by the tests of what they bound.
  ignoreStatic: true,
  // Re-runs only the mutants whose code or covering tests changed since the group's last run.
  incremental: true,
  incrementalFile: `reports/stryker-incremental-${name}.json`,
  timeoutMS: 20_000,
  // The first run of every test, instrumented, takes minutes on two cores.
  dryRunTimeoutMinutes: 30,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: `.stryker-tmp-${name}`,
  cleanTempDir: 'always',
};
