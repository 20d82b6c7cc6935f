// SPDX-License-Identifier: BSD-3-Clause
// Reading DICOM files (opened, dropped or fetched) with the library's DicomParser, and pairing a
// structure set with a dose. A file that cannot be read becomes an entry with its DosekitError
// code and message; nothing here throws.
import { DicomParser } from '../dist/src/index.js';
import { describeError, fixed } from './util.js';

/** The example RT set, fetched from the served examples/ folder. */
export const EXAMPLE_FILES = Object.freeze(['rtss.dcm', 'rtplan.dcm', 'rtdose_substitute.dcm', 'rtdose_shifted.dcm', 'ct.0.dcm']);

/** Short labels of the kinds of object the page uses. */
export const KIND_LABELS = Object.freeze({ rtss: 'RTSTRUCT', rtdose: 'RTDOSE', rtplan: 'RTPLAN', ct: 'CT', mr: 'MR', pt: 'PT', error: 'ERROR' });

const IMAGE_KINDS = new Set(['ct', 'mr', 'pt']);

/** One line about a parsed object, read through its typed model (which also proves it usable). */
function describe(parser, kind) {
  switch (kind) {
    case 'rtss': {
      const set = parser.toStructureSet();
      return `${set.rois.length} structures${set.label ? ` · "${set.label}"` : ''}`;
    }
    case 'rtdose': {
      const grid = parser.toDoseGrid();
      const g = grid.geometry;
      return `${g.columns} × ${g.rows} × ${g.frames} voxels · max ${fixed(grid.maxDoseGy)} Gy`;
    }
    case 'rtplan': {
      const plan = parser.toPlan();
      const rx = plan.rxDoseGy ? ` · ${plan.rxDoseGy} Gy${plan.fractions ? ` in ${plan.fractions} fractions` : ''}` : '';
      return `"${plan.label}"${rx}`;
    }
    default: {
      if (!IMAGE_KINDS.has(kind)) return 'not used by this page';
      const image = parser.toImage();
      return `${image.geometry.columns} × ${image.geometry.rows} · z ${fixed(image.geometry.frameZMm[0], 2)} mm`;
    }
  }
}

/**
 * Parses one file's bytes: {name, kind, parser, uid, detail}, or {name, kind: 'error', error:
 * {code, message}} when the bytes are not a DICOM object the library can read.
 */
export function readEntry(name, bytes) {
  try {
    const parser = DicomParser.fromBytes(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), name);
    const kind = parser.getSOPClassUID();
    return { name, kind, parser, uid: parser.getSOPInstanceUID(), detail: describe(parser, kind) };
  } catch (error) {
    return { name, kind: 'error', error: describeError(error) };
  }
}

/** Entries of browser File objects (an input's or a drop's). */
export async function readFileList(files) {
  const entries = [];
  for (const file of files) {
    let bytes;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
    } catch (error) {
      entries.push({ name: file.name, kind: 'error', error: { code: 'E_FILE_READ', message: `${file.name}: the browser could not read the file (${describeError(error).message})` } });
      continue;
    }
    entries.push(readEntry(file.name, bytes));
  }
  return entries;
}

/** Entries of the example files, fetched from `baseUrl` (the served examples/ folder). */
export async function fetchExample(baseUrl) {
  return Promise.all(
    EXAMPLE_FILES.map(async (name) => {
      const url = new URL(name, baseUrl);
      try {
        const response = await fetch(url);
        if (!response.ok) return { name, kind: 'error', error: { code: 'E_FILE_NOT_FOUND', message: `${url.pathname}: the server answered ${response.status} ${response.statusText}` } };
        return readEntry(name, new Uint8Array(await response.arrayBuffer()));
      } catch (error) {
        return { name, kind: 'error', error: { code: 'E_FILE_READ', message: `${url.pathname}: ${describeError(error).message}` } };
      }
    }),
  );
}

/** How well a dose belongs to a structure set: 3 referenced, 2 through its plan, 1 same frame of reference, 0 nothing. */
function pairScore(structure, dose, plans) {
  const info = dose.parser.toDoseGrid().info;
  if (info.referencedStructureSetUid && info.referencedStructureSetUid === structure.uid) return { score: 3, why: 'the dose references this structure set' };
  const plan = plans.find((p) => p.uid === info.referencedPlanUid);
  if (plan && plan.parser.toPlan().referencedStructureSetUid === structure.uid) return { score: 2, why: `the dose's plan (${plan.name}) references this structure set` };
  const frame = structure.parser.toStructureSet().frameOfReferenceUid;
  if (frame && frame === info.frameOfReferenceUid) return { score: 1, why: 'they share a frame of reference' };
  return { score: 0, why: 'nothing links them (no reference, different frames of reference): the DVHs may be refused' };
}

/**
 * Picks the structure set and the dose that belong together (the best-linked pair; the first
 * loaded on a tie), the plan they use and the images in their frame of reference.
 * Returns {structure, dose, doses, plan, images, reason}; structure or dose may be null.
 */
export function pairEntries(entries) {
  const usable = entries.filter((e) => !e.error);
  const structures = usable.filter((e) => e.kind === 'rtss');
  const doses = usable.filter((e) => e.kind === 'rtdose');
  const plans = usable.filter((e) => e.kind === 'rtplan');
  let best = null;
  for (const structure of structures) {
    for (const dose of doses) {
      const { score, why } = pairScore(structure, dose, plans);
      if (!best || score > best.score) best = { structure, dose, score, why };
    }
  }
  const structure = best?.structure ?? structures[0] ?? null;
  const dose = best?.dose ?? doses[0] ?? null;
  const frame = structure?.parser.toStructureSet().frameOfReferenceUid ?? dose?.parser.toDoseGrid().info.frameOfReferenceUid;
  const images = usable.filter((e) => IMAGE_KINDS.has(e.kind) && (!frame || !e.parser.getFrameOfReferenceUID() || e.parser.getFrameOfReferenceUID() === frame));
  const doseInfo = dose?.parser.toDoseGrid().info;
  const plan = plans.find((p) => p.uid === doseInfo?.referencedPlanUid) ?? plans.find((p) => structure && p.parser.toPlan().referencedStructureSetUid === structure.uid) ?? plans[0] ?? null;
  let reason;
  if (best) reason = { structure: structure.name, dose: dose.name, why: best.why };
  else if (structure) reason = { structure: structure.name, dose: null, why: 'load an RT Dose to calculate DVHs' };
  else if (dose) reason = { structure: null, dose: dose.name, why: 'load an RT Structure Set to calculate DVHs' };
  else reason = null;
  return { structure, dose, doses, plan, images, reason };
}
