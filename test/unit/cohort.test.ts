// SPDX-License-Identifier: BSD-3-Clause
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDicomHeader } from '../../src/dicom/header.js';
import { type CohortObject, indexCohort, pairCohort, shardOf, shardRange } from '../../src/index.js';
import { TransferSyntax, makeSyntheticDose, rewriteWithTransferSyntax, syntheticStructureSetDataset, toBareDataset, writeDataset } from '../helpers/dicom-writer.js';
import { exampleBytes } from '../helpers/examples.js';

function object(kind: CohortObject['kind'], path: string, fields: Partial<CohortObject> = {}): CohortObject {
  return { path, root: '/c', kind, sopClassUid: '', sopInstanceUid: `uid-${path}`, patientId: 'P1', studyInstanceUid: 'S1', frameOfReferenceUid: 'F1', ...fields };
}

describe('pairCohort', () => {
  const rtss = object('rtss', '/c/P1/rtss.dcm', { sopInstanceUid: 'SS1' });
  const rtplan = object('rtplan', '/c/P1/rtplan.dcm', { sopInstanceUid: 'PL1', referencedStructureSetUid: 'SS1' });

  it('follows dose -> plan -> structure set, then the dose reference, then the one structure set in the frame of reference', () => {
    const other = object('rtss', '/c/P1/other.dcm', { sopInstanceUid: 'SS2', frameOfReferenceUid: 'F2' });
    const doses = [
      object('rtdose', '/c/P1/a-plan.dcm', { referencedRtPlanUid: 'PL1', referencedStructureSetUid: 'SS2' }),
      object('rtdose', '/c/P1/b-own.dcm', { referencedRtPlanUid: 'MISSING', referencedStructureSetUid: 'SS2' }),
      object('rtdose', '/c/P1/c-frame.dcm', { referencedRtPlanUid: 'MISSING' }),
      object('rtdose', '/c/P1/d-frame2.dcm', { frameOfReferenceUid: 'F2' }),
    ];
    const entries = pairCohort({ objects: [rtss, rtplan, other, ...doses] });
    expect(entries.map((e) => [e.rtdose.path, e.pairing, e.rtss?.path, e.rtplan?.path])).toEqual([
      ['/c/P1/a-plan.dcm', 'plan', rtss.path, rtplan.path],
      ['/c/P1/b-own.dcm', 'dose-reference', other.path, undefined],
      ['/c/P1/c-frame.dcm', 'frame-of-reference', rtss.path, undefined],
      ['/c/P1/d-frame2.dcm', 'frame-of-reference', other.path, undefined],
    ]);
    expect(entries.every((e) => e.unpairedReason === undefined)).toBe(true);
  });

  it('a plan whose structure set is missing falls back to the later rules (the plan is still recorded)', () => {
    const plan = object('rtplan', '/c/P1/plan2.dcm', { sopInstanceUid: 'PL2', referencedStructureSetUid: 'GONE' });
    const [entry] = pairCohort({ objects: [rtss, plan, object('rtdose', '/c/P1/d.dcm', { referencedRtPlanUid: 'PL2' })] });
    expect(entry).toMatchObject({ pairing: 'frame-of-reference', rtss: { path: rtss.path }, rtplan: { path: plan.path } });
  });

  it('unpaired when no structure set, or several, match: with every reason', () => {
    const alien = object('rtss', '/c/P2/rtss.dcm', { sopInstanceUid: 'SSX', patientId: 'P2', frameOfReferenceUid: 'F9' });
    const none = pairCohort({ objects: [alien, object('rtdose', '/c/P1/d.dcm', { frameOfReferenceUid: 'F9', referencedRtPlanUid: 'PLX' })] })[0];
    expect(none.rtss).toBeUndefined();
    expect(none.pairing).toBeUndefined();
    // The structure set in F9 belongs to another patient, so it is not taken.
    expect(none.unpairedReason).toBe('its RT Plan PLX is not in the cohort; it references no RT Structure Set itself; no RT Structure Set of patient "P1" is in its frame of reference F9.');

    const twin = object('rtss', '/c/P1/rtss-copy.dcm', { sopInstanceUid: 'SS1' });
    const several = pairCohort({ objects: [rtss, twin, object('rtdose', '/c/P1/d.dcm', { referencedStructureSetUid: 'SS1' })] })[0];
    expect(several.rtss).toBeUndefined();
    expect(several.unpairedReason).toContain('2 files have the SOPInstanceUID SS1 of the RT Structure Set the dose references (/c/P1/rtss.dcm, /c/P1/rtss-copy.dcm)');
    expect(several.unpairedReason).toContain('2 RT Structure Sets of patient "P1" are in its frame of reference');
  });

  it('sorts entries by patientId, studyInstanceUid and rtdose path in code-unit order, whatever the input order', () => {
    const doses = [
      object('rtdose', '/c/b.dcm', { patientId: 'P9', studyInstanceUid: 'S1' }),
      object('rtdose', '/c/a.dcm', { patientId: 'P10', studyInstanceUid: 'S2' }),
      object('rtdose', '/c/z.dcm', { patientId: 'P10', studyInstanceUid: 'S1' }),
      object('rtdose', '/c/y.dcm', { patientId: 'P10', studyInstanceUid: 'S1' }),
      object('rtdose', '/c/x.dcm', { patientId: 'p0', studyInstanceUid: 'S1' }),
    ];
    const expected = ['/c/y.dcm', '/c/z.dcm', '/c/a.dcm', '/c/b.dcm', '/c/x.dcm'];
    for (const order of [doses, [...doses].reverse(), [doses[2], doses[4], doses[0], doses[3], doses[1]]]) {
      expect(pairCohort({ objects: order }).map((e) => e.rtdose.path)).toEqual(expected);
    }
  });
});

describe('shardOf', () => {
  it('shards are contiguous blocks whose concatenation is the whole, for many sizes and counts', () => {
    for (let m = 0; m <= 40; m += 1) {
      const all = Array.from({ length: m }, (_, k) => k);
      for (let n = 1; n <= 13; n += 1) {
        const shards = Array.from({ length: n }, (_, i) => shardOf(all, i, n));
        expect(shards.flat()).toEqual(all);
        const sizes = shards.map((s) => s.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        shards.forEach((shard, i) => {
          const { start, end } = shardRange(m, i, n);
          expect([start, end]).toEqual([Math.floor((i * m) / n), Math.floor(((i + 1) * m) / n)]);
          expect(shard).toEqual(all.slice(start, end));
        });
      }
    }
  });

  it('refuses shards outside 0..N-1 and counts below 1', () => {
    for (const [i, n] of [[4, 4], [-1, 4], [0, 0], [1.5, 4]]) {
      expect(() => shardOf([1, 2, 3], i, n)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    }
  });

  it('shardRange refuses item counts and shard counts that are not whole numbers in range, each check on its own', () => {
    // Each case fails exactly one check, with the other arguments valid: a check that let its
    // argument through would answer with a range instead of refusing.
    const refused: [number, number, number][] = [
      [-1, 0, 1], [-4, 0, 2], [2.5, 0, 1], [Number.NaN, 0, 1], [Number.POSITIVE_INFINITY, 0, 2],
      [10, 0, 1.5], [10, 1, 2.5], [10, 0, Number.NaN], [10, 0, 0.5], [10, 0, Number.POSITIVE_INFINITY],
      [10, -1, 2], [10, 2, 2], [10, 0.5, 2], [10, Number.NaN, 2],
    ];
    for (const [total, index, count] of refused) {
      expect(() => shardRange(total, index, count), `${total}, ${index}, ${count}`).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    }
    expect(shardRange(0, 0, 1)).toEqual({ start: 0, end: 0 });
    expect(shardRange(10, 2, 3)).toEqual({ start: 6, end: 10 });
    expect(shardRange(3, 4, 5)).toEqual({ start: 2, end: 3 });
  });
});

describe('readDicomHeader', () => {
  it('reads identification and references of each example kind, from the whole file or a long enough prefix', () => {
    const dose = exampleBytes('rtdose_substitute.dcm');
    const header = readDicomHeader(dose, 'rtdose.dcm');
    expect(header).toMatchObject({
      sopClass: 'rtdose',
      sopInstanceUid: '2.25.90211354872093718851204566339201712001',
      patientId: '123456',
      studyInstanceUid: '2.16.840.1.113662.2.12.0.3057.1241703565.35',
      frameOfReferenceUid: '2.16.840.1.113662.2.12.0.3057.1241703565.36',
      referencedRtPlanUid: '1.2.246.352.71.5.320687012.24189.20090603083342',
      referencedStructureSetUid: '1.2.246.352.71.4.320687012.3190.20090511122144',
    });
    // The DVH Sequence makes the header longer than 64 KiB: that prefix is not enough, 1 MiB is.
    expect(readDicomHeader(dose.subarray(0, 65536), 'rtdose.dcm', { fileByteLength: dose.length })).toBeNull();
    expect(readDicomHeader(dose.subarray(0, 1 << 20), 'rtdose.dcm', { fileByteLength: dose.length })).toEqual(header);

    const rtss = exampleBytes('rtss.dcm');
    const ss = readDicomHeader(rtss.subarray(0, 65536), 'rtss.dcm', { fileByteLength: rtss.length });
    expect(ss).toMatchObject({ sopClass: 'rtss', sopInstanceUid: '1.2.246.352.71.4.320687012.3190.20090511122144', frameOfReferenceUid: '2.16.840.1.113662.2.12.0.3057.1241703565.36' });
    expect(readDicomHeader(exampleBytes('rtplan.dcm'))).toMatchObject({ sopClass: 'rtplan', referencedStructureSetUid: '1.2.246.352.71.4.320687012.3190.20090511122144', referencedRtPlanUid: '' });
    expect(readDicomHeader(exampleBytes('ct.0.dcm'))).toMatchObject({ sopClass: 'ct', patientId: '123456' });
  });

  it('reads the same header in every transfer syntax dosekit reads, encapsulated pixels and a bare dataset included', () => {
    const references = (dataset: Record<string, unknown>) => {
      dataset.ReferencedRTPlanSequence = [{ ReferencedSOPClassUID: '1.2.840.10008.5.1.4.1.1.481.5', ReferencedSOPInstanceUID: '2.25.41' }];
      dataset.ReferencedStructureSetSequence = [{ ReferencedSOPClassUID: '1.2.840.10008.5.1.4.1.1.481.3', ReferencedSOPInstanceUID: '2.25.42' }];
    };
    const implicit = makeSyntheticDose({}, references);
    const expected = { ...readDicomHeader(implicit, 'dose.dcm')!, transferSyntaxUid: undefined };
    expect(expected).toMatchObject({ sopClass: 'rtdose', patientId: 'DOSEKIT-TEST', referencedRtPlanUid: '2.25.41', referencedStructureSetUid: '2.25.42' });
    const variants: [string, Uint8Array][] = [
      ...[TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ExplicitVRBigEndian, TransferSyntax.DeflatedExplicitVRLittleEndian].map((syntax): [string, Uint8Array] => [syntax, rewriteWithTransferSyntax(implicit, syntax)]),
      [TransferSyntax.RLELossless, rewriteWithTransferSyntax(implicit, TransferSyntax.RLELossless)],
      [TransferSyntax.ImplicitVRLittleEndian, toBareDataset(implicit)],
    ];
    for (const [syntax, bytes] of variants) {
      expect({ ...readDicomHeader(bytes, 'dose.dcm')!, transferSyntaxUid: undefined }).toEqual(expected);
      expect(readDicomHeader(bytes, 'dose.dcm')!.transferSyntaxUid).toBe(syntax);
    }
    const bigEndian = variants[1][1];
    expect(() => readDicomHeader(bigEndian.subarray(0, bigEndian.length - 2), 'be.dcm')).toThrow(expect.objectContaining({ code: 'E_MALFORMED_DICOM', message: expect.stringContaining('within its PixelData') }));
  });

  it('a truncated file is E_MALFORMED_DICOM, whether cut in the header or in the pixel data; other bytes are E_NOT_DICOM', () => {
    const dose = exampleBytes('rtdose_substitute.dcm');
    expect(() => readDicomHeader(dose.subarray(0, 500_000), 'cut.dcm')).toThrow(expect.objectContaining({ code: 'E_MALFORMED_DICOM', message: expect.stringMatching(/^cut\.dcm: the file ends within its PixelData/) }));
    expect(() => readDicomHeader(dose.subarray(0, 40_000), 'cut.dcm')).toThrow(expect.objectContaining({ code: 'E_MALFORMED_DICOM' }));
    expect(() => readDicomHeader(exampleBytes('rtss.dcm').subarray(0, 3000), 'cut.dcm')).toThrow(expect.objectContaining({ code: 'E_MALFORMED_DICOM' }));
    expect(() => readDicomHeader(new TextEncoder().encode('just some notes\n'), 'notes.txt')).toThrow(expect.objectContaining({ code: 'E_NOT_DICOM' }));
  });
});

describe('indexCohort', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('walks sorted, skips hidden folders and non-DICOM files, survives a link loop, records unreadable files', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dosekit-index-'));
    dirs.push(root);
    const put = (path: string, bytes: Uint8Array | string) => {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), bytes);
    };
    const dose = makeSyntheticDose();
    put('b/rtdose.dcm', dose);
    put('a/rtss.dcm', writeDataset(syntheticStructureSetDataset()));
    put('a/readme.txt', 'not DICOM');
    put('a/empty.dcm', '');
    put('.git/rtdose.dcm', dose);
    put('c/cut.dcm', dose.subarray(0, dose.length - 100));
    symlinkSync('..', join(root, 'a', 'up'));

    const index = await indexCohort([root]);
    expect(index.objects.map((o) => [o.path.slice(root.length), o.kind])).toEqual([
      ['/a/rtss.dcm', 'rtss'],
      ['/b/rtdose.dcm', 'rtdose'],
    ]);
    expect(index).toMatchObject({ filesRead: 5, nonDicomSkipped: 2 });
    expect(index.problems).toEqual([{ path: join(root, 'c/cut.dcm'), code: 'E_MALFORMED_DICOM', message: expect.stringContaining('truncated') }]);
    expect(pairCohort(index)).toEqual([expect.objectContaining({ pairing: 'frame-of-reference', rtss: index.objects[0] })]);
    // A folder given twice (or reached twice) is read once.
    expect((await indexCohort([join(root, 'b'), root])).objects.map((o) => o.path)).toEqual([join(root, 'b', 'rtdose.dcm'), join(root, 'a', 'rtss.dcm')]);
    await expect(indexCohort([join(root, 'nowhere')])).rejects.toMatchObject({ code: 'E_FILE_NOT_FOUND' });
  });
});
