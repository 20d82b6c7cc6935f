// SPDX-License-Identifier: BSD-3-Clause
// The text of `dosekit batch` outputs: CSV or JSON, with the shard line of a sharded run.
import type { CohortProblem } from '../cohort/index-cohort.js';
import { type CsvOptions, csvLine, csvNumber } from './csv.js';
import { type BatchRow, formatNumber } from './batch-rows.js';

/** Which shard an output holds, and of which cohort. */
export interface ShardHeader {
  /** 0-based shard index. */
  readonly index: number;
  readonly count: number;
  /** Doses (cohort entries) in the whole cohort. */
  readonly doses: number;
  /** The cohort fingerprint (doses, pairings and the options that change the numbers). */
  readonly cohort: string;
}

/** What a batch output says about the run besides its rows. */
export interface BatchOutputMeta {
  /** The dosekit version that wrote it. */
  readonly dosekit: string;
  readonly algorithm: string;
  readonly stats: readonly string[];
  readonly shard?: ShardHeader;
}

const BEFORE_STATS = ['patientId', 'studyInstanceUid', 'rtdose', 'rtss', 'roi', 'name', 'volumeCm3', 'minGy', 'meanGy', 'maxGy'] as const;
const AFTER_STATS = ['algorithm', 'backend', 'error', 'pairing'] as const;

/** The column names: the fixed ones around one column per statistic. */
export function batchColumns(stats: readonly string[]): string[] {
  return [...BEFORE_STATS, ...stats, ...AFTER_STATS];
}

/** The comment line that starts a shard's CSV output. */
export function shardCommentLine(shard: ShardHeader): string {
  return `# dosekit batch shard ${shard.index}/${shard.count} of ${shard.doses} doses, cohort ${shard.cohort}\n`;
}

/** The shard header of a CSV comment line, or null when the line is not one. */
export function parseShardCommentLine(line: string): ShardHeader | null {
  const match = /^# dosekit batch shard (\d+)\/(\d+) of (\d+) doses, cohort ([0-9a-f]+)$/.exec(line.trimEnd());
  return match ? { index: Number(match[1]), count: Number(match[2]), doses: Number(match[3]), cohort: match[4] } : null;
}

/** A number column's cell: the fixed format, marked as a number so that `-0.5` is never escaped as text. */
function numberField(value: number | null): ReturnType<typeof csvNumber> {
  return csvNumber(formatNumber(value));
}

/** One CSV line of a row (numbers in the fixed format; text cells escaped as `options` says, see csvField). */
export function csvRow(row: BatchRow, options: CsvOptions = {}): string {
  return csvLine([
    row.patientId,
    row.studyInstanceUid,
    row.rtdose,
    row.rtss,
    row.roi,
    row.name,
    numberField(row.volumeCm3),
    numberField(row.minGy),
    numberField(row.meanGy),
    numberField(row.maxGy),
    ...row.stats.map(numberField),
    row.algorithm,
    row.backend,
    row.error,
    row.pairing,
  ], options);
}

/** The CSV output: the shard line (sharded runs only), the header, the rows. */
export function renderCsv(meta: BatchOutputMeta, rows: readonly BatchRow[], options: CsvOptions = {}): string {
  return `${meta.shard ? shardCommentLine(meta.shard) : ''}${csvLine(batchColumns(meta.stats), options)}${rows.map((row) => csvRow(row, options)).join('')}`;
}

/** A row as a JSON object: the CSV columns as keys, numbers as numbers, absent values as null. */
export function jsonRow(row: BatchRow, stats: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of BEFORE_STATS) out[key] = row[key];
  stats.forEach((stat, k) => (out[stat] = row.stats[k]));
  for (const key of AFTER_STATS) out[key] = row[key];
  return out;
}

function jsonList(items: readonly unknown[]): string {
  return items.length === 0 ? '[]' : `[\n${items.map((item) => `    ${JSON.stringify(item)}`).join(',\n')}\n  ]`;
}

/**
 * The JSON output: `{"dosekit", "shard"? , "algorithm", "stats", "rows", "problems"}`, one row or
 * problem per line. `rows` are JSON objects (see {@link jsonRow}).
 */
export function renderJson(meta: BatchOutputMeta, rows: readonly Record<string, unknown>[], problems: readonly CohortProblem[]): string {
  const head: Record<string, unknown> = { dosekit: meta.dosekit, ...(meta.shard ? { shard: meta.shard } : {}), algorithm: meta.algorithm, stats: meta.stats };
  const lines = Object.entries(head).map(([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`);
  lines.push(`  "rows": ${jsonList(rows)}`, `  "problems": ${jsonList(problems.map((p) => ({ path: p.path, code: p.code, message: p.message })))}`);
  return `{\n${lines.join(',\n')}\n}\n`;
}
