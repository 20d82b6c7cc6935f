// SPDX-License-Identifier: BSD-3-Clause
// Runs DVH algorithms over the analytical phantom suite, through real DICOM files.
import { DicomParser } from '../dicom/parser.js';
import { calculateDvhs } from '../dvh/calculate.js';
import type { DvhAlgorithm } from '../dvh/calculation-options.js';
import { type AccuracyReport, compareWithTruth } from './accuracy.js';
import { optional, requireArrayOf, requireOneOf, requireOptions } from '../validate.js';
import { requirePhantomSpec } from './phantom-arguments.js';
import { type PhantomSpec, makePhantom, phantomFiles, phantomSuite } from './phantom.js';

/** One phantom case's reports, per algorithm. */
export interface SuiteCase {
  readonly name: string;
  readonly spec: PhantomSpec;
  readonly reports: Readonly<Record<DvhAlgorithm, AccuracyReport>>;
}

/**
 * Every phantom of `specs` (default: the whole suite): its RT Structure Set and RT Dose are
 * written through dcmjs, read back through DicomParser, and each algorithm's DVH is compared
 * with the ground truth.
 */
export async function runPhantomSuite(options: { specs?: readonly PhantomSpec[]; algorithms?: readonly DvhAlgorithm[] } = {}): Promise<SuiteCase[]> {
  const checked = requireOptions(options, 'options', ['specs', 'algorithms']);
  optional(checked.specs, 'options.specs', (v, n) => requireArrayOf(v, n, requirePhantomSpec));
  optional(checked.algorithms, 'options.algorithms', (v, n) => requireArrayOf(v, n, (a, an) => requireOneOf(a, an, ['precise', 'dicompyler'] as const)));
  const algorithms = options.algorithms ?? ['precise', 'dicompyler'];
  const cases: SuiteCase[] = [];
  for (const spec of options.specs ?? phantomSuite()) {
    const phantom = makePhantom(spec);
    const files = phantomFiles(phantom);
    const structureSet = DicomParser.fromBytes(files.rtss, `${phantom.name} rtss`).toStructureSet();
    const dose = DicomParser.fromBytes(files.rtdose, `${phantom.name} rtdose`).toDoseGrid();
    const reports = {} as Record<DvhAlgorithm, AccuracyReport>;
    for (const algorithm of algorithms) {
      const result = await calculateDvhs(structureSet, dose, { algorithm, backend: 'cpu' });
      if (result.dvhs.length !== 1) throw new Error(`${phantom.name}: ${algorithm} gave no DVH (${result.errors[0]?.code}: ${result.errors[0]?.message})`);
      reports[algorithm] = compareWithTruth(result.dvhs[0].dvh, phantom.truth);
    }
    cases.push({ name: phantom.name, spec, reports });
  }
  return cases;
}
