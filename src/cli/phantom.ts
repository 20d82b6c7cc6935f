// SPDX-License-Identifier: BSD-3-Clause
import { join } from 'node:path';
import { DosekitError } from '../errors.js';
import { PHANTOM_SPACING_RANGE_MM, type PhantomSpec, makePhantom, phantomFiles, phantomName, phantomSuite } from '../phantom/phantom.js';
import { type NumberRange, type OptionSpec, formatHelp, numberOption, parseArgs } from './args.js';
import { beforeWriting, commandCheckpoint } from './interrupt.js';
import type { CliIo } from './io.js';
import { checkOutputPath, writeFileSafely } from '../dicom/write-file.js';
import { checkOutputs } from './outputs.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'shape', kind: 'value', description: 'sphere, cylinder, cylinder-rotated, cone or cone-rotated' },
  { name: 'contour-spacing-mm', kind: 'value', description: 'distance between contour planes, mm (0.1 to 20)', defaultText: '2' },
  { name: 'grid-mm', kind: 'value', description: 'dose grid spacing, mm (0.2 to 20): one for x, y and z, or X,Y,Z', defaultText: '2' },
  { name: 'dose', kind: 'value', description: 'gradient-ap, gradient-si, gradient-lr or gaussian', defaultText: 'gradient-ap' },
  { name: 'shift-contours', kind: 'flag', description: 'move the contour planes by half a spacing' },
  { name: 'shift-grid', kind: 'flag', description: 'move the dose grid by half a voxel' },
  { name: 'suite', kind: 'flag', description: 'write every phantom of the accuracy suite instead of one' },
  { name: 'list', kind: 'flag', description: 'list the phantoms of the suite and exit' },
  { name: 'out', kind: 'value', alias: 'o', description: 'folder to write into (one sub-folder per phantom)', defaultText: 'dosekit-phantoms' },
  { name: 'force', kind: 'flag', description: 'replace existing files' },
  { name: 'help', kind: 'flag', alias: 'h', description: 'show this help' },
];

function spacingRange(key: keyof typeof PHANTOM_SPACING_RANGE_MM): NumberRange {
  const [min, max] = PHANTOM_SPACING_RANGE_MM[key];
  return { min, max, what: 'a number of mm' };
}

/** `--grid-mm`: one spacing, or three separated by commas (x, y, z). */
function gridOption(value: string): PhantomSpec['doseGridMm'] {
  const parts = value.split(',');
  if (parts.length === 1) return numberOption(value, 'grid-mm', spacingRange('doseGridMm'))!;
  if (parts.length !== 3) throw new DosekitError('E_USAGE', `--grid-mm needs one spacing or three (x,y,z) separated by commas (got ${JSON.stringify(value)}).`, { option: 'grid-mm', value });
  const [x, y, z] = parts.map((part) => numberOption(part, 'grid-mm', spacingRange('doseGridMm'))!);
  return [x, y, z];
}

function folderName(name: string): string {
  return name.replace(/[^A-Za-z0-9.-]+/g, '_');
}

/** `dosekit phantom`: writes analytical phantoms (RT Structure Set, RT Dose, ground truth JSON). */
export async function runPhantom(argv: readonly string[], io: CliIo): Promise<number> {
  const { options } = parseArgs(argv, OPTIONS, 'phantom');
  if (options.help) {
    io.stdout(formatHelp('dosekit phantom [--shape S --contour-spacing-mm X --grid-mm X --dose D | --suite | --list] [--out DIR]', 'Write analytical DVH phantoms: DICOM files plus a ground truth, the exact DVH of the right-prism model of the contours (each contour extruded +- half the contour spacing): one truth among others, not the DVH of the solid; the contours themselves are checked against the solids\' own cross-sections by dosekit\'s test suite.', OPTIONS));
    return 0;
  }
  if (options.list) {
    for (const spec of phantomSuite()) io.stdout(`${phantomName(spec)}\n`);
    return 0;
  }
  let specs: PhantomSpec[];
  if (options.suite) specs = phantomSuite();
  else {
    if (!options.shape) throw new DosekitError('E_USAGE', 'dosekit phantom needs --shape (or --suite); see `dosekit phantom --help`.');
    specs = [
      {
        shape: options.shape as PhantomSpec['shape'],
        contourSpacingMm: numberOption(options['contour-spacing-mm'] ?? '2', 'contour-spacing-mm', spacingRange('contourSpacingMm'))!,
        doseGridMm: gridOption(String(options['grid-mm'] ?? '2')),
        dose: (options.dose as PhantomSpec['dose']) ?? 'gradient-ap',
        shiftContoursHalfSpacing: Boolean(options['shift-contours']),
        shiftGridHalfVoxel: Boolean(options['shift-grid']),
      },
    ];
    const shapes = ['sphere', 'cylinder', 'cylinder-rotated', 'cone', 'cone-rotated'];
    if (!shapes.includes(specs[0].shape)) throw new DosekitError('E_USAGE', `--shape must be one of ${shapes.join(', ')}.`);
    if (!['gradient-ap', 'gradient-si', 'gradient-lr', 'gaussian'].includes(specs[0].dose)) throw new DosekitError('E_USAGE', '--dose must be gradient-ap, gradient-si, gradient-lr or gaussian.');
  }
  const out = (options.out as string | undefined) ?? 'dosekit-phantoms';
  const force = Boolean(options.force);
  // Every file of every phantom is checked before the first is made: a file in the way of the
  // last phantom must not leave the first ones written.
  await checkOutputs([{ option: 'out', path: out, kind: 'folder' }], { force }, io);
  const checkpoint = commandCheckpoint(io);
  for (const spec of specs) {
    await checkpoint();
    const folder = join(out, folderName(phantomName(spec)));
    for (const file of ['rtss.dcm', 'rtdose.dcm', 'truth.json']) await checkOutputPath(join(folder, file), { force });
  }
  for (const spec of specs) {
    await checkpoint();
    const phantom = makePhantom(spec);
    await checkpoint();
    const files = phantomFiles(phantom);
    const folder = join(out, folderName(phantom.name));
    const t = phantom.truth;
    const truth = {
      name: phantom.name,
      spec,
      model: 'the exact DVH of the right-prism model of the contours (each contour extruded +- half the contour spacing about its plane): one truth among others, not the DVH of the solid; the contours are checked against the solids\' own cross-sections by dosekit\'s test suite',
      volumeCm3: t.volumeCm3, minGy: t.minGy, maxGy: t.maxGy, meanGy: t.meanGy, D99Gy: t.D99Gy, D95Gy: t.D95Gy, D5Gy: t.D5Gy, D1Gy: t.D1Gy, D0_03ccGy: t.D0_03ccGy,
    };
    // A phantom is written whole or not at all: a Ctrl-C during its making stops here.
    await beforeWriting(io);
    await writeFileSafely(join(folder, 'rtss.dcm'), files.rtss, { force });
    await writeFileSafely(join(folder, 'rtdose.dcm'), files.rtdose, { force });
    await writeFileSafely(join(folder, 'truth.json'), `${JSON.stringify(truth, null, 2)}\n`, { force });
    io.stdout(`${folder}: ${phantom.name}, volume ${t.volumeCm3.toFixed(4)} cm3, mean ${t.meanGy.toFixed(4)} Gy\n`);
  }
  return 0;
}
