// SPDX-License-Identifier: BSD-3-Clause
import { describe, expect, it } from 'vitest';
import { DVH } from '../../src/dvh/index.js';
import type { DicomDvhRecord } from '../../src/model/dicom-dvh.js';

function errorOf(fn: () => unknown): { code?: string; message: string } {
  try {
    fn();
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected an error, none was thrown');
}

function record(roi: number, overrides: Partial<DicomDvhRecord> = {}): DicomDvhRecord {
  return {
    referencedRoiNumber: roi,
    type: 'CUMULATIVE',
    doseUnits: 'GY',
    doseType: 'PHYSICAL',
    doseScaling: 1,
    volumeUnits: 'CM3',
    numberOfBins: 3,
    data: Float64Array.from([0.5, 10, 0.5, 6, 1, 1]),
    ...overrides,
  };
}

describe('DVH.fromData', () => {
  it('builds a differential histogram of the samples', () => {
    const dvh = DVH.fromData([0.5, 1.5, 1.5, 2.99, 0], 1, { name: 'phantom' });
    expect(dvh.type).toBe('differential');
    expect(Array.from(dvh.bins)).toEqual([0, 1, 2, 3]);
    expect(Array.from(dvh.counts)).toEqual([2, 2, 1]);
    expect(dvh.name).toBe('phantom');
    expect(dvh.volume).toBe(5);
  });

  it('puts a sample on an edge into the bin above it, the maximum into the last bin', () => {
    expect(Array.from(DVH.fromData([0, 2], 1).counts)).toEqual([1, 0, 1]);
    const tenths = DVH.fromData([0.3, 0.1, 0.2], 0.1);
    expect(tenths.numBins).toBe(3);
    expect(Array.from(tenths.counts)).toEqual([0, 1, 2]);
    const edges = tenths.bins;
    expect(edges[2]).toBeLessThanOrEqual(0.3);
    expect(edges[3]).toBeGreaterThan(0.3);
  });

  it('scales counts by the voxel volume and keeps dose units', () => {
    const dvh = DVH.fromData([10, 30, 30], 20, { voxelVolumeCm3: 0.5, doseUnits: 'cGy' });
    expect(Array.from(dvh.counts)).toEqual([0.5, 1]);
    expect(dvh.doseUnits).toBe('cGy');
    expect(dvh.volumeUnits).toBe('cm3');
  });

  it('gives an empty DVH for no samples and rejects bad input', () => {
    const empty = DVH.fromData([], 0.01);
    expect(Array.from(empty.counts)).toEqual([0]);
    expect(empty.volume).toBe(0);
    expect(errorOf(() => DVH.fromData([1, -1], 1)).code).toBe('E_INVALID_ARGUMENT');
    expect(errorOf(() => DVH.fromData([1, NaN], 1)).code).toBe('E_INVALID_ARGUMENT');
    expect(errorOf(() => DVH.fromData([1], 0)).code).toBe('E_INVALID_ARGUMENT');
    expect(errorOf(() => DVH.fromData([1], 1, { voxelVolumeCm3: -1 })).code).toBe('E_INVALID_ARGUMENT');
  });
});

describe('DVH.fromDicomDvh', () => {
  it('bins = 0 then the running sum of widths x DVHDoseScaling; counts = the volumes', () => {
    const dvh = DVH.fromDicomDvh([record(4, { doseScaling: 2 })], 4, { name: 'Breast', rxDose: 14, color: [1, 2, 3] });
    expect(Array.from(dvh.bins)).toEqual([0, 1, 2, 4]);
    expect(Array.from(dvh.counts)).toEqual([10, 6, 1]);
    expect([dvh.type, dvh.doseUnits, dvh.volumeUnits, dvh.name, dvh.rxDose]).toEqual(['cumulative', 'Gy', 'cm3', 'Breast', 14]);
    expect(dvh.color).toEqual([1, 2, 3]);
  });

  it('maps DICOM units and types, PERCENT included', () => {
    const dvh = DVH.fromDicomDvh([record(1, { type: 'DIFFERENTIAL', doseUnits: 'CGY', volumeUnits: 'PERCENT' })], 1);
    expect([dvh.type, dvh.doseUnits, dvh.volumeUnits]).toEqual(['differential', 'cGy', '%']);
    expect(DVH.fromDicomDvh([record(1, { doseUnits: 'RELATIVE' })], 1).doseUnits).toBe('%');
  });

  it('accepts anything with getDVHs() and takes the first matching item', () => {
    const parser = { getDVHs: () => [record(3), record(5), record(5, { data: Float64Array.from([1, 7]) })] };
    expect(Array.from(DVH.fromDicomDvh(parser, 5).counts)).toEqual([10, 6, 1]);
  });

  it('a missing ROI is E_NO_DVH naming it and listing the ROIs present', () => {
    const error = errorOf(() => DVH.fromDicomDvh([record(3), record(4), record(4)], 7));
    expect(error.code).toBe('E_NO_DVH');
    expect(error.message).toContain('ROI 7');
    expect(error.message).toContain('3, 4');
    expect(errorOf(() => DVH.fromDicomDvh([], 1)).message).toContain('(none)');
  });

  it('rejects what it cannot interpret with E_INVALID_DVH', () => {
    for (const [overrides, fragment] of [
      [{ type: 'NATURAL' }, 'NATURAL'],
      [{ volumeUnits: 'PER_U' }, 'PER_U'],
      [{ doseUnits: 'SV' }, 'SV'],
      [{ data: Float64Array.from([1, 2, 3]) }, 'pairs'],
      [{ data: Float64Array.from([1, 2, 0, 1]) }, 'strictly increasing'],
    ] as [Partial<DicomDvhRecord>, string][]) {
      const error = errorOf(() => DVH.fromDicomDvh([record(2, overrides)], 2));
      expect(error.code).toBe('E_INVALID_DVH');
      expect(error.message).toContain(fragment);
    }
  });
});
