// SPDX-License-Identifier: BSD-3-Clause
// Numeric junk in a structure set: NaN or infinite contour coordinates make that ROI fail with
// E_MALFORMED_DICOM naming ContourData (no DVH that silently lacks a contour); the other ROIs of
// the same file are computed as usual. Dose-grid junk (zero or negative spacing, zero frames,
// GridFrameOffsetVector of the wrong length, DoseGridScaling 0) is covered in bad-input.test.ts.
import { describe, expect, it } from 'vitest';
import { DicomParser } from '../../src/dicom/parser.js';
import { calculateDvhs } from '../../src/dvh/calculate.js';
import { TransferSyntax, makeSyntheticDose, syntheticStructureSetDataset, writeDataset } from '../helpers/dicom-writer.js';

function structureSetWith(badValue: string | number): Uint8Array {
  const dataset = syntheticStructureSetDataset();
  const body = (dataset.ROIContourSequence as { ContourSequence: { ContourData: unknown[] }[] }[])[0];
  body.ContourSequence[2].ContourData[3] = badValue;
  return writeDataset(dataset, TransferSyntax.ExplicitVRLittleEndian);
}

describe('NaN and infinite contour coordinates', () => {
  it.each([
    ['NaN', 'NaN'],
    ['infinite', '1e999'],
    ['not a number', 'abc'],
  ])('a %s coordinate: that ROI fails with E_MALFORMED_DICOM naming ContourData, the others compute', async (_, value) => {
    const rtss = DicomParser.fromBytes(structureSetWith(value), 'bad-rtss.dcm');
    const dose = DicomParser.fromBytes(makeSyntheticDose(), 'dose.dcm');
    for (const algorithm of ['dicompyler', 'precise'] as const) {
      const result = await calculateDvhs(rtss, dose, { backend: 'cpu', algorithm, force: true });
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toMatchObject({ roi: 1, code: 'E_MALFORMED_DICOM' });
      expect(result.errors[0].message).toMatch(/bad-rtss\.dcm: ROI 1, contour 3: ContourData/);
      expect(result.dvhs.map((d) => d.roi)).toEqual([2]);
    }
  });
});
