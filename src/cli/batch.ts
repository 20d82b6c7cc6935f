// SPDX-License-Identifier: BSD-3-Clause
// `dosekit batch`: DVH statistics of every RT Dose under some folders, in one CSV or JSON file.
import type { BackendChoice } from '../backend/create-backend.js';
import { indexCohort } from '../cohort/index-cohort.js';
import { pairCohort } from '../cohort/pair.js';
import { shardOf } from '../cohort/shard.js';
import { DEFAULT_ALGORITHM } from '../dvh/calculate.js';
import type { DvhAlgorithm } from '../dvh/calculation-options.js';
import { parseStatisticName } from '../dvh/statistics.js';
import { DosekitError } from '../errors.js';
import { VERSION } from '../version.js';
import { type OptionSpec, formatHelp, parseArgs } from './args.js';
import { DEFAULT_STATS } from './dvh.js';
import { type BatchOutputMeta, jsonRow, renderCsv, renderJson } from './batch-format.js';
import { runMerge } from './batch-merge.js';
import { jsonRowsText, manifestPath, renderManifest, sha256Hex } from './batch-manifest.js';
import { type CsvOptions, parseCsvRecords } from './csv.js';
import { STDOUT, checkOutputs, writeOutput } from './outputs.js';
import { runDoses } from './batch-pool.js';
import type { BatchRow, BatchSettings } from './batch-rows.js';
import { cohortFingerprint, resolveShard } from './batch-shard.js';
import type { CliIo } from './io.js';
import { progressBar } from './progress.js';


const OPTIONS: readonly OptionSpec[] = [
  { name: 'out', kind: 'value', alias: 'o', description: 'the output file (required); .csv or .json chooses the format; - writes to standard output' },
  { name: 'format', kind: 'value', description: 'csv or json, for -o - (a file\'s extension chooses its format)', defaultText: 'csv' },
  { name: 'csv-no-escape', kind: 'flag', description: "CSV: write text cells starting with = + - @ as they are (by default they get a leading ' so that spreadsheets do not run them as formulas)" },
  { name: 'stats', kind: 'value', description: 'comma-separated statistics (D95, D2cc, V20Gy, Dmean...), one column each', defaultText: DEFAULT_STATS },
  { name: 'rois', kind: 'list', description: 'comma-separated ROI names to calculate (case-insensitive); missing ones are E_ROI_NOT_FOUND rows', defaultText: 'every ROI' },
  { name: 'algorithm', kind: 'value', description: 'precise or dicompyler (as `dosekit dvh`)', defaultText: DEFAULT_ALGORITHM },
  { name: 'backend', kind: 'value', description: 'auto, webgpu or cpu', defaultText: 'auto' },
  { name: 'jobs', kind: 'value', description: 'doses calculated at the same time, each in a worker thread (the output does not change)', defaultText: '1' },
  { name: 'shard', kind: 'value', description: 'I/N (0-based): calculate only shard I of N contiguous blocks of doses; auto: take I and N from Slurm or Kubernetes' },
  { name: 'shard-count', kind: 'value', description: 'N for --shard auto in a Kubernetes Indexed Job (with JOB_COMPLETION_INDEX)' },
  { name: 'merge', kind: 'flag', description: 'merge the shard outputs given as arguments into --out (checks they are all there, from one cohort)' },
  { name: 'force', kind: 'flag', description: 'replace an existing output file' },
  { name: 'help', kind: 'flag', alias: 'h', description: 'show this help' },
];

const SUMMARY = [
  'DVH statistics over a cohort: finds every RT Dose under the folders, pairs it with its RT',
  'Structure Set (through its RT Plan, its own reference, or the one structure set in its frame of',
  'reference) and writes one row per (RT Dose, ROI). Failures are rows (or log lines for unreadable',
  'files), never fatal: the exit code is 0 when nothing failed, 2 when something did, 1 for a usage',
  'error or an unwritable output. --shard runs one part of the cohort (for schedulers: Slurm job',
  'arrays, Kubernetes Indexed Jobs); --merge joins the parts into the unsharded output.',
].join('\n');

function choice<T extends string>(value: unknown, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) throw new DosekitError('E_USAGE', `--${name} must be ${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]} (got ${JSON.stringify(value)}).`);
  return value as T;
}

function parseStats(text: string): string[] {
  const stats = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (stats.length === 0) throw new DosekitError('E_USAGE', '--stats needs at least one statistic, e.g. --stats D95,V20Gy.');
  const seen = new Set<string>();
  for (const stat of stats) {
    const parsed = parseStatisticName(stat);
    if (parsed.kind === 'V' && parsed.doseUnits === '%') {
      throw new DosekitError('E_NO_RX_DOSE', `--stats ${stat} is a volume at a percentage of the prescription dose, which dosekit batch does not know (it has no --rx-dose-gy: the cohort's prescriptions differ); give the dose in Gy (e.g. V20Gy).`, { statistic: stat });
    }
    if (seen.has(stat)) throw new DosekitError('E_USAGE', `--stats names ${stat} twice; give each statistic once.`);
    seen.add(stat);
  }
  return stats;
}

function parseRois(values: readonly string[] | undefined): string[] | undefined {
  if (!values) return undefined;
  const names = values.flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new DosekitError('E_USAGE', '--rois needs ROI names, e.g. --rois Heart,"Lt Lung".');
  return [...new Set(names)];
}

function parseJobs(value: unknown): number {
  if (value === undefined) return 1;
  const jobs = Number(value);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 256) throw new DosekitError('E_USAGE', `--jobs must be a whole number from 1 to 256 (got ${JSON.stringify(value)}).`);
  return jobs;
}

function outputFormat(out: string | undefined, formatOption: unknown): { out: string; format: 'csv' | 'json' } {
  if (!out) throw new DosekitError('E_USAGE', 'dosekit batch needs --out FILE (.csv or .json, or - for standard output); see `dosekit batch --help`.');
  const chosen = formatOption === undefined ? undefined : choice<'csv' | 'json'>(formatOption, 'format', ['csv', 'json'], 'csv');
  if (out === STDOUT) return { out, format: chosen ?? 'csv' };
  const lower = out.toLowerCase();
  const format = lower.endsWith('.csv') ? 'csv' : lower.endsWith('.json') ? 'json' : undefined;
  if (!format) throw new DosekitError('E_USAGE', `--out must end in .csv or .json (got ${out}); the extension chooses the format.`);
  if (chosen !== undefined && chosen !== format) throw new DosekitError('E_USAGE', `--format ${chosen} disagrees with --out ${out}; the extension chooses a file's format (--format is for -o -).`);
  return { out, format };
}

/** The manifest of a shard output whose text is `text` (see batch-manifest.ts). */
function shardManifest(meta: BatchOutputMeta, format: 'csv' | 'json', text: string, jsonRows: readonly Record<string, unknown>[], doses: number, csv: CsvOptions): string {
  const shard = meta.shard!;
  let rows: number;
  let data: string;
  let common: string;
  if (format === 'csv') {
    const headerEnd = text.indexOf('\n', text.indexOf('\n') + 1) + 1; // after the shard line and the header
    common = text.slice(text.indexOf('\n') + 1, headerEnd);
    data = text.slice(headerEnd);
    rows = parseCsvRecords(data).records.length;
  } else {
    common = JSON.stringify([meta.dosekit, meta.algorithm, meta.stats, JSON.parse(text).problems]);
    data = jsonRowsText(jsonRows);
    rows = jsonRows.length;
  }
  return renderManifest({ dosekit: meta.dosekit, output: format, shard, shardDoses: doses, rows, sha256: sha256Hex(data), commonSha256: sha256Hex(common), csvEscape: csv.escapeFormulas !== false });
}

/** `dosekit batch DIR... --out FILE`: DVH statistics of a cohort. Returns the exit code (0, 2 when anything failed). */
export async function runBatch(argv: readonly string[], io: CliIo, env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS, 'batch');
  if (options.help) {
    io.stdout(formatHelp('dosekit batch DIR... --out results.csv|results.json [options]\n       dosekit batch --merge SHARD... --out all.csv|all.json', SUMMARY, OPTIONS));
    return 0;
  }
  const { out, format } = outputFormat(options.out as string | undefined, options.format);
  const force = Boolean(options.force);
  if (options.merge) {
    const extra = ['stats', 'rois', 'algorithm', 'backend', 'jobs', 'shard', 'shard-count', 'csv-no-escape'].find((name) => options[name] !== undefined);
    if (extra) throw new DosekitError('E_USAGE', `--merge takes only the shard outputs, --out and --force (not --${extra}): the shards already hold their options.`);
    return runMerge(positionals, out, format, force, io);
  }
  if (positionals.length === 0) throw new DosekitError('E_USAGE', 'dosekit batch needs at least one folder to search for RT Doses; see `dosekit batch --help`.');
  const settings: BatchSettings = {
    stats: parseStats(String(options.stats ?? DEFAULT_STATS)),
    algorithm: choice<DvhAlgorithm>(options.algorithm, 'algorithm', ['precise', 'dicompyler'], DEFAULT_ALGORITHM),
    backend: choice<BackendChoice>(options.backend, 'backend', ['auto', 'webgpu', 'cpu'], 'auto'),
    ...(options.rois ? { rois: parseRois(options.rois as string[]) } : {}),
  };
  const jobs = parseJobs(options.jobs);
  const shard = resolveShard(options.shard as string | undefined, options['shard-count'] as string | undefined, env);
  if (shard && out === STDOUT) throw new DosekitError('E_USAGE', '--shard needs -o FILE: a shard output is written with its manifest (FILE.manifest.json) beside it, which --merge checks.');
  const csvOptions: CsvOptions = { escapeFormulas: !options['csv-no-escape'] };
  // Every output is checked before the cohort is read: folders writable, targets free.
  await checkOutputs([{ option: 'out', path: out }, ...(shard ? [{ option: 'out (its manifest)', path: manifestPath(out) }] : [])], { force }, io);

  const started = performance.now();
  const indexing = progressBar(io, 'index');
  let index;
  try {
    index = await indexCohort(positionals, { onProgress: (done, total) => indexing.update(done / total, `${done}/${total} files`), signal: io.signal });
  } finally {
    indexing.done();
  }
  for (const problem of index.problems) io.stderr(`skipped ${problem.code}: ${problem.message}\n`);
  const all = pairCohort(index);
  const entries = shard ? shardOf(all, shard.index, shard.count) : all;

  const bar = progressBar(io, 'batch');
  let doneDoses = 0;
  let roiRows = 0;
  let failures = index.problems.length;
  const backends = new Set<string>();
  let outcomes;
  const computing = performance.now();
  try {
    outcomes = await runDoses(entries, settings, jobs, io.signal, (outcome) => {
      doneDoses += 1;
      for (const row of outcome.rows) {
        if (row.name !== null) roiRows += 1;
        if (row.error !== null) failures += 1;
      }
      if (outcome.backend) backends.add(outcome.backend);
      const rate = doneDoses / Math.max(1e-3, (performance.now() - computing) / 1000);
      bar.update(doneDoses / entries.length, `${doneDoses}/${entries.length} doses, ${roiRows} ROIs, ${failures} failures, ${rate.toFixed(2)} doses/s`);
    });
  } finally {
    bar.done();
  }
  for (const outcome of outcomes) {
    const row = outcome.rows[0];
    if (row && row.name === null && row.error) io.stderr(`skipped ${row.error}\n`);
  }

  const rows: BatchRow[] = outcomes.flatMap((o) => o.rows);
  const meta: BatchOutputMeta = {
    dosekit: VERSION,
    algorithm: settings.algorithm,
    stats: settings.stats,
    ...(shard ? { shard: { index: shard.index, count: shard.count, doses: all.length, cohort: cohortFingerprint(all, settings) } } : {}),
  };
  const jsonRows = format === 'json' ? rows.map((r) => jsonRow(r, settings.stats)) : [];
  const text = format === 'csv' ? renderCsv(meta, rows, csvOptions) : renderJson(meta, jsonRows, index.problems);
  const rules = { force, inputs: index.objects.map((o) => o.path) };
  await writeOutput(io, out, text, rules);
  // The manifest goes last: a shard interrupted before it has none, which --merge refuses.
  if (meta.shard) await writeOutput(io, manifestPath(out), shardManifest(meta, format, text, jsonRows, entries.length, csvOptions), rules);

  const unpaired = entries.filter((e) => !e.rtss).length;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const shardText = shard ? `, shard ${shard.index}/${shard.count} of ${all.length} doses` : '';
  io.stderr(
    `files read ${index.filesRead} (skipped ${index.nonDicomSkipped} non-DICOM), doses ${entries.length} (unpaired ${unpaired}${shardText}), ROIs ${roiRows}, failures ${failures}, ${seconds} s, backend ${[...backends].sort().join('+') || 'none'}\n`,
  );
  return failures > 0 ? 2 : 0;
}
