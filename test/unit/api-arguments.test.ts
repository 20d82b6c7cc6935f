// SPDX-License-Identifier: BSD-3-Clause
// Every export of the public API, called with hostile arguments in every position (and every known
// option set to every hostile value): each call must return normally or fail with a coded
// DosekitError, never a TypeError, RangeError or hang. The exports are enumerated from the module
// namespace, so a new export without an entry in CALLS (or in NOT_CALLABLE) fails this test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';
import { exampleParser } from '../helpers/examples.js';
import { boxRing, makeDoseGrid, makeStructureSet } from '../helpers/synthetic.js';

/**
 * Hostile strings are also paths: an absolute one in a scratch folder, so that anything a call writes
 * lands there, whatever the working directory (mutation runs execute this file in worker threads,
 * which cannot change it).
 */
const scratch = mkdtempSync(join(tmpdir(), 'dosekit-api-arguments-'));

/** The values every argument position and every option is tried with. */
const HOSTILE: readonly (readonly [string, unknown])[] = [
  ['null', null],
  ['undefined', undefined],
  ['empty string', ''],
  ['string', join(scratch, 'hostile')],
  ['string with NUL', 'a\u0000b'],
  ['0', 0],
  ['-1', -1],
  ['1.5', 1.5],
  ['1e300', 1e300],
  ['2^53', 2 ** 53],
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
  ['{}', {}],
  ['[]', []],
  ['array of junk', [null, 'x', Number.NaN, {}]],
  ['array with a huge number', [1e30]],
  ['pair of huge numbers', [1e6, 1e6]],
  ['pair of negative numbers', [-1, -1]],
  ['function', () => 1],
  ['true', true],
];

/** Functions that are not called: the error type itself. Exports that are not functions (constants) take no arguments and are skipped. */
const NOT_CALLABLE = new Set(['DosekitError']);

/** How to call one function: valid arguments, and which argument (if any) is an options object with which keys. */
interface CallSpec {
  readonly args: () => unknown[];
  readonly options?: { readonly index: number; readonly keys: readonly string[] };
  /** Hostile values not tried in a position (e.g. undefined where it means "all 284 phantoms"). */
  readonly skip?: (position: number | string, value: unknown) => boolean;
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}

type Fixtures = ReturnType<typeof buildFixtures>;
let fx: Fixtures;

function buildFixtures() {
  const grid = makeDoseGrid({
    rows: 8,
    columns: 8,
    frames: 6,
    originMm: [-7, -7, -5],
    pixelSpacingMm: [2, 2],
    frameOffsetsMm: [0, 2, 4, 6, 8, 10],
    orientation: 'HFS',
    scaling: 1e-3,
    dose: (x, y) => 1 + Math.abs(x + y) / 10,
    frameOfReferenceUid: '2.25.9',
  });
  const structureSet = makeStructureSet(
    [{ number: 1, name: 'Box', planes: [-2, 0, 2].map((zMm) => ({ zMm, rings: [boxRing(-4, -4, 4, 4)] })) }],
    { frameOfReferenceUid: '2.25.9' },
  );
  const dvh = api.DVH.fromData([1, 1.5, 2, 2.5, 3], 0.1, { name: 'Box', voxelVolumeCm3: 0.008 });
  const other = api.DVH.fromData([1.1, 1.6, 2, 2.4, 3.2], 0.1, { name: 'Box', voxelVolumeCm3: 0.008 });
  const parsers = {
    rtss: exampleParser('rtss.dcm'),
    rtdose: exampleParser('rtdose_substitute.dcm'),
    rtplan: exampleParser('rtplan.dcm'),
    ct: exampleParser('ct.0.dcm'),
  };
  const phantomSpec = { shape: 'cylinder', contourSpacingMm: 3, doseGridMm: 3, dose: 'gradient-ap' } as const;
  const phantom = api.makePhantom(phantomSpec);
  // A small RT Dose keeps the calls that parse bytes fast.
  const doseBytes = api.writeDoseGridBytes(grid, { frameOfReferenceUid: '2.25.9' });
  const report = api.compareWithTruth(dvh, phantom.truth);
  return { grid, structureSet, dvh, other, parsers, phantomSpec, phantom, doseBytes, report };
}

const writeKeys = ['patientId', 'patientName', 'studyInstanceUid', 'frameOfReferenceUid', 'seriesDescription'];
const resampleKeys = ['order', 'mode', 'cval', 'backend', 'device', 'memoryLimitBytes', 'signal'];
const calculationKeys = [
  'algorithm',
  'endCaps',
  'supersampling',
  'limitCGy',
  'calculateFullVolume',
  'useStructureExtents',
  'interpolationResolutionMm',
  'interpolationSegmentsBetweenPlanes',
  'thicknessMm',
  'backend',
  'device',
  'force',
  'memoryLimitBytes',
  'signal',
  'onProgress',
];
const metadataKeys = ['rxDose', 'name', 'color', 'notes', 'lookup', 'computedBy'];
const gammaKeys = ['doseTolerancePercent', 'volumeTolerancePercent'];
const plotKeys = ['width', 'height', 'title', 'relativeDose', 'relativeVolume', 'rxDose', 'doseMax', 'volumeMax', 'margin', 'legend', 'differential'];

/** Module functions of the API. */
const CALLS: Record<string, CallSpec> = {
  isDosekitError: { args: () => [new Error('x')] },
  memoryLimitBytes: { args: () => [1024] },
  parseByteSize: { args: () => ['8G'] },
  doseDifferenceGy: { args: () => [fx.grid, fx.grid, { backend: 'cpu' }], options: { index: 2, keys: [...resampleKeys, 'force', 'weights'] } },
  resampleDoseGy: { args: () => [fx.grid, fx.grid, { backend: 'cpu' }], options: { index: 2, keys: resampleKeys } },
  sumDoseGrids: { args: () => [[fx.grid, fx.grid], { backend: 'cpu' }], options: { index: 1, keys: [...resampleKeys, 'force', 'weights'] } },
  scaleDoseGrid: { args: () => [fx.grid, 2] },
  writeFileSafely: { args: () => [join(scratch, 'out.txt'), 'text', { force: true }], options: { index: 2, keys: ['force', 'inputs'] } },
  indexToPatientMm: { args: () => [fx.grid.geometry, 1, 2, 3] },
  patientToPixelLut: { args: () => [fx.grid.geometry] },
  countContours: { args: () => [fx.structureSet.rois[0]] },
  findRoi: { args: () => [fx.structureSet, 1] },
  planeAreaMm2: { args: () => [fx.structureSet.rois[0].planes[0]] },
  structureVolumeCm3: { args: () => [fx.structureSet.rois[0].planes, 2, {}], options: { index: 2, keys: ['compat'] } },
  compareDvhCurves: { args: () => [fx.dvh, fx.other, {}], options: { index: 2, keys: gammaKeys } },
  compareDvhs: { args: () => [fx.dvh, fx.other, {}], options: { index: 2, keys: gammaKeys } },
  describeDvh: { args: () => [fx.dvh] },
  doseAtVolume: { args: () => [fx.dvh.bins, fx.dvh.counts, 50, true, 'interpolate'] },
  dvhGamma: { args: () => [fx.dvh, fx.other, {}], options: { index: 2, keys: gammaKeys } },
  dvhToCsv: { args: () => [fx.dvh.toJSON()] },
  parseDvhCsv: { args: () => [fx.dvh.toCSV()] },
  parseDvhJson: { args: () => [fx.dvh.toJSON()] },
  parseStatisticName: { args: () => ['D95'] },
  plotDvhs: { args: () => [[fx.dvh, fx.other], {}], options: { index: 1, keys: plotKeys } },
  volumeAtDose: { args: () => [fx.dvh.bins, fx.dvh.counts, 2, 'interpolate'] },
  calculateDvhs: {
    args: () => [fx.structureSet, fx.grid, { backend: 'cpu', supersampling: 1 }],
    options: { index: 2, keys: [...calculationKeys, 'rois'] },
  },
  getDvh: { args: () => [fx.structureSet, fx.grid, 1, { backend: 'cpu', supersampling: 1 }], options: { index: 3, keys: calculationKeys } },
  formatRoiExpression: { args: () => [api.parseRoiExpression('"A" | "B"')] },
  parseRoiDefinition: { args: () => ['X = "A" | "B"'] },
  parseRoiExpression: { args: () => ['"A" | "B"'] },
  indexCohort: { args: () => [[scratch], {}], options: { index: 1, keys: ['prefixBytes', 'concurrency', 'onProgress', 'signal'] } },
  pairCohort: { args: () => [{ objects: [] }] },
  shardOf: { args: () => [[1, 2, 3], 0, 2] },
  shardRange: { args: () => [10, 0, 2] },
  createBackend: { args: () => [{ backend: 'cpu' }], options: { index: 0, keys: ['backend', 'device'] } },
  writeDoseGridBytes: { args: () => [fx.grid, { frameOfReferenceUid: '2.25.9' }], options: { index: 1, keys: [...writeKeys, 'referencedStructureSetUid'] } },
  writeStructureSetBytes: { args: () => [fx.structureSet, { frameOfReferenceUid: '2.25.9' }], options: { index: 1, keys: writeKeys } },
  withDvhSequence: {
    args: () => [fx.doseBytes, [{ roi: 1, dvh: fx.dvh }], {}],
    options: { index: 2, keys: ['algorithm', 'normalizationDoseGy', 'referencedStructureSetUid', 'file'] },
  },
  makePhantom: { args: () => [fx.phantomSpec] },
  phantomFiles: { args: () => [fx.phantom] },
  phantomName: { args: () => [fx.phantomSpec] },
  phantomSuite: { args: () => [] },
  cumulativeTable: { args: () => [fx.phantom.truth, new Float64Array([1, 2])] },
  doseAtVolumeCm3: { args: () => [fx.phantom.truth, 1] },
  groundTruth: { args: () => [[], fx.phantom.field] },
  compareWithTruth: { args: () => [fx.dvh, fx.phantom.truth] },
  summarise: { args: () => [[fx.report]] },
  runPhantomSuite: {
    args: () => [{ specs: [fx.phantomSpec], algorithms: ['dicompyler'] }],
    options: { index: 0, keys: ['specs', 'algorithms'] },
    // Omitting the specs runs the whole 284-phantom suite: legitimate, but not for a unit test.
    skip: (position, value) => (value === undefined && (position === 'specs' || position === 0)) || (position === 0 && isEmptyObject(value)),
  },
};

/** Static methods of the exported classes. */
const STATICS: Record<string, Record<string, CallSpec>> = {
  DicomParser: {
    fromBytes: { args: () => [fx.doseBytes, 'dose.dcm'] },
    fromFile: { args: () => [join(scratch, 'missing.dcm')] },
  },
  DoseGrid: {
    fromFile: { args: () => [join(scratch, 'missing.dcm')] },
    fromBytes: { args: () => [fx.doseBytes, 'dose.dcm'] },
    fromParser: { args: () => [fx.parsers.rtplan] },
  },
  DVH: {
    fromData: { args: () => [[1, 2, 3], 0.5, {}], options: { index: 2, keys: [...metadataKeys, 'doseUnits', 'voxelVolumeCm3'] } },
    fromDicomDvh: { args: () => [[], 1, {}], options: { index: 2, keys: metadataKeys } },
    fromJSON: { args: () => [fx.dvh.toJSON()] },
    fromCSV: { args: () => [fx.dvh.toCSV()] },
  },
};

/** Instance methods of the exported classes, on real instances. */
const INSTANCES: Record<string, { instances: () => unknown[]; methods: Record<string, CallSpec> }> = {
  DicomParser: {
    instances: () => Object.values(fx.parsers),
    methods: {
      getStructureCoordinates: { args: () => [1] },
      getStructurePlanes: { args: () => [1] },
      calculatePlaneThickness: { args: () => [fx.structureSet.rois[0].planes] },
      calculateStructureVolume: { args: () => [1, 2, {}], options: { index: 2, keys: ['compat'] } },
      getDoseGrid: { args: () => [0, 0.5] },
      interpolateDosePlanes: { args: () => [new Float64Array(4), new Float64Array(4), 0.5] },
      getIsodosePoints: { args: () => [0, 1, 0.5] },
      getReferencedBeamsInFraction: { args: () => [0] },
      getLUTValue: { args: () => [[0, 100, 200], 400, 40] },
      getImage: { args: () => [400, 40, { size: [16, 16] }], options: { index: 2, keys: ['size', 'frame'] } },
    },
  },
  DoseGrid: {
    instances: () => [fx.grid],
    methods: {
      isCoincident: { args: () => [fx.grid] },
      getIjkPoints: { args: () => [fx.grid] },
      add: { args: () => [fx.grid, { backend: 'cpu' }], options: { index: 1, keys: [...resampleKeys, 'force', 'weight'] } },
      multiply: { args: () => [2] },
      interpEntireGrid: { args: () => [fx.grid, { backend: 'cpu' }], options: { index: 1, keys: resampleKeys } },
      saveDcm: { args: () => [join(scratch, 'dose.dcm'), { force: true }], options: { index: 1, keys: ['force', 'inputs'] } },
      doseGyAt: { args: () => [1, 2, 3] },
    },
  },
  DVH: {
    instances: () => [fx.dvh, fx.dvh.relativeVolume],
    methods: {
      with: { args: () => [{ name: 'x' }], options: { index: 0, keys: metadataKeys } },
      absoluteVolume: { args: () => [10] },
      relativeDose: { args: () => [2] },
      absoluteDose: { args: () => [2] },
      volumeConstraint: { args: () => [50, '%'] },
      doseConstraint: { args: () => [50, '%'] },
      statistic: { args: () => ['D95'] },
      gEUD: { args: () => [2] },
      compare: { args: () => [fx.other, {}], options: { index: 1, keys: gammaKeys } },
    },
  },
  DVHValue: {
    instances: () => [new api.DVHValue(1, 'Gy')],
    methods: { equals: { args: () => [new api.DVHValue(1, 'Gy'), 0] } },
  },
};

/** Classes whose constructor is private (TypeScript): made only through their static methods. */
const PRIVATE_CONSTRUCTORS = new Set(['DicomParser']);

/** Constructors of the exported classes. */
const CONSTRUCTORS: Record<string, CallSpec> = {
  DoseGrid: { args: () => [fx.grid.geometry, fx.grid.pixels, 1e-3, fx.grid.info] },
  DVH: { args: () => [{ counts: [3, 2, 1], bins: [0, 1, 2, 3] }], options: { index: 0, keys: [...metadataKeys, 'counts', 'bins', 'type', 'doseUnits', 'volumeUnits', 'doseRange'] } },
  DVHValue: { args: () => [1, 'Gy'] },
};

const PER_CALL_MS = 10_000;

/** The outcome of one call: 'ok', or what was wrong. */
async function outcome(call: () => unknown): Promise<string> {
  const started = performance.now();
  try {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${PER_CALL_MS} ms`)), PER_CALL_MS);
    });
    try {
      await Promise.race([Promise.resolve().then(call), timeout]);
    } finally {
      clearTimeout(timer);
    }
  } catch (error) {
    if (!api.isDosekitError(error)) return `${(error as Error)?.name}: ${(error as Error)?.message}`.slice(0, 200);
  }
  const ms = performance.now() - started;
  return ms > PER_CALL_MS ? `took ${Math.round(ms)} ms` : 'ok';
}

interface Case {
  readonly label: string;
  readonly call: () => unknown;
}

/** Every hostile variant of one call. */
function variants(label: string, spec: CallSpec, invoke: (args: unknown[]) => unknown): Case[] {
  const cases: Case[] = [];
  const base = spec.args();
  const positions = Math.max(base.length, 1);
  for (let p = 0; p < positions; p += 1) {
    for (const [name, value] of HOSTILE) {
      if (spec.skip?.(p, value)) continue;
      const args = [...spec.args()];
      args[p] = value;
      cases.push({ label: `${label} argument ${p} = ${name}`, call: () => invoke(args) });
    }
  }
  if (spec.options) {
    const { index, keys } = spec.options;
    for (const key of keys) {
      for (const [name, value] of HOSTILE) {
        if (spec.skip?.(key, value)) continue;
        const args = [...spec.args()];
        args[index] = { ...(args[index] as object), [key]: value };
        cases.push({ label: `${label} option ${key} = ${name}`, call: () => invoke(args) });
      }
    }
  }
  return cases;
}

/** A table's own entry (never one inherited from Object.prototype, such as toString). */
function own<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

function allCases(): Case[] {
  const cases: Case[] = [];
  for (const [name, value] of Object.entries(api)) {
    if (NOT_CALLABLE.has(name)) continue;
    if (typeof value !== 'function') continue;
    const isClass = /^class\b/.test(Function.prototype.toString.call(value));
    if (!isClass) {
      const spec = own(CALLS, name);
      if (!spec) throw new Error(`${name}: a new export; add how to call it to CALLS`);
      cases.push(...variants(name, spec, (args) => (value as (...a: unknown[]) => unknown)(...args)));
      continue;
    }
    const ctor = own(CONSTRUCTORS, name);
    if (!ctor && !PRIVATE_CONSTRUCTORS.has(name)) throw new Error(`${name}: a new class; add its constructor to CONSTRUCTORS`);
    if (ctor) cases.push(...variants(`new ${name}`, ctor, (args) => Reflect.construct(value, args)));
    for (const method of Object.getOwnPropertyNames(value).filter((n) => !['length', 'name', 'prototype'].includes(n))) {
      const spec = own(STATICS[name] ?? {}, method);
      if (!spec) throw new Error(`${name}.${method}: a new static method; add how to call it to STATICS`);
      cases.push(...variants(`${name}.${method}`, spec, (args) => (value as unknown as Record<string, (...a: unknown[]) => unknown>)[method](...args)));
    }
    const entry = own(INSTANCES, name);
    if (!entry) throw new Error(`${name}: a new class; add its instances to INSTANCES`);
    const proto = value.prototype as object;
    for (const method of Object.getOwnPropertyNames(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, method)!;
      if (method === 'constructor' || typeof descriptor.value !== 'function') continue;
      entry.instances().forEach((instance, k) => {
        const target = instance as Record<string, (...a: unknown[]) => unknown>;
        const spec = own(entry.methods, method);
        // A method without an entry takes no arguments: called bare, and with one hostile argument (ignored or refused).
        const effective: CallSpec = spec ?? { args: () => [] };
        cases.push(...variants(`${name}#${k}.${method}`, effective, (args) => target[method](...args)));
      });
    }
  }
  return cases;
}

describe('the public API validates its arguments', () => {
  beforeAll(() => {
    fx = buildFixtures();
  });
  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it('every export is called with every hostile value and answers with a DosekitError or normally', async () => {
    const cases = allCases();
    expect(cases.length).toBeGreaterThan(1000);
    const failures: string[] = [];
    for (const c of cases) {
      const t0 = performance.now();
      const result = await outcome(c.call);
      if (process.env.DOSEKIT_TRACE_SLOW && performance.now() - t0 > 200) console.log(`slow ${Math.round(performance.now() - t0)} ms: ${c.label}`);
      if (result !== 'ok') failures.push(`${c.label}: ${result}`);
    }
    expect(failures).toEqual([]);
  }, 600_000);

  it('the calls reported as failing with a TypeError or accepted silently fail with E_INVALID_ARGUMENT naming the argument', async () => {
    const dose = fx.grid;
    const rtss = fx.structureSet;
    const reported: [string, () => unknown, string][] = [
      ['calculateDvhs options null', () => api.calculateDvhs(rtss, dose, null as never), 'options'],
      ['getDvh options null', () => api.getDvh(rtss, dose, 1, null as never), 'options'],
      ['backend {}', () => api.calculateDvhs(rtss, dose, { backend: {} as never }), 'backend'],
      ['onProgress 5', () => api.calculateDvhs(rtss, dose, { backend: 'cpu', onProgress: 5 as never }), 'onProgress'],
      ['rois as a string', () => api.calculateDvhs(rtss, dose, { backend: 'cpu', rois: 'sphere' as never }), 'rois'],
      ['memoryLimitBytes -1', () => api.sumDoseGrids([dose], { memoryLimitBytes: -1 }), 'memoryLimitBytes'],
      ['DVH.fromData(null)', () => api.DVH.fromData(null as never, 0.1), 'doses'],
      ['DVH.fromData([1e30], 0.01)', () => api.DVH.fromData([1e30], 0.01), 'binWidth'],
      ['DVH.fromCSV(null)', () => api.DVH.fromCSV(null as never), 'text'],
      ['DVH.fromDicomDvh(null)', () => api.DVH.fromDicomDvh(null as never, 1), 'source'],
      ['dvh.compare(null)', () => fx.dvh.compare(null as never), 'b'],
      ['compareDvhs(null, null)', () => api.compareDvhs(null as never, null as never), 'a'],
      ['plotDvhs(null)', () => api.plotDvhs(null as never), 'dvhs'],
      ['plot width -1', () => api.plotDvhs([fx.dvh], { width: -1 }), 'width'],
      ['DoseGrid.fromBytes(null)', () => api.DoseGrid.fromBytes(null as never), 'bytes'],
      ['DicomParser.fromBytes(undefined)', () => api.DicomParser.fromBytes(undefined as never), 'bytes'],
      ['parseRoiExpression(null)', () => api.parseRoiExpression(null as never), 'text'],
      ['indexCohort(null)', () => api.indexCohort(null as never), 'paths'],
      ['withDvhSequence dvh null', () => api.withDvhSequence(fx.doseBytes, [{ roi: 1, dvh: null as never }]), 'dvh'],
      ['getImage size 1e6 x 1e6', () => fx.parsers.ct.getImage(400, 40, { size: [1e6, 1e6] }), 'size'],
    ];
    const failures: string[] = [];
    for (const [label, call, argument] of reported) {
      try {
        await call();
        failures.push(`${label}: accepted`);
      } catch (error) {
        if (!api.isDosekitError(error) || error.code !== 'E_INVALID_ARGUMENT' || !error.message.includes(argument)) failures.push(`${label}: ${(error as Error).name} ${(error as { code?: string }).code}: ${(error as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('option objects refuse unknown option names, listing the accepted ones', async () => {
    const specs: [string, CallSpec, (args: unknown[]) => unknown][] = [];
    for (const [name, spec] of Object.entries(CALLS)) if (spec.options) specs.push([name, spec, (args) => (api as unknown as Record<string, (...a: unknown[]) => unknown>)[name](...args)]);
    const failures: string[] = [];
    for (const [label, spec, invoke] of specs) {
      const args = spec.args();
      const { index, keys } = spec.options!;
      args[index] = { ...(args[index] as object), bogusOption: 1 };
      try {
        await invoke(args);
        failures.push(`${label}: accepted bogusOption`);
      } catch (error) {
        if (!api.isDosekitError(error) || error.code !== 'E_INVALID_ARGUMENT' || !error.message.includes(keys[0])) failures.push(`${label}: ${(error as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
