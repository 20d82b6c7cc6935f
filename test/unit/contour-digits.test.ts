// SPDX-License-Identifier: BSD-3-Clause
// parseDecimalStrings (ContourData's fast decimal reader) on long decimal strings: 15, 16 and 17
// significant digits, where an integer mantissa stops being exact in float64 (2^53 is about
// 9.007e15). Every value must be bit for bit what Number() gives for the same text, because the
// fast path promises "exactly as Number() would". Inputs are seeded, so every run checks the
// same strings.
import { describe, expect, it } from 'vitest';
import { parseDecimalStrings } from '../../src/dicom/contour-data.js';
import { mulberry32 as rng } from '../helpers/point-in-path.js';

function digitString(next: () => number, count: number, firstNonZero: boolean): string {
  let s = '';
  for (let k = 0; k < count; k += 1) {
    const d = k === 0 && firstNonZero ? 1 + Math.floor(next() * 9) : Math.floor(next() * 10);
    s += String(d);
  }
  return s;
}

/**
 * A decimal with exactly `digits` significant digits, a random sign ('', '-', '+'), the point at
 * a random place (or none), and sometimes leading zeros after the point ("0.000123...").
 */
function decimal(next: () => number, digits: number): string {
  const body = digitString(next, digits, true);
  const sign = ['', '-', '+'][Math.floor(next() * 3)];
  const shape = Math.floor(next() * 3);
  if (shape === 0) {
    // Point inside the digits (or after them, as an integer with or without a trailing point).
    const at = 1 + Math.floor(next() * digits);
    const text = at === digits ? (next() < 0.5 ? body : `${body}.`) : `${body.slice(0, at)}.${body.slice(at)}`;
    return sign + text;
  }
  if (shape === 1) {
    // 0.[zeros]digits: the leading zeros count as digits for the reader but are not significant.
    const zeros = Math.floor(next() * 3);
    return `${sign}0.${'0'.repeat(zeros)}${body}`;
  }
  // A point with few integer digits, as contour coordinates in mm typically have.
  const at = 1 + Math.floor(next() * Math.min(4, digits - 1));
  return `${sign}${body.slice(0, at)}.${body.slice(at)}`;
}

/** A token with the leading and trailing padding a DS may hold (spaces; a NUL pad at the end of the value). */
function padded(next: () => number, text: string): string {
  const lead = ' '.repeat(Math.floor(next() * 2));
  const trail = ' '.repeat(Math.floor(next() * 2));
  return lead + text + trail;
}

function bytesOf(text: string): Uint8Array {
  return Uint8Array.from(text, (ch) => ch.charCodeAt(0));
}

function parse(text: string): Float64Array {
  const out = parseDecimalStrings(bytesOf(text), 0, text.length);
  if (out === null) throw new Error(`parseDecimalStrings refused ${JSON.stringify(text)}`);
  return out;
}

/** Number() of a DS token: Number ignores the surrounding spaces as DICOM does. */
function reference(token: string): number {
  return Number(token.trim());
}

function expectSame(tokens: readonly string[], values: Float64Array): void {
  expect(values.length).toBe(tokens.length);
  const wrong: string[] = [];
  tokens.forEach((token, k) => {
    if (!Object.is(values[k], reference(token))) wrong.push(`${JSON.stringify(token)} -> ${values[k]} (Number: ${reference(token)})`);
  });
  expect(wrong).toEqual([]);
}

describe('parseDecimalStrings at 15 to 17 significant digits', () => {
  for (const digits of [15, 16, 17]) {
    it(`matches Number() exactly for 2000 seeded ${digits}-digit values, one value per call`, () => {
      const next = rng(1000 + digits);
      const tokens = Array.from({ length: 2000 }, () => padded(next, decimal(next, digits)));
      const wrong: string[] = [];
      for (const token of tokens) {
        const [value] = parse(token);
        if (!Object.is(value, reference(token))) wrong.push(`${JSON.stringify(token)} -> ${value} (Number: ${reference(token)})`);
      }
      expect(wrong).toEqual([]);
    });

    it(`matches Number() exactly for ${digits}-digit values in one backslash-separated value, with a NUL pad`, () => {
      const next = rng(2000 + digits);
      const tokens = Array.from({ length: 600 }, () => padded(next, decimal(next, digits)));
      const text = `${tokens.join('\\')}\0`;
      const values = parse(text);
      expectSame(tokens, values);
    });
  }

  it('matches Number() for exponent forms with 15 to 17 digit mantissas', () => {
    const next = rng(77);
    const tokens: string[] = [];
    for (let k = 0; k < 600; k += 1) {
      const digits = 15 + (k % 3);
      const exponent = Math.floor(next() * 41) - 20;
      const e = next() < 0.5 ? 'e' : 'E';
      const expText = exponent < 0 ? String(exponent) : next() < 0.5 ? `+${exponent}` : String(exponent);
      tokens.push(decimal(next, digits) + e + expText);
    }
    expectSame(tokens, parse(tokens.join('\\')));
  });

  it('fixed 16- and 17-digit cases whose digits, read as an integer, exceed 2^53', () => {
    // Hand-picked: each of these is a string whose digits, read as an integer, exceed 2^53, so a
    // float64 accumulation of the mantissa is inexact. The expected value is Number() of the text.
    const tokens = ['9007199254740993', '-9007199254740993', '0.9007199254740993', '12345678901234567', '1.2345678901234567', '-98765.432109876543', '99999999999999999', '0.12345678901234568'];
    expectSame(tokens, parse(tokens.join('\\')));
  });
});
