// SPDX-License-Identifier: BSD-3-Clause
// `dosekit check`: the planning system's DVHs (an RT Dose's DVH Sequence) against dosekit's own.
import { DicomParser } from '../dicom/parser.js';
import { checkOutputPath } from '../dicom/write-file.js';
import { type DvhCalculationResult, calculateDvhs } from '../dvh/calculate.js';
import type { DvhCalculationOptions } from '../dvh/calculation-options.js';
import { DVH } from '../dvh/dvh.js';
import { type DvhDifferences, type DvhGamma, compareDvhCurves, toCommonUnits } from '../dvh/dvh-gamma.js';
import { plotDvhs } from '../dvh/plot.js';
import { DosekitError, isDosekitError } from '../errors.js';
import { VERSION } from '../version.js';
import { type OptionSpec, formatHelp, parseArgs } from './args.js';
import { type DvhReferences, type RoiReference, matchDvhReferences } from './check-references.js';
import { type CsvOptions, csvLine } from './csv.js';
import type { CliIo } from './io.js';
import { STDOUT, checkOutputs, writeOutput } from './outputs.js';
import { progressBar } from './progress.js';

const PASS_RULE =
  'An ROI passes when every point of the planning system\'s cumulative DVH has a DVH-gamma <= 1 (a 100 % pass rate): ' +
  'gamma is the distance to dosekit\'s curve in units of the tolerances, ΔD = dose % of the planning system\'s maximum dose and ' +
  'ΔV = volume % of its structure volume (Ebert et al., Phys Med Biol 55 (2010) N337). ' +
  'Exit code 0 when every ROI passes, 3 when one fails (or cannot be calculated), 1 on an error.';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'rtss', kind: 'value', description: 'RT Structure Set file (required)' },
  { name: 'rtdose', kind: 'value', description: 'RT Dose file carrying the planning system\'s DVHs (required)' },
  { name: 'tolerance', kind: 'value', description: 'DVH-gamma tolerances DOSE%/VOLUME%, e.g. 2%/2% (one number sets both)', defaultText: '1%/1%' },
  { name: 'algorithm', kind: 'value', description: 'dosekit\'s algorithm: precise or dicompyler', defaultText: 'precise' },
  { name: 'backend', kind: 'value', description: 'auto, webgpu or cpu', defaultText: 'auto' },
  { name: 'format', kind: 'value', description: 'table, json or csv (standard output)', defaultText: 'table' },
  { name: 'out', kind: 'value', alias: 'o', description: 'write the --format output to this file instead of standard output' },
  { name: 'plot', kind: 'value', description: 'also write one SVG per ROI (planning system vs dosekit) into this folder' },
  { name: 'csv-no-escape', kind: 'flag', description: "CSV: write text cells starting with = + - @ as they are (by default they get a leading ' so that spreadsheets do not run them as formulas)" },
  { name: 'force', kind: 'flag', description: 'replace existing output files; accept a frame-of-reference mismatch' },
  { name: 'help', kind: 'flag', alias: 'h', description: 'show this help' },
];

/** DVH-gamma tolerances in percent. */
interface Tolerance {
  readonly dosePercent: number;
  readonly volumePercent: number;
}

/** The outcome for one ROI of the DVH Sequence. */
interface CheckRow {
  /** The ROI Number; null for a DVH Sequence item that names no single ROI. */
  readonly roi: number | null;
  readonly name: string;
  readonly gamma?: DvhGamma;
  readonly differences?: DvhDifferences;
  readonly reference?: DVH;
  readonly evaluated?: DVH;
  readonly error?: { readonly code: string; readonly message: string };
}

const TOLERANCE = /^\s*(\d+(?:\.\d+)?)\s*%?\s*(?:\/\s*(\d+(?:\.\d+)?)\s*%?\s*)?$/;

/** Parses `1%/1%`, `2/3` or `2%` (both). */
export function parseTolerance(text: string): Tolerance {
  const match = TOLERANCE.exec(text);
  const dose = match ? Number(match[1]) : NaN;
  const volume = match ? Number(match[2] ?? match[1]) : NaN;
  if (!(dose > 0 && volume > 0)) {
    throw new DosekitError('E_USAGE', `--tolerance must be DOSE%/VOLUME% with positive numbers, e.g. 1%/1% or 3%/2% (got ${JSON.stringify(text)}).`);
  }
  return { dosePercent: dose, volumePercent: volume };
}

function compareRoi(roi: number, name: string, match: RoiReference | undefined, computed: DVH, tolerance: Tolerance): CheckRow {
  if (match && 'error' in match) return { roi, name, error: match.error };
  try {
    const reference = DVH.fromDicomDvh(match ? [match.record] : [], roi, { name });
    const { gamma, differences } = compareDvhCurves(reference, computed, { doseTolerancePercent: tolerance.dosePercent, volumeTolerancePercent: tolerance.volumePercent });
    return { roi, name, gamma, differences, reference, evaluated: computed };
  } catch (error) {
    if (!isDosekitError(error)) throw error;
    return { roi, name, error: { code: error.code, message: error.message } };
  }
}

function rowsOf(references: DvhReferences, result: DvhCalculationResult, tolerance: Tolerance): CheckRow[] {
  const computed = new Map(result.dvhs.map((d) => [d.roi, d]));
  const failed = new Map(result.errors.map((e) => [e.roi, e]));
  const orphans: CheckRow[] = references.unmatched.map((u) => ({ roi: null, name: `DVH Sequence item ${u.itemNumber}`, error: { code: u.code, message: u.message } }));
  return [...references.roiNumbers.map((roi): CheckRow => {
    const calc = computed.get(roi);
    if (calc) return compareRoi(roi, calc.name, references.byRoi.get(roi), calc.dvh, tolerance);
    const error = failed.get(roi);
    return {
      roi,
      name: error?.name ?? '',
      error: error ? { code: error.code, message: error.message } : { code: 'E_NO_DVH', message: `dosekit calculated no DVH for ROI ${roi}` },
    };
  }), ...orphans];
}

const passes = (row: CheckRow): boolean => row.gamma?.pass === true;

function toJson(rows: readonly CheckRow[], result: DvhCalculationResult, tolerance: Tolerance, rtss: string, rtdose: string): unknown {
  return {
    tool: 'dosekit',
    version: VERSION,
    rtss,
    rtdose,
    tolerance,
    algorithm: result.algorithm,
    backend: result.backend,
    pass: rows.every(passes),
    rois: rows.map((row) => ({
      roi: row.roi,
      name: row.name,
      gammaPassRate: row.gamma ? row.gamma.passRatePercent : null,
      pass: passes(row),
      points: row.gamma?.points ?? null,
      failingPoints: row.gamma?.failing.length ?? null,
      maxGamma: row.gamma && Number.isFinite(row.gamma.maxGamma) ? row.gamma.maxGamma : null,
      differences: row.differences ?? null,
      ...(row.gamma?.notes.length ? { notes: row.gamma.notes } : {}),
      ...(row.error ? { error: row.error } : {}),
    })),
  };
}

const DIFFERENCE_KEYS = ['volumeCm3', 'meanGy', 'D98', 'D95', 'D50', 'D2', 'D0.03cc'] as const;

function toCsv(rows: readonly CheckRow[], csv: CsvOptions): string {
  let text = csvLine(['roi', 'name', 'gammaPassRatePercent', 'pass', 'points', 'maxGamma', 'diffVolumeCm3', 'diffMeanGy', 'diffD98Gy', 'diffD95Gy', 'diffD50Gy', 'diffD2Gy', 'diffD0.03ccGy', 'error'], csv);
  for (const row of rows) {
    const d = row.differences;
    text += csvLine([row.roi, row.name, row.gamma?.passRatePercent, passes(row), row.gamma?.points, row.gamma?.maxGamma, ...DIFFERENCE_KEYS.map((k) => d?.[k]), row.error ? `${row.error.code}: ${row.error.message}` : ''], csv);
  }
  return text;
}

function signed(value: number | null | undefined, digits: number): string {
  if (value === null || value === undefined) return '-';
  const text = value.toFixed(digits);
  return /^-?0\.0*$/.test(text) ? (0).toFixed(digits) : value > 0 ? `+${text}` : text;
}

function toTable(rows: readonly CheckRow[], result: DvhCalculationResult, tolerance: Tolerance, rtdose: string): string {
  const names = Math.max(4, ...rows.map((r) => r.name.length));
  const header = `${'ROI'.padStart(4)}  ${'name'.padEnd(names)}  ${'pass rate'.padStart(9)}  verdict  ${'ΔV cm3'.padStart(8)}  ${'ΔDmean'.padStart(7)}  ${'ΔD98'.padStart(7)}  ${'ΔD95'.padStart(7)}  ${'ΔD50'.padStart(7)}  ${'ΔD2'.padStart(7)}  ${'ΔD0.03cc'.padStart(8)}`;
  const lines = [
    `planning system (${rtdose}) vs dosekit (${result.algorithm}, ${result.backend.kind}); DVH-gamma ${tolerance.dosePercent}%/${tolerance.volumePercent}%; differences dosekit - planning system, doses in Gy`,
    header,
  ];
  for (const row of rows) {
    const start = `${String(row.roi ?? '-').padStart(4)}  ${row.name.padEnd(names)}  `;
    if (!row.gamma || !row.differences) {
      lines.push(`${start}${'-'.padStart(9)}  FAIL     ${row.error?.code ?? ''}: ${row.error?.message ?? ''}`);
      continue;
    }
    const d = row.differences;
    lines.push(
      `${start}${`${row.gamma.passRatePercent.toFixed(1)} %`.padStart(9)}  ${(row.gamma.pass ? 'pass' : 'FAIL').padEnd(7)}  ${signed(d.volumeCm3, 2).padStart(8)}  ${signed(d.meanGy, 3).padStart(7)}  ` +
        `${signed(d.D98, 3).padStart(7)}  ${signed(d.D95, 3).padStart(7)}  ${signed(d.D50, 3).padStart(7)}  ${signed(d.D2, 3).padStart(7)}  ${signed(d['D0.03cc'], 3).padStart(8)}`,
    );
  }
  const passed = rows.filter(passes).length;
  lines.push(`${passed} of ${rows.length} ROIs pass (every point of the planning system's curve within gamma 1)`);
  return `${lines.join('\n')}\n`;
}

function plotName(row: CheckRow): string {
  const slug = row.name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '');
  return `roi-${row.roi}${slug ? `-${slug}` : ''}.svg`;
}

function overlay(row: CheckRow, tolerance: Tolerance): string {
  const { reference, evaluated } = toCommonUnits(row.reference!, row.evaluated!);
  const rate = row.gamma!.passRatePercent.toFixed(1);
  return plotDvhs([reference.with({ name: 'planning system', color: [31, 119, 180] }), evaluated.with({ name: 'dosekit', color: [214, 39, 40] })], {
    title: `ROI ${row.roi} ${row.name}: DVH-gamma ${tolerance.dosePercent}%/${tolerance.volumePercent}% pass rate ${rate} % (${row.gamma!.pass ? 'pass' : 'fail'})`,
  });
}

/** `dosekit check`: returns 0 when every ROI passes, 3 when one does not. */
export async function runCheck(argv: readonly string[], io: CliIo): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS, 'check');
  if (options.help) {
    io.stdout(formatHelp('dosekit check --rtss FILE --rtdose FILE [options]', `Check the DVHs an RT Dose carries (the planning system's) against dosekit's own calculation. ${PASS_RULE}`, OPTIONS));
    return 0;
  }
  if (positionals.length > 0) throw new DosekitError('E_USAGE', `unexpected argument ${positionals[0]}; give files with --rtss and --rtdose.`);
  const rtss = options.rtss as string | undefined;
  const rtdose = options.rtdose as string | undefined;
  if (!rtss || !rtdose) throw new DosekitError('E_USAGE', 'dosekit check needs --rtss FILE and --rtdose FILE; see `dosekit check --help`.');
  const format = (options.format as string | undefined) ?? 'table';
  if (!['table', 'json', 'csv'].includes(format)) throw new DosekitError('E_USAGE', `--format must be table, json or csv (got ${format}).`);
  const tolerance = parseTolerance((options.tolerance as string | undefined) ?? '1%/1%');
  const writeOptions = { force: Boolean(options.force), inputs: [rtss, rtdose] };
  // Every output is checked before any work: folders writable, no two on one path.
  await checkOutputs(
    [
      { option: 'out', path: (options.out as string | undefined) ?? STDOUT },
      { option: 'plot', path: options.plot as string | undefined, kind: 'folder' },
    ],
    writeOptions,
    io,
  );

  const doseParser = await DicomParser.fromFile(rtdose);
  const records = doseParser.getDVHs();
  if (records.length === 0 && !doseParser.hasDVHs()) {
    throw new DosekitError(
      'E_NO_DVH',
      `${rtdose}: the RT Dose carries no DVHs (no DVH Sequence (3004,0050) items), so there is nothing to check. Export the dose with its DVHs from the planning system, or calculate DVHs with \`dosekit dvh\`.`,
      { file: rtdose, attribute: 'DVHSequence' },
    );
  }
  // Items are matched to ROIs by their references only; ambiguities become rows and warnings, never guesses.
  const references = matchDvhReferences(records, doseParser.getUnmatchedDVHs(), rtdose);
  for (const warning of references.warnings) io.stderr(`warning: ${warning}\n`);
  const roiNumbers = references.roiNumbers;
  const progress = progressBar(io, 'check');
  let result: DvhCalculationResult;
  try {
    result = await calculateDvhs(rtss, doseParser, {
      algorithm: (options.algorithm as DvhCalculationOptions['algorithm']) ?? 'precise',
      backend: (options.backend as DvhCalculationOptions['backend'] & string) ?? 'auto',
      force: Boolean(options.force),
      rois: roiNumbers,
      onProgress: (f) => progress.update(f),
      signal: io.signal,
    });
  } finally {
    progress.done();
  }
  const rows = rowsOf(references, result, tolerance);
  // How dosekit read the structures (repeated or open contours, shared ROI Numbers) bears on every comparison.
  for (const warning of new Set(result.dvhs.flatMap((d) => d.dvh.computedBy?.warnings ?? []))) io.stderr(`warning: ${warning}\n`);

  const plots = options.plot ? rows.filter((r) => r.gamma).map((r) => ({ path: `${String(options.plot).replace(/[\\/]+$/, '')}/${plotName(r)}`, row: r })) : [];
  for (const plot of plots) await checkOutputPath(plot.path, writeOptions);
  const text = format === 'json' ? `${JSON.stringify(toJson(rows, result, tolerance, rtss, rtdose), null, 2)}\n` : format === 'csv' ? toCsv(rows, { escapeFormulas: !options['csv-no-escape'] }) : toTable(rows, result, tolerance, rtdose);
  await writeOutput(io, (options.out as string | undefined) ?? STDOUT, text, writeOptions);
  for (const plot of plots) await writeOutput(io, plot.path, overlay(plot.row, tolerance), writeOptions);
  return rows.every(passes) ? 0 : 3;
}
