// SPDX-License-Identifier: BSD-3-Clause
// The manifest written beside every shard output of `dosekit batch --shard` (<shard>.manifest.json):
// what the shard holds (cohort, I/N, doses, rows, sha256 of the rows), so that `--merge` can tell
// a complete shard from one that lost, gained or changed rows on its way.
import { createHash } from 'node:crypto';
import { DosekitError } from '../errors.js';
import type { ShardHeader } from './batch-format.js';

/** The `format` tag of a shard manifest. */
export const SHARD_MANIFEST_FORMAT = 'dosekit-batch-shard-manifest';
/** The layout version of a shard manifest. */
export const SHARD_MANIFEST_VERSION = 1;

/** What a shard output holds, as written. */
export interface ShardManifest {
  readonly format: typeof SHARD_MANIFEST_FORMAT;
  readonly version: number;
  /** The dosekit version that wrote the shard. */
  readonly dosekit: string;
  /** 'csv' or 'json'. */
  readonly output: 'csv' | 'json';
  /** Which shard of which cohort (as in the output's shard line or object). */
  readonly shard: ShardHeader;
  /** RT Doses (cohort entries) in this shard. */
  readonly shardDoses: number;
  /** Data rows (CSV records after the header; JSON `rows` items). */
  readonly rows: number;
  /** sha256 (hex) of the data rows: the CSV text after the header line; JSON: each row's JSON on its own line. */
  readonly sha256: string;
  /** sha256 (hex) of what every shard of a cohort must share (the CSV header line; JSON: version, algorithm, stats, problems). */
  readonly commonSha256: string;
  /** CSV: whether text cells were escaped against formulas (shards must agree). */
  readonly csvEscape: boolean;
}

/** The manifest's path for a shard output's path. */
export function manifestPath(shardPath: string): string {
  return `${shardPath}.manifest.json`;
}

/** sha256 of a text (UTF-8), in hex. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The text whose sha256 stands for JSON rows: each row's JSON on its own line. */
export function jsonRowsText(rows: readonly unknown[]): string {
  return rows.map((row) => `${JSON.stringify(row)}\n`).join('');
}

/** The manifest file's text. */
export function renderManifest(manifest: Omit<ShardManifest, 'format' | 'version'>): string {
  return `${JSON.stringify({ format: SHARD_MANIFEST_FORMAT, version: SHARD_MANIFEST_VERSION, ...manifest }, null, 2)}\n`;
}

function damaged(shardPath: string, why: string): DosekitError {
  return new DosekitError('E_SHARD_DAMAGED', `${shardPath}: ${why} Run this shard again (\`dosekit batch ... --shard I/N --force\`) and merge again.`, { file: shardPath });
}

const WHOLE = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Parses a manifest's text.
 * @throws DosekitError E_SHARD_DAMAGED naming the shard when it is not a manifest of this layout.
 */
export function parseManifest(shardPath: string, path: string, text: string): ShardManifest {
  let value: Partial<ShardManifest>;
  try {
    value = JSON.parse(text) as Partial<ShardManifest>;
  } catch (error) {
    throw damaged(shardPath, `its manifest ${path} is not valid JSON (${(error as Error).message}).`);
  }
  const s = value?.shard;
  const ok =
    value?.format === SHARD_MANIFEST_FORMAT &&
    value.version === SHARD_MANIFEST_VERSION &&
    (value.output === 'csv' || value.output === 'json') &&
    !!s &&
    [s.index, s.count, s.doses].every(WHOLE) &&
    typeof s.cohort === 'string' &&
    WHOLE(value.shardDoses) &&
    WHOLE(value.rows) &&
    typeof value.sha256 === 'string' &&
    HEX64.test(value.sha256) &&
    typeof value.commonSha256 === 'string' &&
    HEX64.test(value.commonSha256) &&
    typeof value.csvEscape === 'boolean';
  if (!ok) throw damaged(shardPath, `its manifest ${path} is not a dosekit batch shard manifest (format ${SHARD_MANIFEST_FORMAT} version ${SHARD_MANIFEST_VERSION}).`);
  return value as ShardManifest;
}

/** What a shard output holds, as read back, to compare with its manifest. */
export interface ShardContents {
  readonly output: 'csv' | 'json';
  /** The shard line or object of the output, when it has one. */
  readonly shard?: ShardHeader;
  readonly rows: number;
  /** Distinct RT Doses among the rows. */
  readonly doses: number;
  readonly sha256: string;
  readonly commonSha256: string;
  /** CSV: the text does not end with a complete record. */
  readonly truncated?: boolean;
}

/**
 * Checks a shard output against its manifest: same shard, as many rows and doses, the same
 * rows (sha256), the same shared part.
 * @throws DosekitError E_SHARD_DAMAGED naming the shard and what differs.
 */
export function verifyShard(shardPath: string, manifest: ShardManifest, contents: ShardContents): void {
  const m = manifest.shard;
  const said = `its manifest says shard ${m.index}/${m.count} of ${m.doses} doses (cohort ${m.cohort}) with ${manifest.shardDoses} doses in ${manifest.rows} rows`;
  if (contents.output !== manifest.output) throw damaged(shardPath, `it is ${contents.output.toUpperCase()}, but ${said} of ${manifest.output.toUpperCase()}.`);
  const c = contents.shard;
  if (c && (c.index !== m.index || c.count !== m.count || c.doses !== m.doses || c.cohort !== m.cohort)) {
    throw damaged(shardPath, `it says shard ${c.index}/${c.count} of ${c.doses} doses (cohort ${c.cohort}), but ${said}.`);
  }
  if (contents.truncated) throw damaged(shardPath, `it is truncated (its last row is incomplete: no final line break, or an open quote); ${said}.`);
  if (contents.rows !== manifest.rows) {
    throw damaged(shardPath, `it has ${contents.rows} data rows, but ${said}: ${contents.rows < manifest.rows ? `${manifest.rows - contents.rows} removed` : `${contents.rows - manifest.rows} added`}.`);
  }
  if (contents.doses !== manifest.shardDoses) throw damaged(shardPath, `its rows are of ${contents.doses} doses, but ${said}.`);
  if (contents.sha256 !== manifest.sha256) throw damaged(shardPath, `its rows were changed after they were written (sha256 ${contents.sha256}, the manifest says ${manifest.sha256}).`);
  if (contents.commonSha256 !== manifest.commonSha256) throw damaged(shardPath, `its header (columns, version or options) was changed after it was written.`);
}
