// SPDX-License-Identifier: BSD-3-Clause
// src/dicom/write.ts: RT Structure Set and RT Dose files written from the models read back to
// the same models, through dosekit's reader and through plain dcmjs.
import { describe, expect, it } from 'vitest';
import { DicomParser } from '../../src/dicom/parser.js';
import { formatDecimalString, isExactDecimalString, newDicomUid, writeDoseGridBytes, writeStructureSetBytes } from '../../src/dicom/write.js';
import { DosekitError } from '../../src/errors.js';
import { DoseGrid } from '../../src/model/dose-grid.js';
import { dicompylerPlaneKey, roundHalfEven2 } from '../../src/model/plane-key.js';
import type { Roi, StructureSet } from '../../src/model/structure-set.js';
import { findBytes, naturalize, tagBytesLE, TransferSyntax, transferSyntaxOf } from '../helpers/dicom-writer.js';
import { ALL_ORIENTATIONS, makeDoseGrid, makeStructureSet } from '../helpers/synthetic.js';

const FRAME = '2.25.99887766554433221100';
const UID = /^(0|[1-9]\d*)(\.(0|[1-9]\d*))+$/;

function contour(points: number[][]) {
  const pointsMm = Float64Array.from(points.flat());
  return Object.freeze({ geometricType: 'CLOSED_PLANAR', pointsMm, pointCount: points.length });
}

function plane(z: number, ...rings: number[][][]) {
  return Object.freeze({ zMm: roundHalfEven2(z), key: dicompylerPlaneKey(z), contours: rings.map((ring) => contour(ring.map(([x, y]) => [x, y, z]))) });
}

/** Three ROIs: one with a file colour and two contours on a plane, one with a palette colour, one without contours. */
function sampleStructureSet(): StructureSet {
  const ptv: Roi = {
    number: 4,
    name: 'PTV',
    interpretedType: 'PTV',
    color: [255, 0, 0],
    colorFromFile: true,
    frameOfReferenceUid: FRAME,
    generationAlgorithm: 'MANUAL',
    planes: [
      plane(-2.5, [[0, 0], [10.25, 0], [10.25, -7.125], [0, -7.125]]),
      plane(0, [[0, 0], [10, 0], [5, 8.660254]], [[20, 20], [30, 20], [25, 28.660254]]),
      plane(2.5, [[-1e-6, 123.456789], [-250.5, 99.9], [-100, -0.001]]),
    ],
    empty: false,
  };
  const body = makeStructureSet([{ number: 1, name: 'BODY', planes: [{ zMm: 0, rings: [[[-50, -50], [50, -50], [50, 50], [-50, 50]]] }] }], {
    frameOfReferenceUid: FRAME,
  }).rois[0];
  const empty: Roi = { number: 7, name: 'EMPTY', color: [0, 0, 255], colorFromFile: true, frameOfReferenceUid: FRAME, planes: [], empty: true };
  return { sopInstanceUid: newDicomUid(), label: 'PLAN1', name: 'Plan one', date: '20240102', time: '101500', frameOfReferenceUid: FRAME, rois: [ptv, body, empty], source: 'model' };
}

function roiView(roi: Roi) {
  return {
    number: roi.number,
    name: roi.name,
    interpretedType: roi.interpretedType,
    color: [...roi.color],
    colorFromFile: roi.colorFromFile,
    frameOfReferenceUid: roi.frameOfReferenceUid,
    generationAlgorithm: roi.generationAlgorithm,
    empty: roi.empty,
    planes: roi.planes.map((p) => ({ zMm: p.zMm, key: p.key, contours: p.contours.map((c) => ({ type: c.geometricType, count: c.pointCount, points: [...c.pointsMm] })) })),
  };
}

function sampleDose(): DoseGrid {
  return makeDoseGrid({
    rows: 3,
    columns: 4,
    frames: 5,
    originMm: [-12.5, 30.25, -7],
    pixelSpacingMm: [2.5, 2],
    frameOffsetsMm: [0, 3, 6, 9, 12],
    orientation: 'HFS',
    scaling: 2.5e-5,
    dose: (x, y, z) => 1 + 0.01 * (x * x + y * y + z * z),
    frameOfReferenceUid: FRAME,
  });
}

function withInfo(grid: DoseGrid, info: Partial<DoseGrid['info']>): DoseGrid {
  return new DoseGrid(grid.geometry, grid.pixels, grid.doseGridScaling, { ...grid.info, ...info });
}

/** The text of a short explicit VR little-endian element (tag, 2-character VR, 16-bit length). */
function explicitElementText(bytes: Uint8Array, group: number, element: number): string {
  const [at] = findBytes(bytes, tagBytesLE(group, element), 1);
  expect(at).toBeDefined();
  const length = bytes[at + 6] | (bytes[at + 7] << 8);
  return String.fromCharCode(...bytes.subarray(at + 8, at + 8 + length));
}

describe('formatDecimalString', () => {
  it('writes the shortest exact text when it fits 16 characters', () => {
    expect(formatDecimalString(1e-6)).toBe('0.000001');
    expect(formatDecimalString(1e-7)).toBe('1e-7');
    expect(formatDecimalString(-12.5)).toBe('-12.5');
    expect(formatDecimalString(0)).toBe('0');
    expect(formatDecimalString(-0)).toBe('0');
    expect(formatDecimalString(123456789012345)).toBe('123456789012345');
    expect(isExactDecimalString(2.5e-5)).toBe(true);
    expect(isExactDecimalString(0.1 + 0.2)).toBe(false);
  });

  it('fits any finite number in 16 valid DS characters, nearest to the value', () => {
    let seed = 12345;
    const random = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    const values = [0.1 + 0.2, Math.PI * 1e13, -Math.PI * 1e-13, 1 / 3, -2 / 3, Number.MAX_VALUE, -Number.MIN_VALUE, 2 ** 53 + 2];
    for (let i = 0; i < 2000; i += 1) values.push((random() - 0.5) * 10 ** Math.floor(random() * 40 - 20));
    for (const value of values) {
      const text = formatDecimalString(value);
      expect(text.length).toBeLessThanOrEqual(16);
      expect(text).toMatch(/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/);
      const back = Number(text);
      // 16 characters keep at least 9 significant digits (sign, "d.", "e-308" cost 8).
      expect(Math.abs(back - value)).toBeLessThanOrEqual(Math.abs(value) * 5e-9 + Number.MIN_VALUE);
      if (String(value).length <= 16) expect(back).toBe(value);
    }
  });

  it('refuses NaN and infinities', () => {
    expect(() => formatDecimalString(Number.NaN)).toThrow(DosekitError);
    expect(() => formatDecimalString(Infinity)).toThrow(/finite/);
  });
});

describe('writeStructureSetBytes', () => {
  it('reads back through DicomParser to the same ROIs, planes and points', () => {
    const model = sampleStructureSet();
    const bytes = writeStructureSetBytes(model, { frameOfReferenceUid: FRAME, patientId: 'P1', patientName: 'Doe^Jane', seriesDescription: 'round trip' });
    const parser = DicomParser.fromBytes(bytes);
    expect(parser.getSOPClassUID()).toBe('rtss');
    const back = parser.toStructureSet();
    expect(back.sopInstanceUid).toBe(model.sopInstanceUid);
    expect([back.label, back.name, back.date, back.time, back.frameOfReferenceUid]).toEqual([model.label, model.name, model.date, model.time, FRAME]);
    expect(back.rois.map(roiView)).toEqual(model.rois.map(roiView));
    expect(parser.getDemographics()).toMatchObject({ id: 'P1', name: 'Doe^Jane' });
    expect(parser.getSeriesInfo()).toMatchObject({ description: 'round trip', modality: 'RTSTRUCT', referenceFrame: FRAME });
  });

  it('writes explicit VR little endian, and implicit VR when a contour is too long for a 16-bit length', () => {
    const model = sampleStructureSet();
    expect(transferSyntaxOf(writeStructureSetBytes(model, { frameOfReferenceUid: FRAME }))).toBe(TransferSyntax.ExplicitVRLittleEndian);
    // 8000 points x 3 values of 11 characters: about 264 kB of ContourData.
    const ring = Array.from({ length: 8000 }, (_, k) => {
      const angle = (2 * Math.PI * k) / 8000;
      return [Number((100 + 50.123456 * Math.cos(angle)).toFixed(6)), Number((-100 + 50.123456 * Math.sin(angle)).toFixed(6))];
    });
    const big: StructureSet = { ...model, rois: [{ ...model.rois[0], planes: [plane(1.25, ring)] }] };
    const bytes = writeStructureSetBytes(big, { frameOfReferenceUid: FRAME });
    expect(transferSyntaxOf(bytes)).toBe(TransferSyntax.ImplicitVRLittleEndian);
    expect(DicomParser.fromBytes(bytes).toStructureSet().rois.map(roiView)).toEqual(big.rois.map(roiView));
  });

  it('references the image series when the model does, and gives ROIs without one the frame of reference of the options', () => {
    const model = makeStructureSet([{ number: 2, name: 'A', planes: [{ zMm: 1, rings: [[[0, 0], [1, 0], [0, 1]]] }] }]);
    const series = newDicomUid();
    const back = DicomParser.fromBytes(writeStructureSetBytes({ ...model, referencedSeriesUid: series }, { frameOfReferenceUid: FRAME })).toStructureSet();
    expect(back.referencedSeriesUid).toBe(series);
    expect(back.rois[0].frameOfReferenceUid).toBe(FRAME);
    expect(back.rois[0].colorFromFile).toBe(false);
  });

  it('declares UTF-8 (ISO_IR 192) only when some text is not ASCII', () => {
    const model = sampleStructureSet();
    expect(naturalize(writeStructureSetBytes(model, { frameOfReferenceUid: FRAME })).dataset.SpecificCharacterSet).toBeUndefined();
    const bytes = writeStructureSetBytes({ ...model, label: 'Lèvre' }, { frameOfReferenceUid: FRAME, patientName: 'Müller^Jürgen' });
    expect(naturalize(bytes).dataset.SpecificCharacterSet).toBe('ISO_IR 192');
    const parser = DicomParser.fromBytes(bytes);
    expect(parser.toStructureSet().label).toBe('Lèvre');
    expect(parser.getDemographics().name).toBe('Müller^Jürgen');
  });
});

describe('writeDoseGridBytes', () => {
  it('reads back through DicomParser to the same geometry, pixels, scaling and identification', () => {
    const structureSetUid = newDicomUid();
    const grid = withInfo(sampleDose(), { sopInstanceUid: newDicomUid(), seriesInstanceUid: newDicomUid(), doseType: 'EFFECTIVE', summationType: 'FRACTION', comment: 'by hand' });
    const study = newDicomUid();
    const bytes = writeDoseGridBytes(grid, { frameOfReferenceUid: FRAME, studyInstanceUid: study, referencedStructureSetUid: structureSetUid });
    const back = DicomParser.fromBytes(bytes).toDoseGrid();
    expect(back.geometry).toEqual(grid.geometry);
    expect(back.pixels).toBeInstanceOf(Uint32Array);
    expect([...back.pixels]).toEqual([...grid.pixels]);
    expect(back.doseGridScaling).toBe(2.5e-5);
    expect(back.info).toMatchObject({
      sopInstanceUid: grid.info.sopInstanceUid,
      seriesInstanceUid: grid.info.seriesInstanceUid,
      studyInstanceUid: study,
      frameOfReferenceUid: FRAME,
      doseUnits: 'GY',
      doseType: 'EFFECTIVE',
      summationType: 'FRACTION',
      comment: 'by hand',
      referencedStructureSetUid: structureSetUid,
    });
  });

  it('round-trips the geometry of all eight patient orientations', () => {
    for (const orientation of ALL_ORIENTATIONS) {
      const grid = makeDoseGrid({
        rows: 2,
        columns: 3,
        frames: 3,
        originMm: [7.5, -3.25, 101],
        pixelSpacingMm: [1.5, 2.5],
        frameOffsetsMm: [0, 2, 4],
        orientation,
        scaling: 1e-6,
        dose: (x, y, z) => Math.abs(x) + Math.abs(y) + Math.abs(z),
      });
      const back = DicomParser.fromBytes(writeDoseGridBytes(grid, { frameOfReferenceUid: FRAME })).toDoseGrid();
      expect(back.geometry).toEqual(grid.geometry);
      expect([...back.pixels]).toEqual([...grid.pixels]);
    }
  });

  it('writes 16-bit stored values as 32-bit, and refuses values or scalings it cannot write exactly', () => {
    const grid = sampleDose();
    const sixteen = new DoseGrid(grid.geometry, Uint16Array.from(grid.pixels, (v) => v % 65536), 1e-3, grid.info);
    const back = DicomParser.fromBytes(writeDoseGridBytes(sixteen, { frameOfReferenceUid: FRAME })).toDoseGrid();
    expect([...back.pixels]).toEqual([...sixteen.pixels]);
    const fractional = new DoseGrid(grid.geometry, Float32Array.from(grid.pixels, (v) => v + 0.5), 1e-3, grid.info);
    expect(() => writeDoseGridBytes(fractional, { frameOfReferenceUid: FRAME })).toThrow(/unsigned 32-bit/);
    const third = new DoseGrid(grid.geometry, grid.pixels, 1 / 3, grid.info);
    expect(() => writeDoseGridBytes(third, { frameOfReferenceUid: FRAME })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
  });

  it('writes DoseGridScaling as a decimal string of at most 16 characters that reads back exactly', () => {
    for (const scaling of [1e-6, 2.5e-5, 0.001234, 1.5e-10]) {
      const grid = new DoseGrid(sampleDose().geometry, sampleDose().pixels, scaling, sampleDose().info);
      const bytes = writeDoseGridBytes(grid, { frameOfReferenceUid: FRAME });
      const text = explicitElementText(bytes, 0x3004, 0x000e).trim();
      expect(text.length).toBeLessThanOrEqual(16);
      expect(Number(text)).toBe(scaling);
      expect(DicomParser.fromBytes(bytes).toDoseGrid().doseGridScaling).toBe(scaling);
    }
    expect(explicitElementText(writeDoseGridBytes(sampleDose(), { frameOfReferenceUid: FRAME }), 0x3004, 0x000e).trim()).toBe('0.000025');
  });
});

describe('UIDs and file meta', () => {
  it('keeps the model SOPInstanceUID, makes new valid series UIDs, and mirrors SOP class and instance in the file meta', () => {
    const model = sampleStructureSet();
    const first = naturalize(writeStructureSetBytes(model, { frameOfReferenceUid: FRAME }));
    const second = naturalize(writeStructureSetBytes(model, { frameOfReferenceUid: FRAME }));
    const dose = naturalize(writeDoseGridBytes(withInfo(sampleDose(), { sopInstanceUid: '' }), { frameOfReferenceUid: FRAME }));
    expect(first.dataset.SOPInstanceUID).toBe(model.sopInstanceUid);
    expect(first.dataset.SOPClassUID).toBe('1.2.840.10008.5.1.4.1.1.481.3');
    expect(dose.dataset.SOPClassUID).toBe('1.2.840.10008.5.1.4.1.1.481.2');
    expect(dose.dataset.Modality).toBe('RTDOSE');
    for (const { meta, dataset } of [first, second, dose]) {
      expect(meta.MediaStorageSOPClassUID).toBe(dataset.SOPClassUID);
      expect(meta.MediaStorageSOPInstanceUID).toBe(dataset.SOPInstanceUID);
      expect(meta.TransferSyntaxUID).toBe(TransferSyntax.ExplicitVRLittleEndian);
      for (const key of ['SOPInstanceUID', 'SeriesInstanceUID', 'StudyInstanceUID']) {
        const uid = String(dataset[key]);
        expect(uid).toMatch(UID);
        expect(uid.length).toBeLessThanOrEqual(64);
      }
    }
    expect(first.dataset.SeriesInstanceUID).not.toBe(second.dataset.SeriesInstanceUID);
    // A grid without a SOPInstanceUID gets a fresh one.
    expect(String(dose.dataset.SOPInstanceUID)).toMatch(UID);
  });
});

describe('dcmjs and DicomParser read the written files identically', () => {
  it('RT Structure Set: ContourData and ROI attributes', () => {
    const model = sampleStructureSet();
    const bytes = writeStructureSetBytes(model, { frameOfReferenceUid: FRAME });
    const { dataset } = naturalize(bytes);
    const ours = DicomParser.fromBytes(bytes).toStructureSet();
    const sequences = dataset.ROIContourSequence as { ReferencedROINumber: number; ContourSequence?: { ContourData: number[]; NumberOfContourPoints: number }[] }[];
    for (const roi of ours.rois) {
      const item = sequences.find((s) => s.ReferencedROINumber === roi.number)!;
      const theirs = (item.ContourSequence ?? []).map((c) => c.ContourData.map(Number));
      expect(roi.planes.flatMap((p) => p.contours.map((c) => [...c.pointsMm]))).toEqual(theirs);
      expect((item.ContourSequence ?? []).map((c) => Number(c.NumberOfContourPoints))).toEqual(roi.planes.flatMap((p) => p.contours.map((c) => c.pointCount)));
    }
    const names = (dataset.StructureSetROISequence as { ROIName: string }[]).map((s) => s.ROIName);
    expect(names).toEqual(ours.rois.map((r) => r.name));
  });

  it('RT Dose: pixel values, geometry and scaling', () => {
    const grid = sampleDose();
    const bytes = writeDoseGridBytes(grid, { frameOfReferenceUid: FRAME });
    const { dataset } = naturalize(bytes);
    const ours = DicomParser.fromBytes(bytes).toDoseGrid();
    const pixelData = dataset.PixelData as ArrayBuffer[] | ArrayBuffer;
    const buffer = Array.isArray(pixelData) ? pixelData[0] : pixelData;
    expect([...new Uint32Array(buffer.slice(0))]).toEqual([...ours.pixels]);
    expect([dataset.Rows, dataset.Columns, Number(dataset.NumberOfFrames)]).toEqual([ours.geometry.rows, ours.geometry.columns, ours.geometry.frames]);
    expect((dataset.GridFrameOffsetVector as number[]).map(Number)).toEqual([...ours.geometry.frameOffsetsMm]);
    expect((dataset.ImagePositionPatient as number[]).map(Number)).toEqual([...ours.geometry.originMm]);
    expect((dataset.PixelSpacing as number[]).map(Number)).toEqual([...ours.geometry.pixelSpacingMm]);
    expect(Number(dataset.DoseGridScaling)).toBe(ours.doseGridScaling);
    expect([dataset.BitsAllocated, dataset.BitsStored, dataset.HighBit, dataset.PixelRepresentation, dataset.SamplesPerPixel]).toEqual([32, 32, 31, 0, 1]);
    expect([dataset.PhotometricInterpretation, dataset.DoseUnits, dataset.DoseType, dataset.DoseSummationType]).toEqual(['MONOCHROME2', 'GY', 'PHYSICAL', 'PLAN']);
    expect(Number(dataset.FrameIncrementPointer)).toBe(0x3004000c);
  });
});
