// SPDX-License-Identifier: BSD-3-Clause
// `dosekit batch --shard auto` on a real scheduler: the test cohort submitted as a Slurm array job
// (sbatch --array=0-3 --wait) to a single-node Slurm cluster started for the test
// (scripts/with-slurm.sh: Debian's slurm-wlm, root, no systemd), the four shard outputs merged
// with `dosekit batch --merge`, and the result compared byte for byte with the unsharded run.
// Needs root and apt (the script installs slurm-wlm when missing); skipped otherwise unless
// REQUIRE_SLURM=1 (CI), which turns that into a failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { buildTestCohort } from '../helpers/cohort.js';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const canRun = isRoot && (existsSync('/usr/sbin/slurmctld') || existsSync('/usr/bin/apt-get'));
const required = process.env.REQUIRE_SLURM === '1';
const NO_SCHEDULER = { SLURM_ARRAY_TASK_ID: '', SLURM_ARRAY_TASK_COUNT: '', SLURM_ARRAY_TASK_MIN: '', JOB_COMPLETION_INDEX: '' };

describe('sharding on a real Slurm cluster', () => {
  it.skipIf(!canRun && !required)('an sbatch array job of 4 shards, merged, equals the unsharded run byte for byte', () => {
    expect(canRun, 'REQUIRE_SLURM=1 needs root and apt-get (or slurm-wlm installed)').toBe(true);
    const cohort = buildTestCohort();
    const out = mkdtempSync(join(tmpdir(), 'dosekit-slurm-'));
    const options = ['--rois', 'Heart,Tumor Bed', '--algorithm', 'dicompyler', '--backend', 'cpu'];
    const whole = runCli(['batch', cohort.root, ...options, '-o', join(out, 'whole.csv')], { env: NO_SCHEDULER });
    expect(whole.code, whole.stderr).toBe(2); // the cohort holds an orphan dose and a truncated file on purpose

    // The job script users copy (examples/slurm/dvh-cohort.sbatch) does the same with npx.
    const job = join(out, 'job.sbatch');
    writeFileSync(
      job,
      [
        '#!/bin/bash',
        `#SBATCH --output=${out}/task-%a.log`,
        `cd ${JSON.stringify(ROOT)}`,
        `exec ${JSON.stringify(process.execPath)} bin/dosekit.js batch ${JSON.stringify(cohort.root)} ${options.map((o) => JSON.stringify(o)).join(' ')} --shard auto -o ${JSON.stringify(out)}/shard-$SLURM_ARRAY_TASK_ID.csv`,
        '',
      ].join('\n'),
    );
    const cluster = spawnSync('bash', [join(ROOT, 'scripts/with-slurm.sh'), 'sbatch', '--array=0-3', '--wait', job], { encoding: 'utf8', timeout: 240_000 });
    const logs = [0, 1, 2, 3].map((i) => (existsSync(join(out, `task-${i}.log`)) ? readFileSync(join(out, `task-${i}.log`), 'utf8') : '(no log)')).join('\n');
    // Each task exits 2 (the orphan and the truncated file are in every shard's index); sbatch --wait reports that.
    expect(cluster.stdout + cluster.stderr, logs).toMatch(/Submitted batch job/);
    const shards = [0, 1, 2, 3].map((i) => join(out, `shard-${i}.csv`));
    for (const shard of shards) expect(existsSync(shard), `${shard} missing\n${cluster.stderr}\n${logs}`).toBe(true);
    expect(readFileSync(shards[2], 'utf8')).toMatch(/^# dosekit batch shard 2\/4 of \d+ doses, cohort [0-9a-f]+\n/);

    const merged = runCli(['batch', '--merge', ...shards, '-o', join(out, 'merged.csv')], { env: NO_SCHEDULER });
    expect(merged.code, merged.stderr).toBe(0);
    expect(readFileSync(join(out, 'merged.csv'), 'utf8')).toBe(readFileSync(join(out, 'whole.csv'), 'utf8'));
  }, 300_000);
});
