// SPDX-License-Identifier: BSD-3-Clause
// The axial slice viewer: the CT image on its own plane (a dark background elsewhere), the dose
// as a semi-transparent colour wash with isodose lines (marching squares) at chosen percentages
// of the maximum dose, and the contours of the visible structures on that plane. Slices step
// through the dose grid's frames (else the images', else the contour planes'), by slider, by
// keyboard (ArrowUp/ArrowDown one slice, PageUp/PageDown five, Home/End) or the mouse wheel.
import { isolineSegments } from './isodose.js';
import { fixed, rgb } from './util.js';

/** Backing-store width of the canvas in px (CSS scales it to the panel). */
const CANVAS_WIDTH = 720;
const PADDING_MM = 10;
const BACKGROUND = '#0b0e14';
/** The wash starts at this fraction of the maximum dose. */
const WASH_FROM = 0.1;
const WASH_ALPHA = 0.5;
/** Isodose line colours, highest level first. */
export const ISODOSE_COLORS = Object.freeze(['#ff3b30', '#ff9f0a', '#ffd60a', '#30d158', '#64d2ff', '#bf5af2']);

/** A jet-like colour map: t in [0, 1] to [r, g, b]. */
export function washColor(t) {
  const stops = [
    [0, [40, 60, 255]],
    [0.3, [0, 200, 255]],
    [0.5, [40, 230, 90]],
    [0.7, [255, 230, 0]],
    [0.85, [255, 130, 0]],
    [1, [230, 20, 20]],
  ];
  const x = Math.min(1, Math.max(0, t));
  for (let i = 1; i < stops.length; i += 1) {
    const [t1, c1] = stops[i];
    const [t0, c0] = stops[i - 1];
    if (x <= t1) {
      const f = (x - t0) / (t1 - t0);
      return [0, 1, 2].map((k) => Math.round(c0[k] + f * (c1[k] - c0[k])));
    }
  }
  return stops[stops.length - 1][1];
}

/** The affine of an axial grid: patient mm (x, y) of continuous (column, row) indices. */
function gridAffine(g) {
  const dc = g.pixelSpacingMm[1];
  const dr = g.pixelSpacingMm[0];
  return { xc: dc * g.rowCosines[0], yc: dc * g.rowCosines[1], xr: dr * g.columnCosines[0], yr: dr * g.columnCosines[1], x0: g.originMm[0], y0: g.originMm[1] };
}

function gridBounds(g) {
  const a = gridAffine(g);
  const xs = [];
  const ys = [];
  for (const c of [-0.5, g.columns - 0.5]) {
    for (const r of [-0.5, g.rows - 0.5]) {
      xs.push(a.x0 + a.xc * c + a.xr * r);
      ys.push(a.y0 + a.yc * c + a.yr * r);
    }
  }
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

function union(a, b) {
  if (!a) return b;
  if (!b) return a;
  return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];
}

function contourBounds(rois) {
  let box = null;
  for (const roi of rois) {
    for (const plane of roi.planes) {
      for (const contour of plane.contours) {
        const p = contour.pointsMm;
        for (let i = 0; i < p.length; i += 3) box = union(box, [p[i], p[i + 1], p[i], p[i + 1]]);
      }
    }
  }
  return box;
}

export class SliceView {
  /** @param {{canvas: HTMLCanvasElement, slider: HTMLInputElement, label: HTMLElement, readout: HTMLElement, note: HTMLElement}} elements */
  constructor({ canvas, slider, label, readout, note }) {
    this.canvas = canvas;
    this.slider = slider;
    this.label = label;
    this.readout = readout;
    this.note = note;
    this.ctx = canvas.getContext('2d');
    this.dose = null;
    this.images = [];
    this.rois = [];
    this.levels = [95, 80, 50, 30];
    this.positions = [];
    this.index = 0;
    this.view = null;
    this.scratch = document.createElement('canvas');
    slider.addEventListener('input', () => this.setIndex(Number(slider.value)));
    canvas.addEventListener('keydown', (event) => this.#key(event));
    canvas.addEventListener('wheel', (event) => {
      if (!this.positions.length) return;
      event.preventDefault();
      this.step(event.deltaY < 0 ? 1 : -1);
    }, { passive: false });
    canvas.addEventListener('pointermove', (event) => this.#pointer(event));
    canvas.addEventListener('pointerleave', () => (this.readout.textContent = ''));
  }

  /**
   * New data: `dose` a DoseGrid or null, `images` [{parser, image}], `rois` the structure rows
   * (their `visible` flags are read at every draw). Keeps the slice nearest the current z.
   */
  setData({ dose, images, rois }) {
    const previousZ = this.positions[this.index]?.z;
    this.dose = dose;
    this.rois = rois;
    this.images = images.map(({ parser, image }) => ({ parser, image, z: image.geometry.frameZMm[0], bitmap: null }));
    this.maxDoseGy = dose ? dose.maxDoseGy : 0;
    this.doseGy = dose ? dose.doseGy() : null;
    // Slice positions, ascending z: the dose frames, else the images, else the contour planes.
    if (dose) this.positions = [...dose.geometry.frameZMm].map((z, frame) => ({ z, frame })).sort((a, b) => a.z - b.z);
    else if (this.images.length) this.positions = this.images.map((im) => ({ z: im.z, frame: -1 })).sort((a, b) => a.z - b.z);
    else this.positions = [...new Set(rois.flatMap((r) => r.planes.map((p) => p.zMm)))].sort((a, b) => a - b).map((z) => ({ z, frame: -1 }));
    const gaps = this.positions.slice(1).map((p, i) => p.z - this.positions[i].z).filter((d) => d > 1e-6);
    this.spacingMm = gaps.length ? Math.min(...gaps) : 3;
    // The view: the dose grid and every contour, padded (the images only when there is nothing else).
    let box = union(dose ? gridBounds(dose.geometry) : null, contourBounds(rois));
    if (!box) for (const im of this.images) box = union(box, gridBounds(im.image.geometry));
    box ??= [-100, -100, 100, 100];
    const [x0, y0, x1, y1] = [box[0] - PADDING_MM, box[1] - PADDING_MM, box[2] + PADDING_MM, box[3] + PADDING_MM];
    const scale = CANVAS_WIDTH / (x1 - x0);
    this.view = { x0, y0, x1, y1, scale };
    this.canvas.width = CANVAS_WIDTH;
    this.canvas.height = Math.max(1, Math.round((y1 - y0) * scale));
    this.slider.min = '0';
    this.slider.max = String(Math.max(0, this.positions.length - 1));
    this.slider.disabled = this.positions.length < 2;
    let index = 0;
    if (previousZ !== undefined && this.positions.length) {
      index = this.positions.reduce((best, p, i) => (Math.abs(p.z - previousZ) < Math.abs(this.positions[best].z - previousZ) ? i : best), 0);
    } else if (dose) index = this.positions.findIndex((p) => p.frame === this.maxLocation().frame);
    this.setIndex(Math.max(0, index));
  }

  /** Isodose levels in % of the maximum dose (invalid entries are dropped). */
  setLevels(levels) {
    this.levels = levels.filter((l) => Number.isFinite(l) && l > 0 && l <= 100).sort((a, b) => b - a);
    this.draw();
  }

  setIndex(index) {
    if (!this.positions.length) {
      this.index = 0;
      this.draw();
      return;
    }
    this.index = Math.max(0, Math.min(this.positions.length - 1, Math.round(index)));
    this.slider.value = String(this.index);
    this.draw();
  }

  step(delta) {
    this.setIndex(this.index + delta);
  }

  /** The current slice: {index, z, frame (dose frame or -1), count}. */
  get current() {
    const p = this.positions[this.index];
    return p ? { index: this.index, z: p.z, frame: p.frame, count: this.positions.length } : null;
  }

  /** Canvas (backing-store px) of patient (x, y) mm. */
  mmToCanvas(x, y) {
    const v = this.view;
    return [(x - v.x0) * v.scale, (y - v.y0) * v.scale];
  }

  canvasToMm(cx, cy) {
    const v = this.view;
    return [v.x0 + cx / v.scale, v.y0 + cy / v.scale];
  }

  /** The dose maximum's voxel: {column, row, frame, xMm, yMm, zMm, doseGy}. */
  maxLocation() {
    const g = this.dose.geometry;
    const pixels = this.dose.pixels;
    let at = 0;
    for (let i = 1; i < pixels.length; i += 1) if (pixels[i] > pixels[at]) at = i;
    const column = at % g.columns;
    const row = Math.floor(at / g.columns) % g.rows;
    const frame = Math.floor(at / (g.columns * g.rows));
    const a = gridAffine(g);
    return { column, row, frame, xMm: a.x0 + a.xc * column + a.xr * row, yMm: a.y0 + a.yc * column + a.yr * row, zMm: g.frameZMm[frame], doseGy: this.dose.doseGyAt(column, row, frame) };
  }

  #key(event) {
    const steps = { ArrowUp: 1, ArrowRight: 1, ArrowDown: -1, ArrowLeft: -1, PageUp: 5, PageDown: -5 };
    if (event.key in steps) this.step(steps[event.key]);
    else if (event.key === 'Home') this.setIndex(0);
    else if (event.key === 'End') this.setIndex(this.positions.length - 1);
    else return;
    event.preventDefault();
  }

  #pointer(event) {
    if (!this.view) return;
    const rect = this.canvas.getBoundingClientRect();
    const cx = ((event.clientX - rect.left) / rect.width) * this.canvas.width;
    const cy = ((event.clientY - rect.top) / rect.height) * this.canvas.height;
    const [x, y] = this.canvasToMm(cx, cy);
    let dose = '';
    const slice = this.current;
    if (this.dose && slice && slice.frame >= 0) {
      const g = this.dose.geometry;
      const a = gridAffine(g);
      // Invert the 2 x 2 affine for the nearest voxel.
      const det = a.xc * a.yr - a.xr * a.yc;
      const c = Math.round(((x - a.x0) * a.yr - (y - a.y0) * a.xr) / det);
      const r = Math.round(((y - a.y0) * a.xc - (x - a.x0) * a.yc) / det);
      if (c >= 0 && r >= 0 && c < g.columns && r < g.rows) dose = ` · ${fixed(this.dose.doseGyAt(c, r, slice.frame), 2)} Gy`;
    }
    this.readout.textContent = `x ${fixed(x, 1)} mm, y ${fixed(y, 1)} mm${dose}`;
  }

  /** The plane's transform: canvas px of continuous (column, row) of grid `g`. */
  #transform(g) {
    const a = gridAffine(g);
    const s = this.view.scale;
    return [s * a.xc, s * a.yc, s * a.xr, s * a.yr, s * (a.x0 - this.view.x0), s * (a.y0 - this.view.y0)];
  }

  draw() {
    const ctx = this.ctx;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = BACKGROUND;
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    const slice = this.current;
    if (!slice || !this.view) {
      this.label.textContent = 'no slices';
      return;
    }
    const tolerance = Math.max(0.5, this.spacingMm / 2 - 1e-6);
    const image = this.images.find((im) => Math.abs(im.z - slice.z) < tolerance);
    if (image) this.#drawImage(image);
    if (this.dose && slice.frame >= 0) this.#drawDose(slice.frame);
    this.#drawContours(slice.z, tolerance);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    this.label.textContent = `z = ${fixed(slice.z, 2)} mm · slice ${slice.index + 1} of ${slice.count}`;
    this.label.dataset.z = String(slice.z);
    this.label.dataset.index = String(slice.index);
    this.note.textContent = image ? `${image.image.modality || 'CT'} image on this slice` : this.images.length ? `no image on this slice (images at z = ${this.images.map((im) => fixed(im.z, 2)).join(', ')} mm)` : 'no image loaded';
  }

  #drawImage(entry) {
    if (!entry.bitmap) {
      const rendered = entry.parser.getImage();
      const canvas = document.createElement('canvas');
      canvas.width = rendered.width;
      canvas.height = rendered.height;
      canvas.getContext('2d').putImageData(new ImageData(rendered.data, rendered.width, rendered.height), 0, 0);
      entry.bitmap = canvas;
    }
    const ctx = this.ctx;
    ctx.save();
    ctx.setTransform(...this.#transform(entry.image.geometry));
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(entry.bitmap, -0.5, -0.5);
    ctx.restore();
  }

  #drawDose(frame) {
    const g = this.dose.geometry;
    const size = g.rows * g.columns;
    const values = this.doseGy.subarray(frame * size, (frame + 1) * size);
    const max = this.maxDoseGy;
    if (!(max > 0)) return;
    // The wash, one pixel per voxel, drawn through the grid's affine (smoothed).
    const wash = new ImageData(g.columns, g.rows);
    for (let i = 0; i < size; i += 1) {
      const t = values[i] / max;
      if (t < WASH_FROM) continue;
      const [r, gg, b] = washColor((t - WASH_FROM) / (1 - WASH_FROM));
      const o = i * 4;
      wash.data[o] = r;
      wash.data[o + 1] = gg;
      wash.data[o + 2] = b;
      wash.data[o + 3] = Math.round(255 * WASH_ALPHA * Math.min(1, (t - WASH_FROM) / 0.05));
    }
    this.scratch.width = g.columns;
    this.scratch.height = g.rows;
    this.scratch.getContext('2d').putImageData(wash, 0, 0);
    const ctx = this.ctx;
    const [a, b, c, d, e, f] = this.#transform(g);
    ctx.save();
    ctx.setTransform(a, b, c, d, e, f);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(this.scratch, -0.5, -0.5);
    ctx.restore();
    // Isodose lines: marching squares in voxel indices, mapped to the canvas.
    ctx.lineWidth = 1.6;
    ctx.lineJoin = 'round';
    this.levels.forEach((level, i) => {
      const segments = isolineSegments(values, g.columns, g.rows, (level / 100) * max);
      if (!segments.length) return;
      ctx.strokeStyle = ISODOSE_COLORS[i % ISODOSE_COLORS.length];
      ctx.beginPath();
      for (let k = 0; k < segments.length; k += 4) {
        ctx.moveTo(a * segments[k] + c * segments[k + 1] + e, b * segments[k] + d * segments[k + 1] + f);
        ctx.lineTo(a * segments[k + 2] + c * segments[k + 3] + e, b * segments[k + 2] + d * segments[k + 3] + f);
      }
      ctx.stroke();
    });
  }

  #drawContours(z, tolerance) {
    const ctx = this.ctx;
    ctx.lineWidth = 1.8;
    ctx.lineJoin = 'round';
    for (const roi of this.rois) {
      if (!roi.visible) continue;
      const plane = roi.planes.find((p) => Math.abs(p.zMm - z) < tolerance);
      if (!plane) continue;
      ctx.strokeStyle = rgb(roi.color);
      ctx.beginPath();
      for (const contour of plane.contours) {
        const p = contour.pointsMm;
        for (let i = 0; i < p.length; i += 3) {
          const [cx, cy] = this.mmToCanvas(p[i], p[i + 1]);
          if (i === 0) ctx.moveTo(cx, cy);
          else ctx.lineTo(cx, cy);
        }
        if (contour.geometricType === 'CLOSED_PLANAR') ctx.closePath();
      }
      ctx.stroke();
    }
  }
}
