// SPDX-License-Identifier: BSD-3-Clause
import type { BackendChoice } from '../backend/create-backend.js';
import { sumDoseGrids } from '../dose/sum.js';
import { DosekitError } from '../errors.js';
import { DoseGrid, type DoseDerivation } from '../model/dose-grid.js';
import { VERSION } from '../version.js';
import { type OptionSpec, formatHelp, parseArgs } from './args.js';
import { writeFileSafely } from '../dicom/write-file.js';
import { beforeWriting, commandCheckpoint } from './interrupt.js';
import type { CliIo } from './io.js';
import { STDOUT, checkOutputs, writeOutput } from './outputs.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'out', kind: 'value', alias: 'o', description: 'the RT Dose file to write (required; never one of the inputs); - writes it to standard output (not a terminal)' },
  { name: 'weights', kind: 'value', description: 'comma-separated factors >= 0, one per input, e.g. 1,0.5', defaultText: 'all 1' },
  { name: 'order', kind: 'value', description: 'resampling of grids that differ from the first: 1 trilinear, 0 nearest neighbour', defaultText: '1' },
  { name: 'mode', kind: 'value', description: 'outside a resampled grid: constant (0 Gy) or nearest (the edge voxel)', defaultText: 'constant' },
  { name: 'backend', kind: 'value', description: 'auto, webgpu or cpu (for the resampling)', defaultText: 'auto' },
  {
    name: 'force',
    kind: 'flag',
    description: 'sum even when DoseUnits, DoseType, DoseSummationType or the frame of reference differ (each is reported as a warning), and replace an existing output file',
  },
  { name: 'json', kind: 'flag', description: 'print one JSON object instead of the text report' },
  { name: 'help', kind: 'flag', alias: 'h', description: 'show this help' },
];

const SUMMARY = [
  'Sum RT Dose files, each times its weight, on the voxels of the first file. Grids that coincide',
  'with the first add voxel by voxel; the others are resampled (trilinear by default, as',
  "dicompyler-core's interp_entire_grid). The result is a new RT Dose (new SOP Instance UID;",
  'DoseSummationType MULTI_PLAN for plan doses) with the patient, study and frame of reference',
  'of the first file.',
].join('\n');

/** Parses `--weights`: one finite number >= 0 per input. */
function parseWeights(text: string | undefined, count: number): number[] {
  if (text === undefined) return new Array<number>(count).fill(1);
  const parts = text.split(',').map((s) => s.trim());
  const weights = parts.map((part) => {
    const value = part === '' ? Number.NaN : Number(part);
    if (!(Number.isFinite(value) && value >= 0)) {
      throw new DosekitError('E_USAGE', `--weights needs numbers >= 0 separated by commas (got ${JSON.stringify(part)} in ${JSON.stringify(text)}).`);
    }
    return value;
  });
  if (weights.length !== count) {
    throw new DosekitError('E_USAGE', `--weights has ${weights.length} value${weights.length === 1 ? '' : 's'} for ${count} input doses; give one weight per input, in the order of the files.`);
  }
  return weights;
}

function choice<T extends string>(value: unknown, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) throw new DosekitError('E_USAGE', `--${name} must be ${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]} (got ${JSON.stringify(value)}).`);
  return value as T;
}

/** A length for display: at most 6 significant digits, so 2.9999999999999964 prints as 3. */
function mm(value: number): number {
  return Number(value.toPrecision(6));
}

function backendText(backend: DoseDerivation['backend']): string {
  return `${backend.kind}${backend.adapter ? ` ${backend.adapter}` : ''}${backend.software ? ' (software)' : ''}`;
}

function resamplingText(order: 0 | 1, mode: string): string {
  return `resampled (${order === 1 ? 'trilinear' : 'nearest neighbour'}, order ${order}, mode ${mode})`;
}

/** `dosekit sum A.dcm B.dcm [...] -o OUT.dcm`: weighted sum of RT Doses. Returns the exit code. */
export async function runSum(argv: readonly string[], io: CliIo): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS, 'sum');
  if (options.help) {
    io.stdout(formatHelp('dosekit sum A.dcm B.dcm [C.dcm ...] -o OUT.dcm [options]', SUMMARY, OPTIONS));
    return 0;
  }
  if (positionals.length < 2) {
    throw new DosekitError('E_USAGE', `dosekit sum needs at least two RT Dose files (got ${positionals.length}); see \`dosekit sum --help\`.`);
  }
  const out = options.out as string | undefined;
  if (!out) throw new DosekitError('E_USAGE', 'dosekit sum needs -o OUT.dcm, the file to write; see `dosekit sum --help`.');
  const weights = parseWeights(options.weights as string | undefined, positionals.length);
  const order = Number(choice(options.order, 'order', ['0', '1'], '1')) as 0 | 1;
  const mode = choice(options.mode, 'mode', ['constant', 'nearest'], 'constant');
  const backend = choice<BackendChoice>(options.backend, 'backend', ['auto', 'webgpu', 'cpu'], 'auto');
  const force = Boolean(options.force);

  // Fail before reading anything when the output could not be written anyway.
  const toStdout = out === STDOUT;
  if (toStdout && options.json) throw new DosekitError('E_USAGE', '-o - writes the RT Dose to standard output, so --json cannot go there too; give -o a file, or leave out --json (the report then goes to standard error).');
  await checkOutputs([{ option: 'out', path: out, binary: true }], { inputs: positionals, force }, io);

  const started = performance.now();
  const grids: DoseGrid[] = [];
  const checkpoint = commandCheckpoint(io);
  for (const file of positionals) {
    await checkpoint();
    grids.push(await DoseGrid.fromFile(file));
  }
  const total = await sumDoseGrids(grids, { weights, order, mode, force, backend, signal: io.signal });
  // Encoding a large grid takes a while: a Ctrl-C before or during it writes nothing.
  await beforeWriting(io);
  const bytes = await total.toBytes();
  await beforeWriting(io);
  if (toStdout) await writeOutput(io, STDOUT, bytes, {});
  else await writeFileSafely(out, bytes, { force, inputs: [total.info.source, ...positionals] });
  const seconds = (performance.now() - started) / 1000;

  const derivation = total.info.derivation as DoseDerivation;
  const [columns, rows, frames] = total.shape;
  const spacing = total.scaleMm.map(mm);
  if (options.json) {
    const report = {
      tool: 'dosekit',
      version: VERSION,
      output: out,
      sopInstanceUid: total.info.sopInstanceUid,
      grid: { of: positionals[0], shape: [columns, rows, frames], spacingMm: spacing },
      inputs: positionals.map((file, i) => ({ file, weight: derivation.inputs[i].weight, resampled: derivation.inputs[i].resampled })),
      order: derivation.order,
      mode: derivation.mode,
      maxDoseGy: total.maxDoseGy,
      backend: derivation.backend,
      warnings: derivation.warnings,
      seconds: Math.round(seconds * 1000) / 1000,
    };
    io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const width = Math.max(...positionals.map((f) => f.length));
    const lines = [`summed ${positionals.length} doses onto the grid of ${positionals[0]} (${columns} x ${rows} x ${frames} voxels, ${spacing.join(' x ')} mm)`];
    positionals.forEach((file, i) => {
      const input = derivation.inputs[i];
      lines.push(`  ${file.padEnd(width)}  weight ${input.weight}  ${input.resampled ? resamplingText(derivation.order, derivation.mode) : 'direct'}`);
    });
    lines.push(`max dose ${total.maxDoseGy.toFixed(3)} Gy; backend ${backendText(derivation.backend)}`);
    // With -o -, standard output holds the RT Dose: the report goes to standard error.
    if (toStdout) io.stderr(`${lines.join('\n')}\n`);
    else io.stdout(`${lines.join('\n')}\n`);
  }
  for (const warning of derivation.warnings) io.stderr(`warning: ${warning}\n`);
  if (!toStdout) io.stderr(`wrote ${out}\n`);
  return 0;
}
