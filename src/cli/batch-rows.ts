// SPDX-License-Identifier: BSD-3-Clause
// The rows of `dosekit batch` for one RT Dose: one per ROI, or one saying why there are none.
import type { BackendChoice } from '../backend/create-backend.js';
import type { CohortEntry } from '../cohort/pair.js';
import { DicomParser } from '../dicom/parser.js';
import { calculateDvhs } from '../dvh/calculate.js';
import type { DvhAlgorithm } from '../dvh/calculation-options.js';
import type { DVH } from '../dvh/dvh.js';
import { type DosekitErrorCode, isDosekitError } from '../errors.js';
import type { StructureSet } from '../model/structure-set.js';

/** What every dose of a batch is calculated with (plain data: it is posted to workers). */
export interface BatchSettings {
  /** Statistic names, in column order (e.g. D95, V20Gy, D2cc). */
  readonly stats: readonly string[];
  readonly algorithm: DvhAlgorithm;
  readonly backend: BackendChoice;
  /** ROI names to calculate (compared case-insensitively); absent: every ROI. */
  readonly rois?: readonly string[];
}

/** One output row: an ROI of a dose, or a dose without ROIs (unpaired, unreadable). Absent values are null. */
export interface BatchRow {
  readonly patientId: string;
  readonly studyInstanceUid: string;
  readonly rtdose: string;
  readonly rtss: string | null;
  /** ROINumber; null for a dose-level row or an ROI name that was not found. */
  readonly roi: number | null;
  readonly name: string | null;
  readonly volumeCm3: number | null;
  readonly minGy: number | null;
  readonly meanGy: number | null;
  readonly maxGy: number | null;
  /** The statistics' values in their units (Gy, cm3 or %), in the order of BatchSettings.stats. */
  readonly stats: readonly (number | null)[];
  readonly algorithm: string;
  /** The backend kind that computed the DVHs ('cpu', 'webgpu'); null when nothing was computed. */
  readonly backend: string | null;
  /** `CODE: message`, or null. */
  readonly error: string | null;
  readonly pairing: string | null;
}

/** The rows of one dose and what computed them. */
export interface DoseOutcome {
  readonly rows: readonly BatchRow[];
  /** The backend kind used, or null when nothing was computed. */
  readonly backend: string | null;
}

/**
 * The one number format of batch output: at most 6 decimals, trailing zeros trimmed
 * (13.4168, 440.23125, 0); '' for a missing or non-finite value.
 */
export function formatNumber(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '';
  const text = value.toFixed(6).replace(/\.?0+$/, '');
  return text === '-0' ? '0' : text;
}

/** A value rounded as {@link formatNumber} prints it (so CSV and JSON hold the same numbers). */
function rounded(value: number): number | null {
  const text = formatNumber(value);
  return text === '' ? null : Number(text);
}

/** A cache of the last structure set read (consecutive doses often share one). */
export interface StructureSetCache {
  path?: string;
  structureSet?: StructureSet;
}

function errorText(code: DosekitErrorCode | string, message: string): string {
  return `${code}: ${message}`;
}

/** True for the AbortError of a cancelled run (Ctrl-C), which stops the batch instead of becoming a row. */
export function isAbortError(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'AbortError';
}

/**
 * The error column for any exception: `CODE: message` for a DosekitError; `E_INTERNAL: message`
 * (naming `file` and the error's kind) for anything else, such as a RangeError from an
 * allocation that cannot be made: a dosekit bug or an input nobody anticipated, reported on its
 * row so that the rest of the cohort still gets calculated.
 */
export function errorCell(error: unknown, file: string, prefix = ''): string {
  if (isDosekitError(error)) return errorText(error.code, `${prefix}${error.message}`);
  const kind = error instanceof Error ? error.name : 'error';
  const message = error instanceof Error ? error.message : String(error);
  return errorText('E_INTERNAL', `${prefix}${file}: ${kind}: ${message} (a dosekit bug or an input it does not anticipate; please report it with this file's description)`);
}

/** The outcome of a dose that failed as a whole: one dose-level row holding `error`. */
export function failedDoseOutcome(entry: CohortEntry, settings: BatchSettings, error: string): DoseOutcome {
  return { rows: [doseRow(entry, settings, error)], backend: null };
}

function doseRow(entry: CohortEntry, settings: BatchSettings, error: string): BatchRow {
  return {
    patientId: entry.patientId,
    studyInstanceUid: entry.studyInstanceUid,
    rtdose: entry.rtdose.path,
    rtss: entry.rtss?.path ?? null,
    roi: null,
    name: null,
    volumeCm3: null,
    minGy: null,
    meanGy: null,
    maxGy: null,
    stats: settings.stats.map(() => null),
    algorithm: settings.algorithm,
    backend: null,
    error,
    pairing: entry.pairing ?? null,
  };
}

function dvhRow(entry: CohortEntry, settings: BatchSettings, backend: string, roi: number, name: string, dvh: DVH): BatchRow {
  const failures: string[] = [];
  const stats = settings.stats.map((stat) => {
    try {
      return rounded(dvh.statistic(stat).value);
    } catch (error) {
      if (isAbortError(error)) throw error;
      failures.push(errorCell(error, entry.rtdose.path, `${stat}: `));
      return null;
    }
  });
  return {
    ...doseRow(entry, settings, ''),
    roi,
    name,
    volumeCm3: rounded(dvh.volume),
    minGy: rounded(dvh.min),
    meanGy: rounded(dvh.mean),
    maxGy: rounded(dvh.max),
    stats,
    backend,
    error: failures.length ? failures.join('; ') : null,
  };
}

async function loadStructureSet(path: string, cache: StructureSetCache): Promise<StructureSet> {
  if (cache.path !== path || !cache.structureSet) {
    cache.path = undefined;
    cache.structureSet = (await DicomParser.fromFile(path)).toStructureSet();
    cache.path = path;
  }
  return cache.structureSet;
}

/**
 * The rows of one cohort entry: one per ROI (all, or those named in `settings.rois`) in ROI
 * number order, then one per requested name that is not in the structure set; or one row with
 * the error when the dose is unpaired or cannot be calculated at all. Never throws, except the
 * AbortError of a cancelled run: every failure, of any kind, is a row (see {@link errorCell}).
 */
export async function computeDoseRows(entry: CohortEntry, settings: BatchSettings, cache: StructureSetCache = {}, signal?: AbortSignal): Promise<DoseOutcome> {
  const rtss = entry.rtss;
  if (!rtss) {
    const message = `${entry.rtdose.path}: no RT Structure Set was found for this RT Dose: ${entry.unpairedReason ?? 'no reason recorded.'} Put its RT Plan and RT Structure Set in the cohort folders, or calculate it with \`dosekit dvh --rtss FILE --rtdose ${entry.rtdose.path}\`.`;
    return { rows: [doseRow(entry, settings, errorText('E_UNPAIRED_DOSE', message))], backend: null };
  }
  try {
    const structureSet = await loadStructureSet(rtss.path, cache);
    const missing: string[] = [];
    let numbers: number[] | undefined;
    if (settings.rois) {
      const wanted = new Set<number>();
      for (const name of settings.rois) {
        const matches = structureSet.rois.filter((r) => r.name.toLowerCase() === name.toLowerCase());
        if (matches.length === 0) missing.push(name);
        for (const roi of matches) wanted.add(roi.number);
      }
      numbers = [...wanted];
    }
    const rows: { roi: number; row: BatchRow }[] = [];
    let backend: string | null = null;
    if (numbers === undefined || numbers.length > 0) {
      const result = await calculateDvhs(structureSet, entry.rtdose.path, { algorithm: settings.algorithm, backend: settings.backend, rois: numbers ?? 'all', signal });
      backend = result.backend.kind;
      for (const { roi, name, dvh } of result.dvhs) rows.push({ roi, row: dvhRow(entry, settings, result.backend.kind, roi, name, dvh) });
      for (const error of result.errors) {
        const roi = typeof error.roi === 'number' ? error.roi : null;
        rows.push({ roi: roi ?? Infinity, row: { ...doseRow(entry, settings, errorText(error.code, error.message)), roi, name: error.name, backend: result.backend.kind } });
      }
    }
    rows.sort((a, b) => (a.roi === b.roi ? 0 : a.roi < b.roi ? -1 : 1));
    const notFound = missing.map((name) => ({
      ...doseRow(entry, settings, errorText('E_ROI_NOT_FOUND', `${rtss.path}: no ROI named "${name}" (names are compared case-insensitively) in the StructureSetROISequence; check the names with \`dosekit info ${rtss.path}\` and --rois.`)),
      name,
    }));
    return { rows: [...rows.map((r) => r.row), ...notFound], backend };
  } catch (error) {
    if (isAbortError(error)) throw error;
    return failedDoseOutcome(entry, settings, errorCell(error, entry.rtdose.path));
  }
}
