// SPDX-License-Identifier: BSD-3-Clause
// Every value dicompyler-core's DicomParser returns on the example set, reproduced.
// Deliberate differences (camelCase keys, fixed structure volume) are asserted explicitly.
import { describe, expect, it } from 'vitest';
import { exampleParser, goldenFixture } from '../helpers/examples.js';

const ref = goldenFixture('dcc-dicomparser.json').dicomparser;
const FILES: Record<string, string> = { rtss: 'rtss.dcm', rtdose: 'rtdose_substitute.dcm', rtplan: 'rtplan.dcm', ct: 'ct.0.dcm' };

describe('common getters (per file)', () => {
  for (const [kind, file] of Object.entries(FILES)) {
    it(`${kind}: identification, demographics, study, series, references`, () => {
      const p = exampleParser(file);
      const r = ref.common[kind];
      expect(p.getSOPClassUID()).toBe(r.GetSOPClassUID);
      expect(p.getSOPInstanceUID()).toBe(r.GetSOPInstanceUID);
      const d = p.getDemographics();
      expect({ name: d.name, id: d.id, birth_date: d.birthDate, gender: d.gender, given_name: d.givenName, middle_name: d.middleName, family_name: d.familyName }).toEqual(r.GetDemographics);
      expect(p.getStudyInfo()).toEqual(r.GetStudyInfo);
      const s = p.getSeriesInfo();
      const { referenceFrame, ...rest } = s;
      if (/^\d{1,6}$/.test(r.GetSeriesInfo.referenceframe)) {
        // dicompyler-core made up a random integer (no FrameOfReferenceUID in the file); dosekit
        // reports the referenced frame of reference instead (documented difference).
        expect({ ...rest, referenceframe: r.GetSeriesInfo.referenceframe }).toEqual(r.GetSeriesInfo);
        expect(referenceFrame).toBe(r.GetFrameOfReferenceUID);
      } else expect({ ...rest, referenceframe: referenceFrame }).toEqual(r.GetSeriesInfo);
      expect(p.getFrameOfReferenceUID()).toBe(r.GetFrameOfReferenceUID);
      expect(p.getReferencedSeries()).toBe(r.GetReferencedSeries);
      expect(p.getReferencedStructureSet()).toBe(r.GetReferencedStructureSet);
      expect(p.getReferencedRTPlan()).toBe(r.GetReferencedRTPlan);
    });
  }
});

describe('RT Structure Set', () => {
  const p = exampleParser('rtss.dcm');

  it('GetStructureInfo and GetStructures', () => {
    const info = p.getStructureInfo();
    expect({ label: info.label, date: info.date, time: info.time, numcontours: info.numContours }).toEqual(ref.GetStructureInfo);
    const structures = p.getStructures();
    expect(Object.keys(structures)).toEqual(Object.keys(ref.GetStructures));
    for (const [id, s] of Object.entries(ref.GetStructures)) expect({ ...structures[Number(id)], color: [...structures[Number(id)].color] }).toEqual(s);
  });

  for (const [id, r] of Object.entries<any>(ref.per_roi)) {
    it(`ROI ${id} ${r.name}: planes, contours, points, keys, thickness, volume`, () => {
      const coords = p.getStructureCoordinates(Number(id));
      const keys = Object.keys(coords);
      expect(keys.length).toBe(r.num_planes);
      const contours = Object.values(coords).flat();
      expect(contours.length).toBe(r.num_contours);
      expect(contours.reduce((n, c) => n + c.numPoints, 0)).toBe(r.num_points);
      expect(keys.slice(0, 5)).toEqual(r.plane_keys_in_file_order_first5);
      expect([...keys].sort().slice(0, 5)).toEqual(r.plane_keys_sorted_as_strings_first5);
      // Plane thickness is exact (same float subtraction of the same rounded keys).
      expect(p.calculatePlaneThickness(coords)).toBe(r.CalculatePlaneThickness);
      // dicompyler-core's volume arithmetic (string-sorted end planes, floor-halved) is reproduced in compat mode...
      expect(p.calculateStructureVolume(Number(id), undefined, { compat: 'dicompyler' })).toBeCloseTo(r.CalculateStructureVolume_cm3, 9);
      // ...and fixed by default: end planes are the lowest and highest z, halved exactly. Same
      // interior sum, so the fixed volume can only differ by the end-plane contributions.
      const fixed = p.calculateStructureVolume(Number(id));
      if (r.num_planes > 0) {
        const planes = p.getStructurePlanes(Number(id));
        expect(planes.map((pl) => pl.zMm)).toEqual([...planes.map((pl) => pl.zMm)].sort((a, b) => a - b));
        expect(fixed).toBeGreaterThan(0);
      } else expect(fixed).toBe(0);
    });
  }

  it('the fixed structure volume of a hand-computable ROI (Borders: two planes, both end planes)', () => {
    // Two planes, each an end plane: V = (A1/2 + A2/2) x 3 mm, with A from the shoelace formula.
    const planes = p.getStructurePlanes(3);
    const shoelace = (pts: Float64Array) => {
      let s = 0;
      const n = pts.length / 3;
      for (let i = 0; i < n; i += 1) {
        const j = (i + 1) % n;
        s += pts[i * 3] * pts[j * 3 + 1] - pts[j * 3] * pts[i * 3 + 1];
      }
      return Math.abs(s) / 2;
    };
    const expected = planes.reduce((v, pl) => v + (shoelace(pl.contours[0].pointsMm) / 2) * 3, 0) / 1000;
    expect(p.calculateStructureVolume(3)).toBeCloseTo(expected, 12);
    expect(p.calculateStructureVolume(3, undefined, { compat: 'dicompyler' })).toBe(ref.per_roi['3'].CalculateStructureVolume_cm3);
  });

  it('GetStructureCoordinates of the heart', () => {
    const r = ref.GetStructureCoordinates_roi5;
    const coords = p.getStructureCoordinates(5);
    expect(Object.keys(coords).length).toBe(r.num_planes);
    expect(Object.keys(coords).sort((a, b) => Number(a) - Number(b))).toEqual(r.keys_numeric_order);
    const first = coords[r.first_plane_key];
    expect(first.length).toBe(r.first_plane_num_contours);
    expect(first[0].type).toBe(r.first_plane_contour0_type);
    expect(first[0].numPoints).toBe(r.first_plane_contour0_num_points);
    expect(first[0].data.slice(0, 3)).toEqual(r.first_plane_contour0_first3_points);
  });
});

describe('RT Dose', () => {
  const p = exampleParser('rtdose_substitute.dcm');

  it('GetDoseData (keys camelCased, LUT summarised)', () => {
    const r = ref.GetDoseData;
    const d = p.getDoseData();
    expect(d.position).toEqual(r.position);
    expect(d.orientation).toEqual(r.orientation);
    expect(d.pixelSpacing).toEqual(r.pixelspacing);
    expect(d.rows).toBe(r.rows);
    expect(d.columns).toBe(r.columns);
    expect(d.samplesPerPixel).toBe(r.samplesperpixel);
    expect(d.photometricInterpretation).toBe(r.photometricinterpretation);
    expect(d.littleEndian).toBe(r.littlendian);
    expect(d.frames).toBe(r.frames);
    expect(d.doseUnits).toBe(r.doseunits);
    expect(d.doseType).toBe(r.dosetype);
    expect(d.doseComment).toBe(r.dosecomment);
    expect(d.doseSummationType).toBe(r.dosesummationtype);
    expect(d.doseGridScaling).toBe(r.dosegridscaling);
    expect(d.doseMax).toBe(r.dosemax);
    expect(d.xLutIndex).toBe(r.x_lut_index);
    expect(d.fraction).toBe(r.fraction);
    const lut = r.lut_summary;
    expect(d.lut.columnLutMm.length).toBe(lut.col_lut_len);
    expect(d.lut.columnLutMm[0]).toBe(lut.col_lut_first);
    expect(d.lut.columnLutMm.at(-1)).toBe(lut.col_lut_last);
    expect(d.lut.rowLutMm.length).toBe(lut.row_lut_len);
    expect(d.lut.rowLutMm[0]).toBe(lut.row_lut_first);
    expect(d.lut.rowLutMm.at(-1)).toBe(lut.row_lut_last);
    // Every dicompyler-core key has a camelCase counterpart.
    const camel: Record<string, string> = { pixelspacing: 'pixelSpacing', samplesperpixel: 'samplesPerPixel', photometricinterpretation: 'photometricInterpretation', littlendian: 'littleEndian', doseunits: 'doseUnits', dosetype: 'doseType', dosecomment: 'doseComment', dosesummationtype: 'doseSummationType', dosegridscaling: 'doseGridScaling', dosemax: 'doseMax', x_lut_index: 'xLutIndex' };
    for (const key of ref.GetDoseData_keys as string[]) if (key !== 'lut_summary') expect(d).toHaveProperty(camel[key] ?? key);
  });

  it('HasDVHs, referenced beam, head-first', () => {
    expect(p.hasDVHs()).toBe(ref.rtdose_HasDVHs);
    expect(p.getReferencedBeamNumber()).toBe(ref.rtdose_GetReferencedBeamNumber);
    expect(p.toDoseGrid().geometry.headFirst).toBe(ref.rtdose_is_head_first);
  });

  for (const [z, r] of Object.entries<any>(ref.GetDoseGrid_raw_pixels)) {
    it(`GetDoseGrid(${z}) raw plane statistics`, () => {
      const plane = p.getDoseGrid(Number(z));
      if (r.shape.length === 1 && r.shape[0] === 0) {
        expect(plane).toBeNull();
        return;
      }
      expect(plane).not.toBeNull();
      const { rows, columns, data } = plane!;
      expect([rows, columns]).toEqual(r.shape);
      let max = -Infinity;
      let min = Infinity;
      let sum = 0;
      let sumSq = 0;
      let nonzero = 0;
      let argmax = 0;
      data.forEach((v, i) => {
        if (v > max) {
          max = v;
          argmax = i;
        }
        if (v < min) min = v;
        sum += v;
        sumSq += v * v;
        if (v !== 0) nonzero += 1;
      });
      // max/min/argmax/nonzero are exact; sums differ from numpy only by summation order.
      expect(max).toBe(r.max);
      expect(min).toBe(r.min);
      expect(nonzero).toBe(r.nonzero);
      expect([Math.floor(argmax / columns), argmax % columns]).toEqual(r.argmax_index);
      expect(sum).toBeCloseTo(r.sum, 12 - Math.ceil(Math.log10(Math.abs(r.sum) + 1)));
      expect(Math.abs(sumSq - r.sum_sq) / r.sum_sq).toBeLessThan(1e-13);
      expect(Math.abs(sum / data.length - r.mean) / r.mean).toBeLessThan(1e-13);
    });
  }

  it('GetIsodosePoints', () => {
    expect(p.getIsodosePoints(0, 100).slice(0, 5)).toEqual(ref.GetIsodosePoints_z0_level100_first5);
    expect(p.getIsodosePoints(-8.44, 500000).length).toBe(ref['GetIsodosePoints_z-8.44_level500000_count']);
  });
});

describe('RT Plan', () => {
  const p = exampleParser('rtplan.dcm');
  it('GetPlan and GetReferencedBeamsInFraction', () => {
    expect(p.getPlan()).toEqual({ ...ref.GetPlan, rxDose: ref.GetPlan.rxdose, rxdose: undefined });
    expect(p.getReferencedBeamsInFraction(0)).toEqual(Object.fromEntries(Object.entries(ref.GetReferencedBeamsInFraction)));
    expect(p.toPlan().rxDoseGy).toBe(14);
  });
});

describe('CT image', () => {
  const p = exampleParser('ct.0.dcm');
  const r = ref.ct;
  it('GetImageData and image getters', () => {
    const d = p.getImageData();
    expect(d.position).toEqual(r.GetImageData.position);
    expect(d.orientation).toEqual(r.GetImageData.orientation);
    expect(d.pixelSpacing).toEqual(r.GetImageData.pixelspacing);
    expect([d.rows, d.columns, d.samplesPerPixel, d.photometricInterpretation, d.littleEndian, d.patientPosition, d.frames]).toEqual([
      r.GetImageData.rows, r.GetImageData.columns, r.GetImageData.samplesperpixel, r.GetImageData.photometricinterpretation,
      r.GetImageData.littlendian, r.GetImageData.patientposition, r.GetImageData.frames,
    ]);
    expect(p.getImageLocation()).toBe(r.GetImageLocation);
    expect(p.getImageOrientationType()).toBe(r.GetImageOrientationType);
    expect(p.getRescaleInterceptSlope()).toEqual(r.GetRescaleInterceptSlope);
    expect(p.getDefaultImageWindowLevel()).toEqual(r.GetDefaultImageWindowLevel);
    expect(p.getNumberOfFrames()).toBe(r.GetNumberOfFrames);
    const lut = p.getPatientToPixelLUT();
    const s = r.GetPatientToPixelLUT_summary;
    expect([lut.columnLutMm[0], lut.columnLutMm.at(-1), lut.rowLutMm[0], lut.rowLutMm.at(-1)]).toEqual([s.col_first, s.col_last, s.row_first, s.row_last]);
    expect([lut.columnLutMm.length, lut.rowLutMm.length]).toEqual(s.len);
  });
});
