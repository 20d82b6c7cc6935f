// SPDX-License-Identifier: BSD-3-Clause
// The test files a mutation run (`npm run mutation`, stryker.config.mjs) runs against each mutant:
// those of the group named by DOSEKIT_MUTATION_GROUP (test/mutation/groups.mjs), or every group's.
import { defineConfig } from 'vitest/config';
import { MUTATION_GROUPS, selectedGroup } from './test/mutation/groups.mjs';

const group = selectedGroup();

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
const include = group ? group.tests : [...new Set(MUTATION_GROUPS.flatMap((g) => g.tests))];

export default defineConfig({
  test: {
    include,
    // Instrumented code (a coverage counter on every statement, a switch at every mutant) runs
    // up to ten times slower than the build.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    // Left out: the structure-algebra identities on the whole example (both algorithms; the
    // synthetic identities in the same file run) and the margin tests (margins are not among the
    // mutated modules): each takes minutes once instrumented, and they would run for every mutant.
    // Also left out: tests that run the built dist/ in a child process (so that a hang fails),
    // which the mutated sources do not reach.
    // A group may leave out more by name (`leaveOut` in test/mutation/groups.mjs).
    testNamePattern: new RegExp(`^(?!${['margins ', '.*the example: Breast & Tumor Bed', '.*\\(run in a child', ...(group?.leaveOut ?? []).map((name) => `.*${escapeRegExp(name)}`)].join('|')}).*$`),
  },
});
