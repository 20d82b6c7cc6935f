// SPDX-License-Identifier: BSD-3-Clause
import { DicomParser } from '../dicom/parser.js';
import { isDosekitError } from '../errors.js';
import { implausibleDoseReason } from '../model/dose-plausibility.js';
import { countContours } from '../model/structure-set.js';
import { smallestPlaneGapMm, structureVolumeCm3 } from '../model/structure-volume.js';
import { type OptionSpec, formatHelp, parseArgs } from './args.js';
import { commandCheckpoint } from './interrupt.js';
import type { CliIo } from './io.js';
import { DosekitError } from '../errors.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'json', kind: 'flag', description: 'print JSON ({"files": [...]} for several files) instead of a table' },
  { name: 'help', kind: 'flag', alias: 'h', description: 'show this help' },
];

/** What `dosekit info` reports for one file (the JSON shape). */
export interface FileInfo {
  readonly file: string;
  readonly modality: string;
  readonly sopClass: string;
  readonly sopInstanceUid: string;
  readonly transferSyntaxUid: string;
  readonly patient: { readonly name: string; readonly id: string; readonly birthDate: string | null; readonly sex: string };
  readonly study: { readonly id: string; readonly date: string; readonly time: string; readonly description: string };
  readonly series: { readonly id: string; readonly description: string; readonly modality: string; readonly date: string; readonly time: string };
  readonly frameOfReferenceUid: string;
  readonly structures?: readonly {
    id: number; name: string; type: string | null; color: readonly number[]; empty: boolean; planes: number; contours: number; points: number; volumeCm3: number;
  }[];
  readonly dose?: Record<string, unknown>;
  readonly plan?: Record<string, unknown>;
  readonly image?: Record<string, unknown>;
  readonly warnings: readonly string[];
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The warning `dosekit info` gives for a dose whose maximum is beyond any clinical use. */
function implausibleDoseWarning(reason: string): string {
  return `${reason}: DVH calculations (dvh, check, batch) will refuse it with E_IMPLAUSIBLE_DOSE. Check DoseGridScaling and DoseUnits of the file.`;
}

/** Collects the `dosekit info` description of one parsed file. */
export function describeFile(parser: DicomParser): FileInfo {
  const kind = parser.getSOPClassUID();
  const demographics = parser.getDemographics();
  const study = parser.getStudyInfo();
  const series = parser.getSeriesInfo();
  const base = {
    file: parser.source,
    modality: series.modality,
    sopClass: kind,
    sopInstanceUid: parser.getSOPInstanceUID(),
    transferSyntaxUid: parser.transferSyntaxUid,
    patient: { name: demographics.name, id: demographics.id, birthDate: demographics.birthDate, sex: demographics.gender },
    study: { id: study.id, date: study.date, time: study.time, description: study.description },
    series: { id: series.id, description: series.description, modality: series.modality, date: series.date, time: series.time },
    frameOfReferenceUid: parser.getFrameOfReferenceUID(),
  };
  const extra: { -readonly [K in keyof FileInfo]?: FileInfo[K] } = {};
  if (kind === 'rtss') {
    extra.structures = parser.toStructureSet().rois.map((roi) => {
      const counts = countContours(roi);
      return {
        id: roi.number,
        name: roi.name,
        type: roi.interpretedType ?? null,
        color: roi.color,
        empty: roi.empty,
        ...counts,
        // From the ROI itself, not its number: two ROIs may share a number.
        volumeCm3: round(structureVolumeCm3(roi.planes, smallestPlaneGapMm(roi.planes.map((p) => p.zMm))), 6),
      };
    });
  } else if (kind === 'rtdose') {
    const grid = parser.toDoseGrid();
    const g = grid.geometry;
    extra.dose = {
      rows: g.rows,
      columns: g.columns,
      frames: g.frames,
      pixelSpacingMm: [...g.pixelSpacingMm],
      frameSpacingMm: g.frames > 1 ? round(Math.abs(g.frameZMm[1] - g.frameZMm[0]), 6) : null,
      position: [...g.originMm],
      orientation: [...g.rowCosines, ...g.columnCosines],
      patientOrientation: g.orientation,
      doseUnits: grid.info.doseUnits,
      doseType: grid.info.doseType ?? null,
      summationType: grid.info.summationType ?? null,
      doseGridScaling: grid.doseGridScaling,
      maxGy: grid.maxDoseGy,
      ...(implausibleDoseReason(grid) !== null ? { implausible: true } : {}),
      hasDvhs: parser.hasDVHs(),
      referencedPlanUid: grid.info.referencedPlanUid ?? null,
    };
  } else if (kind === 'rtplan') {
    const plan = parser.toPlan();
    extra.plan = {
      label: plan.label,
      name: plan.name ?? null,
      rxDoseGy: plan.rxDoseGy ?? null,
      fractions: plan.fractions ?? null,
      beams: plan.beams.map((b) => ({
        number: b.number,
        name: b.name,
        type: b.type ?? null,
        radiationType: b.radiationType ?? null,
        energy: b.nominalEnergy ?? null,
        gantryAngleDeg: b.gantryAngleDeg ?? null,
        controlPoints: b.controlPoints,
        doseGyPerFraction: b.doseGyPerFraction ?? null,
        meterset: b.meterset ?? null,
      })),
    };
  } else if (kind === 'ct' || kind === 'mr' || kind === 'pt') {
    const image = parser.toImage();
    const g = image.geometry;
    const [window, level] = parser.getDefaultImageWindowLevel();
    extra.image = {
      rows: g.rows,
      columns: g.columns,
      frames: g.frames,
      pixelSpacingMm: [...g.pixelSpacingMm],
      sliceThicknessMm: image.sliceThicknessMm ?? null,
      position: [...g.originMm],
      orientation: [...g.rowCosines, ...g.columnCosines],
      window,
      level,
    };
  }
  const warnings = parser.warnings.map((w) => w.message);
  if (kind === 'rtdose') {
    const reason = implausibleDoseReason(parser.toDoseGrid());
    if (reason !== null) warnings.push(implausibleDoseWarning(reason));
  }
  return { ...base, ...extra, warnings };
}

function formatTable(info: FileInfo): string {
  const lines = [
    `${info.file}`,
    `  ${info.modality} (${info.sopClass})  SOP Instance ${info.sopInstanceUid}`,
    `  patient ${info.patient.name} (${info.patient.id})  study ${info.study.date} ${info.study.id}`,
    `  series ${info.series.description} ${info.series.id}`,
    `  frame of reference ${info.frameOfReferenceUid || '-'}`,
  ];
  if (info.structures) {
    lines.push(`  ${'id'.padStart(4)}  ${'name'.padEnd(18)} ${'type'.padEnd(10)} ${'planes'.padStart(6)} ${'contours'.padStart(8)} ${'points'.padStart(7)} ${'volume cm3'.padStart(11)}  colour`);
    for (const s of info.structures) {
      lines.push(
        `  ${String(s.id).padStart(4)}  ${s.name.padEnd(18)} ${(s.type ?? '-').padEnd(10)} ${String(s.planes).padStart(6)} ${String(s.contours).padStart(8)} ${String(s.points).padStart(7)} ${(s.empty ? 'empty' : s.volumeCm3.toFixed(2)).padStart(11)}  rgb(${s.color.join(',')})`,
      );
    }
  }
  if (info.dose) {
    const d = info.dose as { rows: number; columns: number; frames: number; pixelSpacingMm: number[]; frameSpacingMm: number | null; position: number[]; patientOrientation: string; doseUnits: string; doseType: string; summationType: string; maxGy: number; hasDvhs: boolean };
    lines.push(`  dose grid ${d.columns} x ${d.rows} x ${d.frames} voxels, ${d.pixelSpacingMm[1]} x ${d.pixelSpacingMm[0]} x ${d.frameSpacingMm ?? '-'} mm, ${d.patientOrientation}, origin [${d.position.join(', ')}] mm`);
    lines.push(`  ${d.doseUnits} ${d.doseType} ${d.summationType}, max ${d.maxGy.toFixed(4)} Gy, DVHs in file: ${d.hasDvhs ? 'yes' : 'no'}`);
  }
  if (info.plan) {
    const p = info.plan as { label: string; name: string | null; rxDoseGy: number | null; fractions: number | null; beams: { number: number; name: string; energy: number | null; gantryAngleDeg: number | null; doseGyPerFraction: number | null }[] };
    lines.push(`  plan ${p.label} "${p.name ?? ''}", prescription ${p.rxDoseGy ?? '-'} Gy in ${p.fractions ?? '-'} fractions, ${p.beams.length} beams`);
    for (const b of p.beams) lines.push(`    beam ${b.number} ${b.name}: ${b.energy ?? '-'} MV, gantry ${b.gantryAngleDeg ?? '-'} deg, ${b.doseGyPerFraction ?? '-'} Gy/fx`);
  }
  if (info.image) {
    const im = info.image as { rows: number; columns: number; frames: number; pixelSpacingMm: number[]; position: number[]; window: number; level: number };
    lines.push(`  image ${im.columns} x ${im.rows} x ${im.frames}, ${im.pixelSpacingMm[1]} x ${im.pixelSpacingMm[0]} mm, position [${im.position.join(', ')}] mm, window/level ${im.window}/${im.level}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `dosekit info <file>... [--json]`. Returns the exit code. */
export async function runInfo(argv: readonly string[], io: CliIo): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS, 'info');
  if (options.help) {
    io.stdout(formatHelp('dosekit info <file>... [--json]', 'Describe DICOM RT files: structures, dose grid, plan, image.', OPTIONS));
    return 0;
  }
  if (positionals.length === 0) throw new DosekitError('E_USAGE', 'dosekit info needs at least one file; see `dosekit info --help`.');
  const results: (FileInfo | { file: string; error: { code: string; message: string } })[] = [];
  let failures = 0;
  const checkpoint = commandCheckpoint(io);
  for (const file of positionals) {
    await checkpoint();
    try {
      const parser = await DicomParser.fromFile(file);
      await checkpoint();
      results.push(describeFile(parser));
    } catch (error) {
      if (!isDosekitError(error) || positionals.length === 1) throw error;
      failures += 1;
      results.push({ file, error: { code: error.code, message: error.message } });
    }
  }
  // A dose no DVH will be computed for is said on stderr in JSON mode too (the table prints every warning there).
  for (const result of options.json ? results : []) {
    if ('error' in result || !result.dose?.implausible) continue;
    for (const warning of result.warnings) if (warning.includes('E_IMPLAUSIBLE_DOSE')) io.stderr(`warning: ${warning}\n`);
  }
  if (options.json) {
    io.stdout(`${JSON.stringify(results.length === 1 ? results[0] : { files: results }, null, 2)}\n`);
  } else {
    for (const result of results) {
      if ('error' in result) io.stderr(`error ${result.error.code}: ${result.error.message}\n`);
      else {
        io.stdout(formatTable(result));
        // The table has no room for them; the JSON carries them in "warnings".
        for (const warning of result.warnings) io.stderr(`warning: ${warning}\n`);
      }
    }
  }
  // 2: some files described, some not; 1: nothing could be described, as for a single bad file.
  if (failures === 0) return 0;
  return failures < positionals.length ? 2 : 1;
}
