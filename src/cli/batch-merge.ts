// SPDX-License-Identifier: BSD-3-Clause
// `dosekit batch --merge`: the shard outputs of one cohort joined into the unsharded output.
import type { CohortProblem } from '../cohort/index-cohort.js';
import { shardRange } from '../cohort/shard.js';
import { readRegularFile } from '../dicom/regular-file.js';
import { DosekitError, isDosekitError } from '../errors.js';
import { type ShardHeader, parseShardCommentLine, renderJson } from './batch-format.js';
import { type ShardManifest, jsonRowsText, manifestPath, parseManifest, sha256Hex, verifyShard } from './batch-manifest.js';
import { parseCsvRecords } from './csv.js';
import type { CliIo } from './io.js';
import { STDOUT, checkOutputs, writeOutput } from './outputs.js';

const UTF8 = new TextDecoder();

/** One shard output as read back, checked against its manifest. */
interface ShardFile {
  readonly path: string;
  readonly shard: ShardHeader;
  readonly manifest: ShardManifest;
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

/** The manifest beside a shard output, or undefined when there is none. */
async function readManifest(shardPath: string): Promise<ShardManifest | undefined> {
  const path = manifestPath(shardPath);
  let text: string;
  try {
    text = UTF8.decode(await readRegularFile(path));
  } catch (error) {
    if (isDosekitError(error) && error.code === 'E_FILE_NOT_FOUND') return undefined;
    const reason = isDosekitError(error) ? error.message : String(error);
    throw new DosekitError('E_SHARD_DAMAGED', `${shardPath}: its manifest ${path} cannot be read (${reason}).`, { file: shardPath });
  }
  return parseManifest(shardPath, path, text);
}

function noManifest(path: string): DosekitError {
  return new DosekitError(
    'E_SHARD_DAMAGED',
    `${path}: its manifest ${manifestPath(path)} is missing, so its rows cannot be checked (every shard output is written with one beside it; copy it along with the shard). Run this shard again (\`dosekit batch ... --shard I/N --force\`) and merge again.`,
    { file: path },
  );
}

function parseCsvShard(path: string, text: string, manifest: ShardManifest | undefined): ShardFile {
  const firstEnd = text.indexOf('\n');
  const shardLine = parseShardCommentLine(firstEnd < 0 ? text : text.slice(0, firstEnd)) ?? undefined;
  if (!shardLine && !manifest) throw notAShard(path, "its first line is not '# dosekit batch shard I/N of M doses, cohort ...' and it has no manifest beside it");
  if (!manifest) throw noManifest(path);
  const rest = shardLine ? text.slice(firstEnd + 1) : text;
  const headerEnd = rest.indexOf('\n');
  const header = headerEnd < 0 ? rest : rest.slice(0, headerEnd + 1);
  const body = headerEnd < 0 ? '' : rest.slice(headerEnd + 1);
  const { records, complete } = parseCsvRecords(body);
  verifyShard(path, manifest, {
    output: 'csv',
    shard: shardLine,
    rows: records.length,
    doses: new Set(records.map((r) => r[2])).size,
    sha256: sha256Hex(body),
    commonSha256: sha256Hex(header),
    truncated: headerEnd < 0 || !complete,
  });
  return { path, shard: manifest.shard, manifest, common: header, header, body };
}

function parseJsonShard(path: string, text: string, manifest: ShardManifest | undefined): ShardFile {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    if (manifest) verifyShard(path, manifest, { output: 'json', rows: -1, doses: -1, sha256: '', commonSha256: '', truncated: true });
    throw notAShard(path, `it is not valid JSON: ${(error as Error).message}`);
  }
  if (!isShardHeader(value.shard) && !manifest) throw notAShard(path, 'it has no "shard" object and no manifest beside it');
  if (!manifest) throw noManifest(path);
  if (!Array.isArray(value.rows) || !Array.isArray(value.stats) || !Array.isArray(value.problems)) throw notAShard(path, 'it lacks "rows", "stats" or "problems"');
  const json = { dosekit: String(value.dosekit), algorithm: String(value.algorithm), stats: value.stats as string[], rows: value.rows as Record<string, unknown>[], problems: value.problems as CohortProblem[] };
  const common = JSON.stringify([json.dosekit, json.algorithm, json.stats, json.problems]);
  verifyShard(path, manifest, {
    output: 'json',
    shard: isShardHeader(value.shard) ? value.shard : undefined,
    rows: json.rows.length,
    doses: new Set(json.rows.map((r) => r?.rtdose)).size,
    sha256: sha256Hex(jsonRowsText(json.rows)),
    commonSha256: sha256Hex(common),
  });
  return { path, shard: manifest.shard, manifest, common, json };
}

/**
 * Reads shard outputs (CSV or JSON, as `format`), checks each against the manifest beside it
 * (shard, row count, dose count, sha256 of the rows), that they come from one cohort
 * (fingerprint, shard count, dose count, columns) and that each shard 0..N-1 is there exactly
 * once, and returns the unsharded output: byte for byte what the run without --shard writes.
 * @throws DosekitError E_SHARD_DAMAGED naming the shard and what differs from its manifest (or
 *   that the manifest is missing); E_SHARD_MISMATCH, E_SHARD_DUPLICATE or E_SHARD_MISSING naming
 *   the files and shards; E_USAGE when an input is of the other format.
 */
export async function mergeShards(files: readonly string[], format: 'csv' | 'json'): Promise<{ text: string; shards: number; doses: number; rows: number }> {
  const shards: ShardFile[] = [];
  for (const path of files) {
    let text: string;
    // Only regular files: a FIFO or device given as a shard would block the read or never end.
    text = UTF8.decode(await readRegularFile(path));
    const isJson = text.trimStart().startsWith('{');
    if (isJson !== (format === 'json')) {
      throw new DosekitError('E_USAGE', `${path} is a ${isJson ? 'JSON' : 'CSV'} output but the merged output is ${format.toUpperCase()}; merge CSV shards into a .csv file and JSON shards into a .json file.`, { file: path });
    }
    const manifest = await readManifest(path);
    const file = isJson ? parseJsonShard(path, text, manifest) : parseCsvShard(path, text, manifest);
    const expected = shardRange(file.shard.doses, file.shard.index, file.shard.count);
    if (file.manifest.shardDoses !== expected.end - expected.start) {
      throw new DosekitError(
        'E_SHARD_DAMAGED',
        `${path}: its manifest says ${file.manifest.shardDoses} doses, but shard ${file.shard.index}/${file.shard.count} of ${file.shard.doses} doses holds ${expected.end - expected.start}. Run this shard again and merge again.`,
        { file: path },
      );
    }
    shards.push(file);
  }
  const first = shards[0];
  for (const other of shards.slice(1)) {
    const a = first.shard;
    const b = other.shard;
    if (a.cohort !== b.cohort || a.count !== b.count || a.doses !== b.doses || first.common !== other.common || first.manifest.csvEscape !== other.manifest.csvEscape) {
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
  const meta = { shards: ordered.length, doses: ordered.reduce((n, s) => n + s.manifest.shardDoses, 0), rows: ordered.reduce((n, s) => n + s.manifest.rows, 0) };
  if (format === 'csv') return { ...meta, text: `${first.header}${ordered.map((s) => s.body).join('')}` };
  const json = first.json!;
  return { ...meta, text: renderJson({ dosekit: json.dosekit, algorithm: json.algorithm, stats: json.stats }, ordered.flatMap((s) => s.json!.rows), json.problems) };
}

/** `dosekit batch --merge FILES... -o OUT`: writes the merged output (`-`: standard output). Returns the exit code. */
export async function runMerge(files: readonly string[], out: string, format: 'csv' | 'json', force: boolean, io: CliIo): Promise<number> {
  if (files.length === 0) throw new DosekitError('E_USAGE', 'dosekit batch --merge needs the shard outputs to merge, e.g. `dosekit batch --merge shard-*.csv -o all.csv`.');
  const rules = { force, inputs: [...files, ...files.map(manifestPath)] };
  await checkOutputs([{ option: 'out', path: out }], rules, io);
  const merged = await mergeShards(files, format);
  await writeOutput(io, out, merged.text, rules, null);
  io.stderr(`merged ${merged.shards} shards (${merged.doses} doses, ${merged.rows} rows)${out === STDOUT ? '' : ` into ${out}`}\n`);
  return 0;
}
