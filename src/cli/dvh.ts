// SPDX-License-Identifier: BSD-3-Clause
import { type DvhCalculationResult, calculateDvhs } from '../dvh/calculate.js';
import type { DvhCalculationOptions } from '../dvh/calculation-options.js';
import type { DVH } from '../dvh/dvh.js';
import { plotDvhs } from '../dvh/plot.js';
import { parseStatisticName } from '../dvh/statistics.js';
import { DosekitError, isDosekitError } from '../errors.js';
import { VERSION } from '../version.js';
import { type OptionSpec, formatHelp, numberOption, parseArgs } from './args.js';
import { MAX_INTERPOLATION_SEGMENTS, MAX_THICKNESS_MM } from '../dvh/option-limits.js';
import { type CsvOptions, csvLine } from './csv.js';
import type { CliIo } from './io.js';
import { STDOUT, checkOutputs, writeOutput } from './outputs.js';
import { DicomParser } from '../dicom/parser.js';
import { readFileBytes } from '../dicom/read-file.js';
import { withDvhSequence } from '../dicom/write-dvh-sequence.js';
import { progressBar } from './progress.js';
import { cliRois } from './roi-expr.js';

/** The statistics `dosekit dvh` (and `dosekit batch`) print without --stats. */
export const DEFAULT_STATS = 'D98,D95,D50,D2,D2cc,D0.03cc';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'rtss', kind: 'value', description: 'RT Structure Set file (required)' },
  { name: 'rtdose', kind: 'value', description: 'RT Dose file (required)' },
  { name: 'roi', kind: 'list', description: 'ROI number or name; repeat for several', defaultText: 'every ROI' },
  { name: 'roi-expr', kind: 'list', description: 'a derived ROI, NAME=EXPRESSION with | (union), & (intersection), - (difference), expand(A, mm), shrink(A, mm), e.g. \'Parotids="Parotid L"|"Parotid R"\'; repeat for several' },
  { name: 'algorithm', kind: 'value', description: 'precise (supersampled, trilinear dose) or dicompyler (dicompyler-core 0.5.7 exactly)', defaultText: 'precise' },
  { name: 'backend', kind: 'value', description: 'auto, webgpu or cpu', defaultText: 'auto' },
  { name: 'stats', kind: 'value', description: 'comma-separated statistics (D95, D2cc, V20Gy, V95%, Dmean...)', defaultText: DEFAULT_STATS },
  { name: 'rx-dose-gy', kind: 'value', description: 'prescription dose in Gy, for relative statistics such as V95%' },
  { name: 'limit-cgy', kind: 'value', description: 'dicompyler: drop doses above this many cGy (whole number)' },
  { name: 'thickness-mm', kind: 'value', description: 'contour plane thickness in mm, 0 to 50', defaultText: 'smallest plane gap of each ROI' },
  { name: 'no-full-volume', kind: 'flag', description: 'leave out contour planes beyond the dose grid instead of counting their volume' },
  { name: 'structure-extents', kind: 'flag', description: 'dicompyler: accepted for dicompyler-core compatibility (dosekit always works within each structure\'s extents)' },
  { name: 'interp-resolution-mm', kind: 'value', description: 'dicompyler: in-plane sampling resolution in mm (supersamples each dose voxel, at most 64 samples per voxel and axis)' },
  { name: 'interp-segments', kind: 'value', description: 'dicompyler: extra sub-planes per contour slab, 0 to 100', defaultText: '0' },
  { name: 'format', kind: 'value', description: 'table, json or csv (standard output)', defaultText: 'table' },
  { name: 'out', kind: 'value', alias: 'o', description: 'write the --format output to this file instead of standard output' },
  { name: 'csv', kind: 'value', description: 'also write the statistics as CSV to this file (-: standard output, with --out FILE)' },
  { name: 'plot', kind: 'value', description: 'also write the cumulative DVHs (volume in % of each structure) as an SVG plot to this file (-: standard output, with --out FILE)' },
  { name: 'write-rtdose', kind: 'value', description: 'also write the RT Dose with these DVHs as its DVH Sequence to this file (new SOP Instance UID, pixel data unchanged; -: standard output, not a terminal, with --out FILE)' },
  { name: 'csv-no-escape', kind: 'flag', description: "CSV: write text cells starting with = + - @ as they are (by default they get a leading ' so that spreadsheets do not run them as formulas)" },
  { name: 'force', kind: 'flag', description: 'replace existing output files; accept a frame-of-reference mismatch' },
  { name: 'help', kind: 'flag', alias: 'h', description: 'show this help' },
];

/** The options only the dicompyler algorithm takes; with precise they would change nothing, so they are refused. */
const DICOMPYLER_ONLY = ['limit-cgy', 'interp-resolution-mm', 'interp-segments', 'structure-extents'] as const;

/** @throws DosekitError E_USAGE when an option of the other algorithm is given (precise would ignore it). */
function checkAlgorithmOptions(options: Readonly<Record<string, unknown>>): void {
  const algorithm = options.algorithm ?? 'precise';
  if (algorithm !== 'precise') return;
  // --interp-segments 0 asks for nothing precise does not do.
  const given = DICOMPYLER_ONLY.find((name) => options[name] !== undefined && !(name === 'interp-segments' && Number(options[name]) === 0));
  if (given) {
    throw new DosekitError('E_USAGE', `--${given} is an option of the dicompyler algorithm; the precise algorithm (the default) would ignore it. Add --algorithm dicompyler, or leave --${given} out.`, { option: given, algorithm });
  }
}

/**
 * Refuses relative-dose statistics (V95%) without a prescription before any work, instead of
 * leaving their cells blank after the calculation.
 * @throws DosekitError E_NO_RX_DOSE naming --rx-dose-gy.
 */
function checkRelativeStats(stats: readonly string[], rxDoseGy: number | undefined): void {
  if (rxDoseGy !== undefined) return;
  const relative = stats.find((s) => {
    const parsed = parseStatisticName(s);
    return parsed.kind === 'V' && parsed.doseUnits === '%';
  });
  if (relative) {
    throw new DosekitError('E_NO_RX_DOSE', `--stats ${relative} is a volume at a percentage of the prescription dose; give the prescription with --rx-dose-gy (e.g. --rx-dose-gy 60), or the dose in Gy (e.g. V57Gy).`, { statistic: relative, option: 'rx-dose-gy' });
  }
}

function roiId(text: string): number | string {
  return /^\d+$/.test(text) ? Number(text) : text;
}

interface StatValue {
  readonly value: number | null;
  readonly units: string;
  readonly error?: string;
}

function statsOf(dvh: DVH, names: readonly string[]): Record<string, StatValue> {
  const out: Record<string, StatValue> = {};
  for (const name of names) {
    try {
      const v = dvh.statistic(name);
      out[name] = { value: v.value, units: v.units };
    } catch (error) {
      if (!isDosekitError(error)) throw error;
      out[name] = { value: null, units: '', error: error.code };
    }
  }
  return out;
}

function toJson(result: DvhCalculationResult, rtss: string, rtdose: string, stats: readonly string[]): unknown {
  return {
    tool: 'dosekit',
    version: VERSION,
    algorithm: result.algorithm,
    backend: result.backend,
    rtss,
    rtdose,
    dvhs: result.dvhs.map(({ roi, name, dvh, expression }) => ({
      roi,
      name,
      ...(expression !== undefined ? { expression } : {}),
      color: dvh.color ?? null,
      volumeCm3: dvh.volume,
      minGy: dvh.min,
      maxGy: dvh.max,
      meanGy: dvh.mean,
      stats: statsOf(dvh, stats),
      notes: dvh.notes ?? null,
      ...(dvh.computedBy?.warnings?.length ? { warnings: dvh.computedBy.warnings } : {}),
      binWidthGy: dvh.bins.length > 1 ? dvh.bins[1] - dvh.bins[0] : 0,
      doseGy: Array.from(dvh.bins.subarray(0, dvh.bins.length - 1)),
      cumulativeCm3: Array.from(dvh.counts),
    })),
    errors: result.errors,
  };
}

function toCsv(result: DvhCalculationResult, stats: readonly string[], csv: CsvOptions): string {
  let text = csvLine(['roi', 'name', 'volumeCm3', 'minGy', 'meanGy', 'maxGy', ...stats, 'error'], csv);
  for (const { roi, name, dvh } of result.dvhs) {
    const values = statsOf(dvh, stats);
    text += csvLine([roi, name, dvh.volume, dvh.min, dvh.mean, dvh.max, ...stats.map((s) => values[s].value), ''], csv);
  }
  for (const error of result.errors) text += csvLine([error.roi, error.name, '', '', '', '', ...stats.map(() => ''), `${error.code}: ${error.message}`], csv);
  return text;
}

function toTable(result: DvhCalculationResult, stats: readonly string[]): string {
  let text = '';
  for (const { dvh, expression } of result.dvhs) {
    text += dvh.describe();
    if (expression !== undefined) text += `Expression: ${expression}\n`;
    const values = statsOf(dvh, stats);
    for (const name of stats) {
      const v = values[name];
      text += `${`${name}:`.padEnd(11)}${v.value === null ? `n/a (${v.error})` : `${v.value.toFixed(2)} ${v.units}`}\n`;
    }
    text += '\n';
  }
  for (const error of result.errors) text += `error ${error.code}: ${error.message}\n`;
  text += `${result.dvhs.length} DVHs (${result.algorithm} algorithm, ${result.backend.kind}${result.backend.adapter ? ` ${result.backend.adapter}` : ''})${result.errors.length ? `, ${result.errors.length} ROIs failed` : ''}\n`;
  return text;
}

/** `dosekit dvh`: DVHs of an RT Structure Set and an RT Dose. Returns the exit code (0, 2 when some ROIs failed). */
export async function runDvh(argv: readonly string[], io: CliIo): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS, 'dvh');
  if (options.help) {
    io.stdout(formatHelp('dosekit dvh --rtss FILE --rtdose FILE [options]', 'Calculate dose-volume histograms and their statistics.', OPTIONS));
    return 0;
  }
  if (positionals.length > 0) throw new DosekitError('E_USAGE', `unexpected argument ${positionals[0]}; give files with --rtss and --rtdose.`);
  const rtss = options.rtss as string | undefined;
  const rtdose = options.rtdose as string | undefined;
  if (!rtss || !rtdose) throw new DosekitError('E_USAGE', 'dosekit dvh needs --rtss FILE and --rtdose FILE; see `dosekit dvh --help`.');
  const format = (options.format as string | undefined) ?? 'table';
  if (!['table', 'json', 'csv'].includes(format)) throw new DosekitError('E_USAGE', `--format must be table, json or csv (got ${format}).`);
  const stats = String(options.stats ?? DEFAULT_STATS).split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of stats) parseStatisticName(s);
  const rxDoseGy = numberOption(options['rx-dose-gy'], 'rx-dose-gy', { min: 0, minExclusive: true, what: 'a number of Gy' });
  checkRelativeStats(stats, rxDoseGy);
  const resolution = numberOption(options['interp-resolution-mm'], 'interp-resolution-mm', { min: 0, minExclusive: true, what: 'a number of mm' });
  const calculation: DvhCalculationOptions = {
    algorithm: (options.algorithm as DvhCalculationOptions['algorithm']) ?? 'precise',
    backend: (options.backend as DvhCalculationOptions['backend'] & string) ?? 'auto',
    limitCGy: numberOption(options['limit-cgy'], 'limit-cgy', { min: 1, integer: true, what: 'a whole number of cGy' }),
    thicknessMm: numberOption(options['thickness-mm'], 'thickness-mm', { min: 0, max: MAX_THICKNESS_MM, what: 'a number of mm' }),
    calculateFullVolume: !options['no-full-volume'],
    // Only when given: useStructureExtents false is the precise algorithm's own behaviour.
    ...(options['structure-extents'] ? { useStructureExtents: true } : {}),
    interpolationResolutionMm: resolution,
    interpolationSegmentsBetweenPlanes: numberOption(options['interp-segments'], 'interp-segments', { min: 0, max: MAX_INTERPOLATION_SEGMENTS, integer: true }),
    force: Boolean(options.force),
  };
  checkAlgorithmOptions(options);
  const inputs = [rtss, rtdose];
  const csv: CsvOptions = { escapeFormulas: !options['csv-no-escape'] };
  const writeOptions = { force: Boolean(options.force), inputs };
  const writeRtDose = options['write-rtdose'] as string | undefined;
  // Fail before the calculation when the RT Dose could not be written; the structure set's UID goes into it.
  // Every output is checked before the calculation: folders writable, no two on one path.
  await checkOutputs(
    [
      { option: 'out', path: (options.out as string | undefined) ?? STDOUT },
      { option: 'csv', path: options.csv as string | undefined },
      { option: 'plot', path: options.plot as string | undefined },
      { option: 'write-rtdose', path: writeRtDose, binary: true },
    ],
    writeOptions,
    io,
  );
  const structure = writeRtDose ? await DicomParser.fromFile(rtss) : rtss;
  const progress = progressBar(io, 'dvh');
  let result: DvhCalculationResult;
  try {
    result = await calculateDvhs(structure, rtdose, {
      ...calculation,
      rois: await cliRois((options.roi as string[] | undefined)?.map(roiId), options['roi-expr'] as string[] | undefined, structure),
      onProgress: (f) => progress.update(f),
      signal: io.signal,
    });
  } finally {
    progress.done();
  }
  if (rxDoseGy !== undefined) {
    result = { ...result, dvhs: result.dvhs.map((d) => ({ ...d, dvh: d.dvh.with({ rxDose: rxDoseGy }) })) };
  }
  // How contours were read (repeats, open contours, shared ROI Numbers) changes the numbers: say so, once each.
  for (const warning of new Set(result.dvhs.flatMap((d) => d.dvh.computedBy?.warnings ?? []))) io.stderr(`warning: ${warning}\n`);
  const text = format === 'json' ? `${JSON.stringify(toJson(result, rtss, rtdose, stats), null, 2)}\n` : format === 'csv' ? toCsv(result, stats, csv) : toTable(result, stats);
  await writeOutput(io, (options.out as string | undefined) ?? STDOUT, text, writeOptions);
  if (options.csv) await writeOutput(io, options.csv as string, toCsv(result, stats, csv), writeOptions);
  if (options.plot) await writeOutput(io, options.plot as string, plotDvhs(result.dvhs.map((d) => d.dvh), { title: 'Cumulative DVH', relativeVolume: true }), writeOptions);
  if (writeRtDose) {
    // Derived ROIs (--roi-expr) have no ROI Number in the structure set, so no place in a DVH Sequence.
    const stored = result.dvhs.filter((d) => d.expression === undefined);
    const bytes = withDvhSequence(await readFileBytes(rtdose), stored, {
      algorithm: result.algorithm,
      referencedStructureSetUid: (structure as DicomParser).getSOPInstanceUID() || undefined,
      file: rtdose,
    });
    const derived = result.dvhs.length - stored.length;
    await writeOutput(io, writeRtDose, bytes, writeOptions, ` (${stored.length} DVHs in its DVH Sequence${derived ? `; ${derived} derived ROIs left out, they have no ROI Number` : ''})`);
  }
  return result.errors.length > 0 ? 2 : 0;
}
