// SPDX-License-Identifier: BSD-3-Clause
// Which shard `dosekit batch` runs (--shard I/N or from a scheduler's environment), and the
// fingerprint that lets `--merge` check that shards belong together.
import { createHash } from 'node:crypto';
import type { CohortEntry } from '../cohort/pair.js';
import { DosekitError } from '../errors.js';
import type { BatchSettings } from './batch-rows.js';

/** A shard to run: 0-based `index` of `count`. */
export interface ShardChoice {
  readonly index: number;
  readonly count: number;
}

const WHOLE = /^\d+$/;

function whole(text: string | undefined, what: string): number {
  if (text === undefined || !WHOLE.test(text.trim())) throw new DosekitError('E_USAGE', `${what} must be a whole number >= 0 (got ${JSON.stringify(text)}).`);
  return Number(text.trim());
}

function checked(index: number, count: number, source: string): ShardChoice {
  if (count < 1) throw new DosekitError('E_USAGE', `${source}: the shard count must be at least 1 (got ${count}).`);
  if (index >= count) throw new DosekitError('E_USAGE', `${source}: shard ${index} does not exist in ${count} shards; shards are numbered 0 to ${count - 1}.`);
  return { index, count };
}

/** The shard from the environment of a Slurm job array or a Kubernetes Indexed Job. */
function shardFromEnvironment(shardCount: string | undefined, env: Readonly<Record<string, string | undefined>>): ShardChoice {
  const slurmId = env.SLURM_ARRAY_TASK_ID;
  if (slurmId !== undefined && slurmId !== '') {
    const count = whole(env.SLURM_ARRAY_TASK_COUNT, 'SLURM_ARRAY_TASK_COUNT (set by Slurm with SLURM_ARRAY_TASK_ID)');
    const min = env.SLURM_ARRAY_TASK_MIN ? whole(env.SLURM_ARRAY_TASK_MIN, 'SLURM_ARRAY_TASK_MIN') : 0;
    const step = env.SLURM_ARRAY_TASK_STEP ? whole(env.SLURM_ARRAY_TASK_STEP, 'SLURM_ARRAY_TASK_STEP') : 1;
    if (step !== 1) throw new DosekitError('E_USAGE', `--shard auto needs a contiguous Slurm array (SLURM_ARRAY_TASK_STEP is ${step}); submit it as --array=0-${count - 1}.`);
    const id = whole(slurmId, 'SLURM_ARRAY_TASK_ID');
    if (id < min) throw new DosekitError('E_USAGE', `SLURM_ARRAY_TASK_ID ${id} is below SLURM_ARRAY_TASK_MIN ${min}.`);
    if (shardCount !== undefined && whole(shardCount, '--shard-count') !== count) {
      throw new DosekitError('E_USAGE', `--shard-count ${shardCount} disagrees with SLURM_ARRAY_TASK_COUNT ${count}; leave --shard-count out under Slurm.`);
    }
    return checked(id - min, count, `Slurm array task ${id} (SLURM_ARRAY_TASK_MIN ${min}, SLURM_ARRAY_TASK_COUNT ${count})`);
  }
  const k8sIndex = env.JOB_COMPLETION_INDEX;
  if (k8sIndex !== undefined && k8sIndex !== '') {
    if (shardCount === undefined) {
      throw new DosekitError('E_USAGE', 'JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but --shard-count is missing; pass --shard-count N with N the Job\'s spec.completions.');
    }
    const count = whole(shardCount, '--shard-count');
    return checked(whole(k8sIndex, 'JOB_COMPLETION_INDEX'), count, `JOB_COMPLETION_INDEX with --shard-count ${count}`);
  }
  throw new DosekitError(
    'E_USAGE',
    '--shard auto found no scheduler: set SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT (a Slurm job array; SLURM_ARRAY_TASK_MIN is subtracted when set), or JOB_COMPLETION_INDEX with --shard-count N (a Kubernetes Indexed Job); or give --shard I/N.',
  );
}

/**
 * The shard to run from `--shard` (I/N, 0-based, or 'auto') and `--shard-count`, or undefined
 * for the whole cohort.
 * @throws DosekitError E_USAGE for a malformed value, a shard outside 0..N-1, or 'auto' without
 *   a scheduler's variables.
 */
export function resolveShard(shard: string | undefined, shardCount: string | undefined, env: Readonly<Record<string, string | undefined>>): ShardChoice | undefined {
  if (shard === undefined) {
    if (shardCount !== undefined) throw new DosekitError('E_USAGE', '--shard-count goes with --shard auto (for a Kubernetes Indexed Job); give --shard auto --shard-count N.');
    return undefined;
  }
  if (shard === 'auto') return shardFromEnvironment(shardCount, env);
  if (shardCount !== undefined) throw new DosekitError('E_USAGE', `--shard-count goes with --shard auto; --shard ${shard} already gives the count.`);
  const match = /^(\d+)\/(\d+)$/.exec(shard.trim());
  if (!match) throw new DosekitError('E_USAGE', `--shard must be I/N (0-based, e.g. 0/4 for the first of four) or auto (got ${JSON.stringify(shard)}).`);
  return checked(Number(match[1]), Number(match[2]), `--shard ${shard}`);
}

/**
 * A short hash (12 hex digits) of the cohort and of the options that change the numbers: the
 * entries' (RT Dose SOPInstanceUID, paired RT Structure Set SOPInstanceUID), sorted, and the
 * statistics, algorithm and ROI names. Shards with equal fingerprints come from the same cohort.
 */
export function cohortFingerprint(entries: readonly CohortEntry[], settings: BatchSettings): string {
  const doses = entries.filter((e) => e.rtss).map((e) => `${e.rtdose.sopInstanceUid}>${e.rtss?.sopInstanceUid ?? ''}`);
  doses.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const text = JSON.stringify({ doses, stats: settings.stats, algorithm: settings.algorithm, rois: settings.rois ?? null });
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}
