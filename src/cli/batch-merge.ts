// SPDX-License-Identifier: BSD-3-Clause
// `dosekit batch --merge`: the shard outputs of one cohort joined into the unsharded output.
import { readFile } from 'node:fs/promises';
import type { CohortProblem } from '../cohort/index-cohort.js';
import { writeFileSafely } from '../dicom/write-file.js';
import { DosekitError } from '../errors.js';
import { type ShardHeader, parseShardCommentLine, renderJson } from './batch-format.js';
import type { CliIo } from './io.js';

/** One shard output as read back. */
interface ShardFile {
  readonly path: string;
  readonly shard: ShardHeader;
  /** What every shard of the cohort must have in common (CSV: the header line; JSON: version, algorithm, stats, problems). */
  readonly common: string;
  /** CSV: the header line and the data lines. */
  readonly header?: string;
  readonly body?: string;
  /** JSON: the parts. */
  readonly json?: { dosekit: string; algorithm: string; stats: string[]; rows: Record<string, unknown>[]; problems: CohortProblem[] };
}

function notAShard(path: string, why: string): DosekitError {
  return new DosekitError('E_SHARD_MISMATCH', `${path} is not a dosekit batch shard output (${why}); merge the files written by \`dosekit batch ... --shard I/N\`.`, { file: path });
}

function isShardHeader(value: unknown): value is ShardHeader {
  const s = value as ShardHeader | undefined;
  return !!s && [s.index, s.count, s.doses].every((n) => Number.isInteger(n) && n >= 0) && typeof s.cohort === 'string';
}

function parseCsvShard(path: string, text: string): ShardFile {
  const firstEnd = text.indexOf('\n');
  const shard = parseShardCommentLine(firstEnd < 0 ? text : text.slice(0, firstEnd));
  if (!shard) throw notAShard(path, "its first line is not '# dosekit batch shard I/N of M doses, cohort ...'");
  const rest = text.slice(firstEnd + 1);
  const headerEnd = rest.indexOf('\n');
  if (headerEnd < 0) throw notAShard(path, 'it has no CSV header line');
  const header = rest.slice(0, headerEnd + 1);
  return { path, shard, common: header, header, body: rest.slice(headerEnd + 1) };
}

function parseJsonShard(path: string, text: string): ShardFile {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw notAShard(path, `it is not valid JSON: ${(error as Error).message}`);
  }
  if (!isShardHeader(value.shard)) throw notAShard(path, 'it has no "shard" object');
  if (!Array.isArray(value.rows) || !Array.isArray(value.stats) || !Array.isArray(value.problems)) throw notAShard(path, 'it lacks "rows", "stats" or "problems"');
  const json = { dosekit: String(value.dosekit), algorithm: String(value.algorithm), stats: value.stats as string[], rows: value.rows as Record<string, unknown>[], problems: value.problems as CohortProblem[] };
  return { path, shard: value.shard, common: JSON.stringify([json.dosekit, json.algorithm, json.stats, json.problems]), json };
}

/**
 * Reads shard outputs (CSV or JSON, as `format`), checks that they come from one cohort
 * (fingerprint, shard count, dose count, columns) and that each shard 0..N-1 is there exactly
 * once, and returns the unsharded output: byte for byte what the run without --shard writes.
 * @throws DosekitError E_SHARD_MISMATCH, E_SHARD_DUPLICATE or E_SHARD_MISSING naming the files
 *   and shards; E_USAGE when an input is of the other format.
 */
export async function mergeShards(files: readonly string[], format: 'csv' | 'json'): Promise<{ text: string; shards: number; doses: number }> {
  const shards: ShardFile[] = [];
  for (const path of files) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new DosekitError(code === 'ENOENT' ? 'E_FILE_NOT_FOUND' : 'E_FILE_READ', `${path}: cannot read the shard output (${code ?? String(error)}). Check the path.`, { file: path });
    }
    const isJson = text.trimStart().startsWith('{');
    if (isJson !== (format === 'json')) {
      throw new DosekitError('E_USAGE', `${path} is a ${isJson ? 'JSON' : 'CSV'} output but the merged output is ${format.toUpperCase()}; merge CSV shards into a .csv file and JSON shards into a .json file.`, { file: path });
    }
    shards.push(isJson ? parseJsonShard(path, text) : parseCsvShard(path, text));
  }
  const first = shards[0];
  for (const other of shards.slice(1)) {
    const a = first.shard;
    const b = other.shard;
    if (a.cohort !== b.cohort || a.count !== b.count || a.doses !== b.doses || first.common !== other.common) {
      throw new DosekitError(
        'E_SHARD_MISMATCH',
        `${other.path} (shard ${b.index}/${b.count} of ${b.doses} doses, cohort ${b.cohort}) does not belong with ${first.path} (shard ${a.index}/${a.count} of ${a.doses} doses, cohort ${a.cohort})${a.cohort === b.cohort && a.count === b.count && a.doses === b.doses ? ': their columns or options differ' : ''}. Merge the shards of one run: same folders, --stats, --algorithm, --rois and shard count.`,
        { file: other.path },
      );
    }
  }
  const bySlot = new Map<number, ShardFile>();
  for (const file of shards) {
    const seen = bySlot.get(file.shard.index);
    if (seen) {
      throw new DosekitError('E_SHARD_DUPLICATE', `shard ${file.shard.index}/${file.shard.count} is given twice: ${seen.path} and ${file.path}. Give each shard once.`, {
        file: file.path,
        shard: file.shard.index,
      });
    }
    bySlot.set(file.shard.index, file);
  }
  const missing = Array.from({ length: first.shard.count }, (_, k) => k).filter((k) => !bySlot.has(k));
  if (missing.length) {
    throw new DosekitError(
      'E_SHARD_MISSING',
      `shard${missing.length > 1 ? 's' : ''} ${missing.map((k) => `${k}/${first.shard.count}`).join(', ')} of cohort ${first.shard.cohort} ${missing.length > 1 ? 'are' : 'is'} missing (given: ${[...bySlot.keys()].sort((a, b) => a - b).join(', ')}). Run \`dosekit batch ... --shard ${missing[0]}/${first.shard.count}\` and merge again with every shard.`,
      { shards: missing },
    );
  }
  const ordered = [...bySlot.keys()].sort((a, b) => a - b).map((k) => bySlot.get(k) as ShardFile);
  const meta = { shards: ordered.length, doses: first.shard.doses };
  if (format === 'csv') return { ...meta, text: `${first.header}${ordered.map((s) => s.body).join('')}` };
  const json = first.json!;
  return { ...meta, text: renderJson({ dosekit: json.dosekit, algorithm: json.algorithm, stats: json.stats }, ordered.flatMap((s) => s.json!.rows), json.problems) };
}

/** `dosekit batch --merge FILES... -o OUT`: writes the merged output. Returns the exit code. */
export async function runMerge(files: readonly string[], out: string, force: boolean, io: CliIo): Promise<number> {
  if (files.length === 0) throw new DosekitError('E_USAGE', 'dosekit batch --merge needs the shard outputs to merge, e.g. `dosekit batch --merge shard-*.csv -o all.csv`.');
  const format = out.toLowerCase().endsWith('.json') ? 'json' : out.toLowerCase().endsWith('.csv') ? 'csv' : null;
  if (!format) throw new DosekitError('E_USAGE', `--out must end in .csv or .json (got ${out}); the extension chooses the format.`);
  const merged = await mergeShards(files, format);
  await writeFileSafely(out, merged.text, { force, inputs: files });
  io.stderr(`merged ${merged.shards} shards (${merged.doses} doses) into ${out}\n`);
  return 0;
}
