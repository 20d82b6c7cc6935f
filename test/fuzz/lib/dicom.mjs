// SPDX-License-Identifier: BSD-3-Clause
// A small, independent DICOM Part 10 writer for the fuzz suite (explicit or implicit VR little
// endian), working from a plain element list so that any attribute can be set to any value, VR
// or length, plus the layout of what it wrote (where each element's tag, VR, length and value
// are) for byte-level mutations. It does not use dosekit's own writer, so a change there cannot
// hide a reader defect. Also: the small RT Dose and RT Structure Set the cases start from.

export const EXPLICIT_LE = '1.2.840.10008.1.2.1';
export const IMPLICIT_LE = '1.2.840.10008.1.2';
export const RT_DOSE = '1.2.840.10008.5.1.4.1.1.481.2';
export const RT_STRUCT = '1.2.840.10008.5.1.4.1.1.481.3';

const LONG_VRS = new Set(['OB', 'OW', 'OF', 'OD', 'OL', 'OV', 'SQ', 'UT', 'UN', 'UC', 'UR', 'SV', 'UV']);
const UNDEFINED = 0xffffffff;

/** An element: tag 'GGGGEEEE' (hex), VR, value (string[] | number[] | Uint8Array | item lists for SQ). */
export function el(tag, vr, value) {
  return { tag: tag.toUpperCase(), vr, value };
}

function tagNumbers(tag) {
  return [parseInt(tag.slice(0, 4), 16), parseInt(tag.slice(4, 8), 16)];
}

const encoder = new TextEncoder();

/** The value bytes of an element (even length, padded as DICOM wants). */
export function valueBytes(element) {
  const { vr, value } = element;
  if (value instanceof Uint8Array) return value;
  let bytes;
  switch (vr) {
    case 'US':
    case 'SS': {
      bytes = new Uint8Array(value.length * 2);
      const view = new DataView(bytes.buffer);
      value.forEach((v, i) => (vr === 'US' ? view.setUint16(i * 2, v, true) : view.setInt16(i * 2, v, true)));
      return bytes;
    }
    case 'UL':
    case 'SL': {
      bytes = new Uint8Array(value.length * 4);
      const view = new DataView(bytes.buffer);
      value.forEach((v, i) => (vr === 'UL' ? view.setUint32(i * 4, v, true) : view.setInt32(i * 4, v, true)));
      return bytes;
    }
    case 'FL':
    case 'FD': {
      const size = vr === 'FL' ? 4 : 8;
      bytes = new Uint8Array(value.length * size);
      const view = new DataView(bytes.buffer);
      value.forEach((v, i) => (size === 4 ? view.setFloat32(i * 4, v, true) : view.setFloat64(i * 8, v, true)));
      return bytes;
    }
    case 'AT': {
      bytes = new Uint8Array(value.length * 4);
      const view = new DataView(bytes.buffer);
      value.forEach((t, i) => {
        const [g, e] = tagNumbers(t);
        view.setUint16(i * 4, g, true);
        view.setUint16(i * 4 + 2, e, true);
      });
      return bytes;
    }
    default: {
      let text = value.map((v) => (typeof v === 'number' ? formatDs(v) : String(v))).join('\\');
      bytes = encoder.encode(text);
      if (bytes.length % 2 === 1) {
        const padded = new Uint8Array(bytes.length + 1);
        padded.set(bytes);
        padded[bytes.length] = vr === 'UI' ? 0 : 0x20;
        return padded;
      }
      return bytes;
    }
  }
}

/** A number as DS text of at most 16 characters. */
export function formatDs(v) {
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  for (let p = 15; p >= 1; p -= 1) {
    const t = String(Number(v.toPrecision(p)));
    if (t.length <= 16) return t;
  }
  return v.toExponential(8);
}

class Writer {
  constructor() {
    this.chunks = [];
    this.length = 0;
  }
  bytes(b) {
    this.chunks.push(b);
    this.length += b.length;
  }
  u16(v) {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setUint16(0, v, true);
    this.bytes(b);
  }
  u32(v) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, true);
    this.bytes(b);
  }
  result() {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/**
 * Writes `elements` (in the order given: sort them yourself, or not, on purpose) and records each
 * element's layout in `layout`: {tag, vr, depth, start, vrAt, lengthAt, lengthSize, valueAt, valueLength}.
 */
function writeElements(w, elements, explicit, layout, depth) {
  for (const element of elements) {
    const [g, e] = tagNumbers(element.tag);
    const start = w.length;
    w.u16(g);
    w.u16(e);
    const record = { tag: element.tag, vr: element.vr, depth, start, vrAt: -1, lengthAt: -1, lengthSize: 4, valueAt: -1, valueLength: 0 };
    layout.push(record);
    const writeLength = (n, long) => {
      record.lengthAt = w.length;
      if (!explicit || long) {
        if (explicit) {
          // VR already written; two reserved bytes first.
          w.u16(0);
          record.lengthAt = w.length;
        }
        w.u32(n);
        record.lengthSize = 4;
      } else {
        w.u16(n);
        record.lengthSize = 2;
      }
    };
    const long = LONG_VRS.has(element.vr);
    if (explicit) {
      record.vrAt = w.length;
      w.bytes(encoder.encode(element.vr.padEnd(2, ' ').slice(0, 2)));
    }
    if (element.vr === 'SQ' && !(element.value instanceof Uint8Array)) {
      writeLength(UNDEFINED, true);
      record.valueAt = w.length;
      for (const item of element.value) {
        w.u16(0xfffe);
        w.u16(0xe000);
        w.u32(UNDEFINED);
        writeElements(w, item, explicit, layout, depth + 1);
        w.u16(0xfffe);
        w.u16(0xe00d);
        w.u32(0);
      }
      w.u16(0xfffe);
      w.u16(0xe0dd);
      w.u32(0);
      record.valueLength = w.length - record.valueAt;
    } else {
      const bytes = valueBytes(element);
      writeLength(element.length ?? bytes.length, long);
      record.valueAt = w.length;
      record.valueLength = bytes.length;
      w.bytes(bytes);
    }
  }
}

/**
 * Part 10 bytes: preamble, DICM, file meta (explicit VR LE), then the dataset in `syntax`.
 * Returns {bytes, layout} where layout lists every dataset element (nested ones too, with depth).
 */
export function encodePart10(elements, { syntax = EXPLICIT_LE, sopClass, sopInstance } = {}) {
  const meta = [
    el('00020001', 'OB', new Uint8Array([0, 1])),
    el('00020002', 'UI', [sopClass ?? findValue(elements, '00080016') ?? RT_DOSE]),
    el('00020003', 'UI', [sopInstance ?? findValue(elements, '00080018') ?? '2.25.1']),
    el('00020010', 'UI', [syntax]),
    el('00020012', 'UI', ['2.25.4242']),
  ];
  const metaWriter = new Writer();
  writeElements(metaWriter, meta, true, [], 0);
  const metaBytes = metaWriter.result();
  const w = new Writer();
  w.bytes(new Uint8Array(128));
  w.bytes(encoder.encode('DICM'));
  writeElements(w, [el('00020000', 'UL', [metaBytes.length])], true, [], 0);
  w.bytes(metaBytes);
  const layout = [];
  writeElements(w, elements, syntax !== IMPLICIT_LE, layout, 0);
  return { bytes: w.result(), layout };
}

function findValue(elements, tag) {
  const found = elements.find((x) => x.tag === tag);
  return found && Array.isArray(found.value) ? String(found.value[0]) : undefined;
}

/** A copy of `elements` with `tag` replaced (or added, in tag order) / removed (value undefined). */
export function withElement(elements, tag, vr, value, extra = {}) {
  tag = tag.toUpperCase();
  const out = elements.filter((x) => x.tag !== tag);
  if (value === undefined) return out;
  const next = { tag, vr, value, ...extra };
  const at = out.findIndex((x) => x.tag > tag);
  if (at < 0) out.push(next);
  else out.splice(at, 0, next);
  return out;
}

// ---- The base inputs ---------------------------------------------------------------------

export const FRAME_OF_REFERENCE = '2.25.900000000000000000000000001';
export const STUDY = '2.25.900000000000000000000000002';
export const RTSS_UID = '2.25.900000000000000000000000003';
export const RTDOSE_UID = '2.25.900000000000000000000000004';

/**
 * The base dose grid: 16 columns x 14 rows x 10 frames, 2.5 mm x 2.5 mm in plane, frames 3 mm
 * apart, origin (-20, -17.5, -15) mm, HFS. Dose (Gy) = 2 + 0.1 (x + 20) + 0.05 (y + 17.5) +
 * 0.02 (z + 15) at voxel centres; stored as Uint32 with DoseGridScaling 1e-4.
 */
export const BASE_GRID = Object.freeze({ columns: 16, rows: 14, frames: 10, spacing: [2.5, 2.5], frameGap: 3, origin: [-20, -17.5, -15], scaling: 1e-4 });

export function baseDoseGy(x, y, z) {
  return 2 + 0.1 * (x + 20) + 0.05 * (y + 17.5) + 0.02 * (z + 15);
}

/** The stored Uint32 pixels (little endian bytes) of the base grid. */
export function basePixelBytes(grid = BASE_GRID, bits = 32) {
  const { columns, rows, frames, spacing, frameGap, origin, scaling } = grid;
  const n = columns * rows * frames;
  const bytes = new Uint8Array(n * (bits / 8));
  const view = new DataView(bytes.buffer);
  let i = 0;
  for (let f = 0; f < frames; f += 1) {
    for (let r = 0; r < rows; r += 1) {
      for (let c = 0; c < columns; c += 1) {
        const v = Math.round(baseDoseGy(origin[0] + c * spacing[1], origin[1] + r * spacing[0], origin[2] + f * frameGap) / scaling);
        if (bits === 32) view.setUint32(i * 4, v, true);
        else view.setUint16(i * 2, Math.min(v, 0xffff), true);
        i += 1;
      }
    }
  }
  return bytes;
}

/** The base RT Dose's elements (tag order). `pixels` defaults to basePixelBytes(). */
export function baseDoseElements(grid = BASE_GRID, pixels = basePixelBytes(grid)) {
  const offsets = Array.from({ length: grid.frames }, (_, f) => f * grid.frameGap);
  return [
    el('00080016', 'UI', [RT_DOSE]),
    el('00080018', 'UI', [RTDOSE_UID]),
    el('00080060', 'CS', ['RTDOSE']),
    el('00100010', 'PN', ['FUZZ^BASE']),
    el('00100020', 'LO', ['FUZZ-1']),
    el('0020000D', 'UI', [STUDY]),
    el('0020000E', 'UI', ['2.25.900000000000000000000000005']),
    el('00200032', 'DS', [...grid.origin]),
    el('00200037', 'DS', [1, 0, 0, 0, 1, 0]),
    el('00200052', 'UI', [FRAME_OF_REFERENCE]),
    el('00280002', 'US', [1]),
    el('00280004', 'CS', ['MONOCHROME2']),
    el('00280008', 'IS', [grid.frames]),
    el('00280009', 'AT', ['3004000C']),
    el('00280010', 'US', [grid.rows]),
    el('00280011', 'US', [grid.columns]),
    el('00280030', 'DS', [...grid.spacing]),
    el('00280100', 'US', [32]),
    el('00280101', 'US', [32]),
    el('00280102', 'US', [31]),
    el('00280103', 'US', [0]),
    el('30040002', 'CS', ['GY']),
    el('30040004', 'CS', ['PHYSICAL']),
    el('3004000A', 'CS', ['PLAN']),
    el('3004000C', 'DS', offsets),
    el('3004000E', 'DS', [grid.scaling]),
    el('300C0060', 'SQ', [[el('00081150', 'UI', [RT_STRUCT]), el('00081155', 'UI', [RTSS_UID])]]),
    el('7FE00010', 'OW', pixels),
  ];
}

/** The base dose as Part 10 bytes (+ layout). */
export function baseDose(options = {}) {
  return encodePart10(options.elements ?? baseDoseElements(), { syntax: options.syntax ?? EXPLICIT_LE, sopClass: RT_DOSE, sopInstance: RTDOSE_UID });
}

/** A box ring, counter-clockwise. */
export function boxRing(x0, y0, x1, y1) {
  return [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
  ];
}

/** A regular n-gon (counter-clockwise). */
export function circleRing(cx, cy, r, n) {
  return Array.from({ length: n }, (_, k) => [cx + r * Math.cos((2 * Math.PI * k) / n), cy + r * Math.sin((2 * Math.PI * k) / n)]);
}

/**
 * The base ROIs, all inside the dose grid (x -20..17.5, y -17.5..15, z -15..12):
 * 1 Box: 10 x 10 mm on planes z = -6, -3, 0, 3, 6; 2 Cylinder: r 6 mm around (-8, 5), planes -9..9 step 3;
 * 3 Slab: 20 x 8 mm on planes 0..6.
 */
export function baseRois() {
  const planes = (zs, ring) => zs.map((z) => ({ z, rings: [ring] }));
  return [
    { number: 1, name: 'Box', planes: planes([-6, -3, 0, 3, 6], boxRing(-5, -5, 5, 5)) },
    { number: 2, name: 'Cylinder', planes: planes([-9, -6, -3, 0, 3, 6, 9], circleRing(-8, 5, 6, 24)) },
    { number: 3, name: 'Slab', planes: planes([0, 3, 6], boxRing(-10, -12, 10, -4)) },
  ];
}

/**
 * RT Structure Set elements for `rois`: [{number, name, planes: [{z, rings, type?, points?}],
 * frameOfReference?}]. `points` overrides a contour's NumberOfContourPoints; `type` its
 * ContourGeometricType (default CLOSED_PLANAR).
 */
export function structElements(rois, { omit = [] } = {}) {
  const contourItem = (roi) => {
    const contours = [];
    for (const plane of roi.planes) {
      for (const ring of plane.rings) {
        const data = [];
        for (const p of ring) data.push(p[0], p[1], p.length > 2 ? p[2] : plane.z);
        contours.push([
          el('30060042', 'CS', [plane.type ?? 'CLOSED_PLANAR']),
          el('30060046', 'IS', [plane.points ?? ring.length]),
          el('30060050', 'DS', data),
        ]);
      }
    }
    return [el('3006002A', 'IS', roi.color ?? [255, 0, 0]), el('30060040', 'SQ', contours), el('30060084', 'IS', [roi.number])];
  };
  const all = [
    el('00080016', 'UI', [RT_STRUCT]),
    el('00080018', 'UI', [RTSS_UID]),
    el('00080060', 'CS', ['RTSTRUCT']),
    el('00100010', 'PN', ['FUZZ^BASE']),
    el('00100020', 'LO', ['FUZZ-1']),
    el('0020000D', 'UI', [STUDY]),
    el('0020000E', 'UI', ['2.25.900000000000000000000000006']),
    el('30060002', 'SH', ['FUZZ']),
    el('30060010', 'SQ', [[el('00200052', 'UI', [FRAME_OF_REFERENCE])]]),
    el(
      '30060020',
      'SQ',
      rois.map((roi) => [
        el('30060022', 'IS', [roi.number]),
        el('30060024', 'UI', [roi.frameOfReference ?? FRAME_OF_REFERENCE]),
        el('30060026', 'LO', [roi.name]),
        el('30060036', 'CS', ['MANUAL']),
      ]),
    ),
    el('30060039', 'SQ', rois.map(contourItem)),
    el(
      '30060080',
      'SQ',
      rois.map((roi, i) => [el('30060082', 'IS', [i + 1]), el('30060084', 'IS', [roi.number]), el('300600A4', 'CS', ['ORGAN']), el('300600A6', 'PN', [''])]),
    ),
  ];
  return all.filter((x) => !omit.includes(x.tag));
}

/** An RT Structure Set as Part 10 bytes (+ layout). */
export function structBytes(rois = baseRois(), options = {}) {
  return encodePart10(structElements(rois, options), { syntax: options.syntax ?? EXPLICIT_LE, sopClass: RT_STRUCT, sopInstance: RTSS_UID });
}

export const DEFLATED_EXPLICIT_LE = '1.2.840.10008.1.2.1.99';

/** The dataset bytes (after the file meta) of encodePart10's output. */
export function datasetBytes(part10) {
  const metaLength = new DataView(part10.buffer, part10.byteOffset).getUint32(140, true);
  return part10.subarray(132 + 12 + metaLength);
}

/**
 * A deflated explicit VR little endian file of `elements` with one more element, `tag` (OB), of
 * `zeroBytes` zero bytes: a few hundred KB on disk that inflate to `zeroBytes` (a "deflate bomb").
 * Streamed through zlib, so the generator never holds the inflated bytes.
 */
export async function deflateBomb(elements, tag, zeroBytes, { sopClass, sopInstance } = {}) {
  const { createDeflateRaw } = await import('node:zlib');
  tag = tag.toUpperCase();
  const before = datasetBytes(encodePart10(elements.filter((e) => e.tag < tag), { sopClass, sopInstance }).bytes);
  const after = datasetBytes(encodePart10(elements.filter((e) => e.tag > tag), { sopClass, sopInstance }).bytes);
  const meta = encodePart10([], { syntax: DEFLATED_EXPLICIT_LE, sopClass, sopInstance }).bytes;
  const header = new Uint8Array(12);
  const view = new DataView(header.buffer);
  view.setUint16(0, parseInt(tag.slice(0, 4), 16), true);
  view.setUint16(2, parseInt(tag.slice(4, 8), 16), true);
  header[4] = 0x4f; // 'O'
  header[5] = 0x42; // 'B'
  view.setUint32(8, zeroBytes, true);
  const deflate = createDeflateRaw({ level: 9 });
  const chunks = [];
  deflate.on('data', (c) => chunks.push(c));
  const done = new Promise((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  const write = (b) => new Promise((resolve) => (deflate.write(b) ? resolve() : deflate.once('drain', resolve)));
  await write(before);
  await write(header);
  const zeros = new Uint8Array(Math.min(zeroBytes, 16 * 1024 * 1024));
  for (let left = zeroBytes; left > 0; left -= zeros.length) await write(left >= zeros.length ? zeros : zeros.subarray(0, left));
  await write(after);
  deflate.end();
  await done;
  const body = Buffer.concat(chunks);
  const out = new Uint8Array(meta.length + body.length);
  out.set(meta);
  out.set(body, meta.length);
  return out;
}
