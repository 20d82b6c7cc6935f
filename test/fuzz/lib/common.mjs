// SPDX-License-Identifier: BSD-3-Clause
// What the fuzz families share: the error codes each kind of input may give, the base inputs on
// disk, the unmutated base's statistics (the truth a harmless mutation must reproduce), and
// comparisons of `dosekit dvh --format json` outputs.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { baseDose, structBytes } from './dicom.mjs';
import { caseFolders, runChild, stdoutJson } from './runner.mjs';
import { rmSync } from 'node:fs';

/** Codes a damaged DICOM input may give (never E_INTERNAL). */
export const DICOM_CODES = Object.freeze([
  'E_MALFORMED_DICOM',
  'E_NOT_DICOM',
  'E_MISSING_ATTRIBUTE',
  'E_TOO_LARGE',
  'E_IMPLAUSIBLE_DOSE',
  'E_UNSUPPORTED_TRANSFER_SYNTAX',
  'E_UNSUPPORTED_ORIENTATION',
  'E_NOT_RTDOSE',
  'E_NOT_RTSTRUCT',
]);
/** Codes for one ROI that a damaged structure set or dose may give besides those (exit 2). */
export const ROI_CODES = Object.freeze(['E_EMPTY_ROI', 'E_POINT_ROI', 'E_UNKNOWN_THICKNESS', 'E_NO_DOSE_OVERLAP', 'E_ROI_NOT_FOUND', 'E_FRAME_OF_REFERENCE_MISMATCH']);
/** Codes for a bad option value. */
export const OPTION_CODES = Object.freeze(['E_USAGE', 'E_INVALID_ARGUMENT', 'E_TOO_LARGE', 'E_BAD_ROI_EXPRESSION', 'E_BAD_STATISTIC', 'E_NO_RX_DOSE']);

/** Writes the base RT Structure Set and RT Dose into `dir` (rtss.dcm, dose.dcm); returns their paths. */
export function writeBase(dir, { rtss = structBytes().bytes, dose = baseDose().bytes } = {}) {
  const paths = { rtss: join(dir, 'rtss.dcm'), dose: join(dir, 'dose.dcm') };
  writeFileSync(paths.rtss, rtss);
  writeFileSync(paths.dose, dose);
  return paths;
}

/** The ROI-level errors of a `dvh --format json` output, as [{roi, name, code}]. */
export function jsonErrors(json) {
  return Array.isArray(json?.errors) ? json.errors : [];
}

let baseline;
/**
 * `dosekit dvh --format json --stats ...` of the unmutated base inputs (computed once per
 * process, in a child like every case): the truth for mutations that must not change a result.
 */
export function baselineDvh(algorithm = 'precise') {
  baseline ??= new Map();
  if (!baseline.has(algorithm)) {
    // The promise is cached, so that cases running side by side share one computation.
    baseline.set(
      algorithm,
      (async () => {
        const folders = caseFolders();
        try {
          const paths = writeBase(folders.input);
          const result = await runChild(['dvh', '--rtss', paths.rtss, '--rtdose', paths.dose, '--format', 'csv', '--stats', STATS, '--algorithm', algorithm], { cwd: folders.work });
          const json = dvhOutput(result);
          if (result.code !== 0 || !json) throw new Error(`baseline dvh (${algorithm}) failed: exit ${result.code}: ${result.stderr}`);
          return json;
        } finally {
          rmSync(folders.dir, { recursive: true, force: true });
        }
      })(),
    );
  }
  return baseline.get(algorithm);
}

/** The statistics the suite asks for. */
export const STATS = 'D98,D95,D50,D2,Dmean,V5Gy';

/** The figures of one DVH that must match: volume, min, max, mean and the statistics. */
function figures(dvh) {
  const out = { volumeCm3: dvh.volumeCm3, minGy: dvh.minGy, maxGy: dvh.maxGy, meanGy: dvh.meanGy };
  for (const [name, s] of Object.entries(dvh.stats ?? {})) out[name] = s?.value ?? s;
  return out;
}

/**
 * Differences between the DVHs of `json` and `truth` for the ROIs named in `names` (all of
 * truth's when omitted): each must be present with the same figures (relative tolerance `tol`).
 */
export function compareDvhs(json, truth, { names, tol = 1e-6, scale = 1 } = {}) {
  const diffs = [];
  const got = new Map((json?.dvhs ?? []).map((d) => [d.name, d]));
  for (const want of truth.dvhs) {
    if (names && !names.includes(want.name)) continue;
    const have = got.get(want.name);
    if (!have) {
      diffs.push(`ROI "${want.name}" has no DVH (expected the unmutated file's)`);
      continue;
    }
    const a = figures(have);
    const b = figures(want);
    for (const [key, expected] of Object.entries(b)) {
      const isDose = key !== 'volumeCm3' && !key.startsWith('V');
      if (!isDose && key !== 'volumeCm3' && scale !== 1) continue;
      const target = isDose ? expected * scale : expected;
      const value = a[key];
      if (typeof target !== 'number' || typeof value !== 'number' || Math.abs(value - target) > tol * Math.max(1, Math.abs(target))) {
        diffs.push(`ROI "${want.name}" ${key} = ${value}, the unmutated file gives ${target}`);
      }
    }
  }
  return diffs;
}

/** Splits CSV text into rows of fields (RFC 4180 quotes). */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      row.push(field.replace(/\r$/, ''));
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

/**
 * `dosekit dvh --format csv` output as {dvhs: [{roi, name, volumeCm3, minGy, meanGy, maxGy,
 * stats}], errors: [{roi, name, code, message}]} (the shape of the JSON output's fields), or the
 * JSON output itself; undefined when stdout is neither.
 */
export function dvhOutput(result) {
  const json = stdoutJson(result);
  if (json) return json;
  const rows = parseCsv(result.stdout);
  if (rows.length === 0 || rows[0][0] !== 'roi') return undefined;
  const header = rows[0];
  const fixed = ['roi', 'name', 'volumeCm3', 'minGy', 'meanGy', 'maxGy'];
  const out = { dvhs: [], errors: [] };
  for (const row of rows.slice(1)) {
    if (row.length === 1 && row[0] === '') continue;
    const get = (name) => row[header.indexOf(name)];
    const error = get('error');
    if (error) {
      const m = /^(E_[A-Z0-9_]+): ?([\s\S]*)$/.exec(error);
      out.errors.push({ roi: Number(get('roi')), name: get('name'), code: m ? m[1] : error, message: m ? m[2] : error });
      continue;
    }
    const dvh = { roi: Number(get('roi')), name: get('name'), stats: {} };
    for (const key of fixed.slice(2)) dvh[key] = Number(get(key));
    for (const key of header) if (!fixed.includes(key) && key !== 'error') dvh.stats[key] = { value: get(key) === '' ? null : Number(get(key)) };
    out.dvhs.push(dvh);
  }
  return out;
}

/**
 * `dosekit info --json` of a dose whose maximum is `maxGy`, beyond 100 000 Gy: refused with
 * E_IMPLAUSIBLE_DOSE, or described (info only describes a file) with that exact maximum and a
 * warning; DVH commands must refuse it.
 */
export function implausibleInfoExpectation(maxGy) {
  return {
    expect: { codes: ['E_IMPLAUSIBLE_DOSE'], exits: [0, 1] },
    oracle: (result) => {
      if (result.code !== 0) return [];
      const failures = [];
      const got = stdoutJson(result)?.dose?.maxGy;
      if (!(typeof got === 'number' && Math.abs(got - maxGy) <= 1e-9 * maxGy)) failures.push(`info maxGy ${got}, expected ${maxGy}`);
      if (!/warning\b.*(implausible|100 ?000 Gy|E_IMPLAUSIBLE_DOSE)/i.test(result.stderr) && !/implausible|100 ?000 Gy/i.test(JSON.stringify(stdoutJson(result)?.warnings ?? ''))) {
        failures.push(`described a dose of ${maxGy} Gy without a warning that it is implausible`);
      }
      return failures;
    },
  };
}
