// SPDX-License-Identifier: BSD-3-Clause
// Family 3, hostile geometry in an RT Structure Set, next to the base ROIs (which must keep the
// unmutated file's statistics): a vertex far away (9 000 mm: allowed and quick; 1e7..1e12 mm:
// E_MALFORMED_DICOM for that ROI), figure-8 and pentagram contours (even-odd area, both
// algorithms), repeated contours and OPEN_PLANAR / unknown ContourGeometricType (read as closed,
// with a warning), ROIs sharing an ROI Number (a warning, both reported), a missing
// StructureSetROISequence (E_MISSING_ATTRIBUTE), and random polygons.
import { DICOM_CODES, ROI_CODES, STATS, baselineDvh, compareDvhs, dvhOutput, jsonErrors, writeBase } from './common.mjs';
import { IMPLICIT_LE, baseRois, boxRing, circleRing, structBytes } from './dicom.mjs';
import { caseRng } from './prng.mjs';
import { hasWarning } from './runner.mjs';

export const FAMILY = 'geometry';
const PLANES = [-6, -3, 0, 3, 6];

const planesOf = (ring, zs = PLANES, extra = {}) => zs.map((z) => ({ z, rings: [ring], ...extra }));
const dvhArgs = (paths, algorithm = 'precise') => ['dvh', '--rtss', paths.rtss, '--rtdose', paths.dose, '--format', 'json', '--stats', STATS, '--algorithm', algorithm];

/** Signed shoelace area of a ring. */
function shoelace(ring) {
  let a = 0;
  for (let i = 0; i < ring.length; i += 1) {
    const [x0, y0] = ring[i];
    const [x1, y1] = ring[(i + 1) % ring.length];
    a += x0 * y1 - x1 * y0;
  }
  return a / 2;
}

const rotate = (ring, theta, cx, cy) => ring.map(([x, y]) => [cx + x * Math.cos(theta) - y * Math.sin(theta), cy + x * Math.sin(theta) + y * Math.cos(theta)]);

/** A bow-tie (figure 8) of half-width w, half-height h: two triangles of area w*h each; even-odd area 2wh. */
function bowTie(w, h) {
  return { ring: [[-w, -h], [w, h], [w, -h], [-w, h]], evenOddArea: 2 * w * h };
}

/** A pentagram {5/2} of circumradius R: the inner pentagon has winding number 2, so the even-odd area leaves it out. */
function pentagram(R) {
  const ring = [];
  for (let k = 0; k < 5; k += 1) {
    const a = Math.PI / 2 + (4 * Math.PI * k) / 5;
    ring.push([R * Math.cos(a), R * Math.sin(a)]);
  }
  const r = (R * Math.cos((2 * Math.PI) / 5)) / Math.cos(Math.PI / 5);
  const star = 5 * R * r * Math.sin(Math.PI / 5);
  const pentagon = 2.5 * r * r * Math.sin((2 * Math.PI) / 5);
  return { ring, evenOddArea: star - pentagon };
}

/** Checks that the base ROIs are unchanged and named extra ROIs have DVHs / errors as expected. */
function oracleFor(truth, { ok = [], fail = {}, warn = false, same = {} }) {
  return (result) => {
    const out = dvhOutput(result);
    if (!out) return ['stdout is not the JSON expected'];
    const failures = compareDvhs(out, truth, { names: truth.dvhs.map((d) => d.name).filter((n) => !(n in same)) });
    for (const [name, like] of Object.entries(same)) {
      const want = truth.dvhs.find((d) => d.name === like);
      failures.push(...compareDvhs({ dvhs: out.dvhs.filter((d) => d.name === name).map((d) => ({ ...d, name: like })) }, { dvhs: [want] }).map((f) => `${f} (ROI "${name}" must equal "${like}")`));
    }
    for (const name of ok) {
      const d = (out.dvhs ?? []).find((x) => x.name === name);
      if (!d) failures.push(`ROI "${name}" has no DVH`);
      else if (!(d.volumeCm3 > 0 && Number.isFinite(d.volumeCm3) && d.maxGy > 0)) failures.push(`ROI "${name}" has volume ${d.volumeCm3} cm3, max ${d.maxGy} Gy (expected a non-zero result)`);
    }
    for (const [name, codes] of Object.entries(fail)) {
      const e = jsonErrors(out).find((x) => x.name === name);
      if (!e) failures.push(`ROI "${name}" is not reported as an error (expected ${codes.join('/')})`);
      else if (!codes.includes(e.code)) failures.push(`ROI "${name}" failed with ${e.code}, expected ${codes.join('/')}`);
    }
    for (const e of jsonErrors(out)) if (!(e.name in fail)) failures.push(`ROI "${e.name}" failed (${e.code}: ${e.message})`);
    if (warn && !hasWarning(result)) failures.push('no warning');
    return failures;
  };
}

function roiCase(seed, id, describe, rois, want, { algorithm = 'precise', exits, timeMs } = {}) {
  return {
    id,
    family: FAMILY,
    seed,
    describe,
    setup: async (folders) => {
      const paths = writeBase(folders.input, { rtss: structBytes(rois).bytes });
      const truth = await baselineDvh(algorithm);
      const failing = Object.keys(want.fail ?? {}).length > 0;
      return {
        args: dvhArgs(paths, algorithm),
        expect: { codes: [...new Set(Object.values(want.fail ?? {}).flat())], exits: exits ?? (failing ? [2] : [0]), ...(timeMs ? { timeMs } : {}) },
        oracle: oracleFor(truth, want),
      };
    },
  };
}

/** A case whose ROI "Shape" must have the even-odd area of its ring, relative to a reference circle. */
function areaCase(seed, id, describe, ring, evenOddArea, algorithm, tol) {
  const refR = 10;
  const refArea = shoelace(circleRing(-1.25, -1.25, refR, 180));
  const rois = [
    { number: 1, name: 'Reference', planes: planesOf(circleRing(-1.25, -1.25, refR, 180)) },
    { number: 2, name: 'Shape', planes: planesOf(ring) },
  ];
  return {
    id,
    family: FAMILY,
    seed,
    describe: `${describe}; even-odd area ${evenOddArea.toFixed(2)} mm2, signed ${shoelace(ring).toFixed(2)} mm2`,
    setup: async (folders) => {
      const paths = writeBase(folders.input, { rtss: structBytes(rois).bytes });
      return {
        args: dvhArgs(paths, algorithm),
        expect: { codes: [], exits: [0] },
        oracle: (result) => {
          const out = dvhOutput(result);
          const ref = out?.dvhs?.find((d) => d.name === 'Reference');
          const shape = out?.dvhs?.find((d) => d.name === 'Shape');
          if (!ref || !shape) return ['no DVH for "Reference" or "Shape"'];
          const want = (evenOddArea / refArea) * ref.volumeCm3;
          const err = Math.abs(shape.volumeCm3 - want) / want;
          return err <= tol ? [] : [`"Shape" volume ${shape.volumeCm3} cm3, the even-odd area gives ${want.toFixed(4)} cm3 (error ${(err * 100).toFixed(1)} % > ${tol * 100} %)`];
        },
      };
    },
  };
}

const TOLERANCE = { precise: 0.05, dicompyler: 0.3 };

export function geometryCases(seed, count) {
  const cases = [];
  const base = baseRois();
  const farRoi = (value, axis) => {
    const ring = boxRing(-4, -4, 4, 4);
    ring[2] = axis === 'x' ? [value, 4] : [4, value];
    return { number: 4, name: 'Far', planes: planesOf(ring) };
  };
  // Far vertices.
  for (let k = 0; k < 3; k += 1) {
    const rng = caseRng(seed, `${FAMILY}-far`, k);
    const axis = rng.pick(['x', 'y']);
    const value = (rng.bool() ? 1 : -1) * rng.float(8000, 9000);
    // Allowed, and quick: the base inputs take about 0.5 s of CPU; 5 s leaves room for a slow machine.
    cases.push(roiCase(seed, `${FAMILY}/far-vertex-9000mm-${k}`, `vertex ${axis} = ${value.toFixed(1)} mm`, [...base, farRoi(value, axis)], { ok: ['Far'] }, { timeMs: 5000 }));
  }
  for (let k = 0; k < 4; k += 1) {
    const rng = caseRng(seed, `${FAMILY}-huge`, k);
    const axis = rng.pick(['x', 'y']);
    const value = (rng.bool() ? 1 : -1) * 10 ** rng.float(7, 12);
    cases.push(roiCase(seed, `${FAMILY}/far-vertex-huge-${k}`, `vertex ${axis} = ${value.toExponential(3)} mm`, [...base, farRoi(value, axis)], { fail: { Far: ['E_MALFORMED_DICOM'] } }, { timeMs: 5000 }));
  }
  // Figure-8s and pentagrams, both algorithms.
  for (let k = 0; k < 3; k += 1) {
    const rng = caseRng(seed, `${FAMILY}-fig8`, k);
    const star = k === 2;
    const shape = star ? pentagram(rng.float(10, 14)) : bowTie(rng.float(7, 11), rng.float(5, 9));
    const theta = rng.float(0, Math.PI);
    const ring = rotate(shape.ring, theta, -1.25 + rng.float(-0.5, 0.5), -1.25 + rng.float(-0.5, 0.5));
    for (const algorithm of ['precise', 'dicompyler']) {
      cases.push(areaCase(seed, `${FAMILY}/${star ? 'pentagram' : 'figure-8'}-${k}/${algorithm}`, `${star ? 'pentagram' : 'bow-tie'} rotated ${theta.toFixed(3)}`, ring, shape.evenOddArea, algorithm, TOLERANCE[algorithm]));
    }
  }
  // Repeated contours: ROI "Twin" is Box with some planes' contour repeated (as is, reversed or from another start point).
  for (let k = 0; k < 2; k += 1) {
    const rng = caseRng(seed, `${FAMILY}-dup`, k);
    const box = base[0];
    const planes = box.planes.map((p) => {
      if (!rng.bool(0.6)) return p;
      const ring = p.rings[0];
      const variant = rng.pick(['same', 'reversed', 'rotated']);
      const again = variant === 'same' ? ring : variant === 'reversed' ? [...ring].reverse() : [...ring.slice(1), ring[0]];
      return { ...p, rings: [ring, again] };
    });
    if (planes.every((p, i) => p === box.planes[i])) planes[0] = { ...planes[0], rings: [planes[0].rings[0], planes[0].rings[0]] };
    cases.push(roiCase(seed, `${FAMILY}/duplicate-contours-${k}`, 'Box with repeated contours', [...base, { number: 4, name: 'Twin', planes }], { warn: true, same: { Twin: 'Box' } }));
  }
  // Open and unknown contour types: read as closed, with a warning, same as Box.
  for (const type of ['OPEN_PLANAR', 'OPEN_NONPLANAR', 'CLOSEDPLANAR_XOR', 'FOO']) {
    const planes = base[0].planes.map((p) => ({ ...p, type }));
    cases.push(roiCase(seed, `${FAMILY}/contour-type-${type}`, `Box drawn as ${type}`, [...base, { number: 4, name: 'Drawn', planes }], { warn: true, same: { Drawn: 'Box' } }));
  }
  // Two ROIs sharing ROI Number 2: both reported, with a warning.
  cases.push(
    roiCase(seed, `${FAMILY}/duplicate-roi-number`, 'ROI Number 2 used by "Cylinder" and "Copy" (the Slab geometry)', [...base, { number: 2, name: 'Copy', planes: base[2].planes }], {
      warn: true,
      same: { Copy: 'Slab' },
    }),
  );
  // Large ROIs: a 100 000-vertex circle and 2 000 tiny squares a plane (implicit VR, 19 MB):
  // bounded, and their volumes (precise: area x 5 planes x 3 mm) right.
  cases.push({
    id: `${FAMILY}/dense-and-confetti`,
    family: FAMILY,
    seed,
    describe: '"Dense": circle r 10 mm of 100 000 vertices; "Confetti": 2 000 squares of 0.3 mm a plane',
    setup: async (folders) => {
      const squares = Array.from({ length: 2000 }, (_, i) => {
        const x = -18 + (i % 50) * 0.7;
        const y = -15 + Math.floor(i / 50) * 0.7;
        return boxRing(x, y, x + 0.3, y + 0.3);
      });
      const rois = [...base, { number: 4, name: 'Dense', planes: planesOf(circleRing(-1.25, -1.25, 10, 100_000)) }, { number: 5, name: 'Confetti', planes: PLANES.map((z) => ({ z, rings: squares })) }];
      const paths = writeBase(folders.input, { rtss: structBytes(rois, { syntax: IMPLICIT_LE }).bytes });
      const truth = await baselineDvh();
      const want = { Dense: (shoelace(circleRing(-1.25, -1.25, 10, 100_000)) * 15) / 1000, Confetti: (2000 * 0.09 * 15) / 1000 };
      return {
        args: dvhArgs(paths),
        expect: { codes: [], exits: [0] },
        oracle: (result) => {
          const out = dvhOutput(result);
          if (!out) return ['stdout is not the JSON expected'];
          const failures = compareDvhs(out, truth);
          for (const [name, cm3] of Object.entries(want)) {
            const d = out.dvhs.find((x) => x.name === name);
            if (!d || Math.abs(d.volumeCm3 - cm3) > 0.01 * cm3) failures.push(`ROI "${name}" volume ${d?.volumeCm3} cm3, expected ${cm3.toFixed(4)} cm3`);
          }
          return failures;
        },
      };
    },
  });
  // No StructureSetROISequence.
  cases.push({
    id: `${FAMILY}/missing-structure-set-roi-sequence`,
    family: FAMILY,
    seed,
    setup: async (folders) => {
      const paths = writeBase(folders.input, { rtss: structBytes(base, { omit: ['30060020'] }).bytes });
      return { args: dvhArgs(paths), expect: { codes: ['E_MISSING_ATTRIBUTE'], exits: [1] } };
    },
  });
  // Random polygons: any number of points, jittered, self-crossing, degenerate; the base ROIs unchanged.
  for (let k = 0; k < count; k += 1) {
    const rng = caseRng(seed, FAMILY, k);
    const planes = [];
    for (const z of rng.sample(9, rng.int(1, 6)).map((i) => -12 + 3 * i)) {
      const rings = [];
      for (let r = rng.int(1, 3); r > 0; r -= 1) {
        const n = rng.pick([1, 2, 3, rng.int(3, 12), rng.int(12, 200)]);
        const cx = rng.float(-25, 22);
        const cy = rng.float(-22, 20);
        const radius = rng.pick([0, 1e-6, rng.float(0.1, 3), rng.float(3, 20), rng.float(20, 500)]);
        const ring = [];
        for (let i = 0; i < n; i += 1) {
          const a = rng.bool(0.3) ? rng.float(0, 2 * Math.PI) : (2 * Math.PI * i) / n;
          const rr = radius * rng.float(0.2, 1.2);
          ring.push([cx + rr * Math.cos(a), cy + rr * Math.sin(a)]);
        }
        if (rng.bool(0.1) && n > 0) ring.push(ring[0]);
        rings.push(ring);
      }
      planes.push({ z, rings, ...(rng.bool(0.15) ? { type: rng.pick(['OPEN_PLANAR', 'POINT', '']) } : {}) });
    }
    const roi = { number: 4, name: 'Random', planes };
    cases.push({
      id: `${FAMILY}/random-${k}`,
      family: FAMILY,
      seed,
      describe: `random ROI of ${planes.length} planes, ${planes.reduce((s, p) => s + p.rings.length, 0)} contours`,
      setup: async (folders) => {
        const paths = writeBase(folders.input, { rtss: structBytes([...base, roi]).bytes });
        const truth = await baselineDvh();
        return {
          args: dvhArgs(paths),
          expect: { codes: [...ROI_CODES, 'E_MALFORMED_DICOM'], exits: [0, 2] },
          oracle: (result) => {
            const out = dvhOutput(result);
            if (!out) return ['stdout is not the JSON expected'];
            const failures = compareDvhs(out, truth);
            for (const e of jsonErrors(out)) if (e.name !== 'Random') failures.push(`ROI "${e.name}" failed (${e.code})`);
            const d = out.dvhs.find((x) => x.name === 'Random');
            if (d && !(Number.isFinite(d.volumeCm3) && d.volumeCm3 >= 0 && d.minGy >= 0 && d.maxGy <= 8)) failures.push(`ROI "Random" volume ${d.volumeCm3}, min ${d.minGy}, max ${d.maxGy} (outside the dose's range 0..7.915 Gy)`);
            return failures;
          },
        };
      },
    });
  }
  void DICOM_CODES;
  return cases;
}
