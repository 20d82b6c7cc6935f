// SPDX-License-Identifier: BSD-3-Clause
// Small helpers shared by the demo's modules: DOM building, number formatting, error text.

/** Decimals of every dose (Gy) and volume (cm³) the page shows. */
export const DECIMALS = 3;

/** `value` with DECIMALS decimals ("–" for a missing or non-finite number). */
export function fixed(value, decimals = DECIMALS) {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(decimals) : '–';
}

/** Creates an element: el('td', {class: 'num', dataset: {col: 'max'}}, 'text', child, ...). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'style') Object.assign(node.style, value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (value === true) node.setAttribute(key, '');
    else node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** CSS colour of an [r, g, b] triple. */
export function rgb(color) {
  const [r, g, b] = color ?? [128, 128, 128];
  return `rgb(${r}, ${g}, ${b})`;
}

/**
 * A colour that reads on a white background: very light ROI colours (white, yellow, pale pink)
 * are darkened, keeping their hue.
 */
export function onWhite(color) {
  const [r, g, b] = color ?? [128, 128, 128];
  const luminance = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
  if (luminance <= 0.72) return [r, g, b];
  const f = 0.72 / luminance;
  return [Math.round(r * f), Math.round(g * f), Math.round(b * f)];
}

/** { code, message } of anything thrown: a DosekitError keeps its code; anything else is E_UNEXPECTED. */
export function describeError(error) {
  if (error && typeof error === 'object' && typeof error.code === 'string' && error.code.startsWith('E_')) {
    return { code: error.code, message: String(error.message) };
  }
  return { code: 'E_UNEXPECTED', message: String((error && error.message) || error) };
}

/** The file name of a path or URL. */
export function baseName(path) {
  return String(path).split(/[\\/]/).pop();
}
