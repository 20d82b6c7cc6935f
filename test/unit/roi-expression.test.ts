// SPDX-License-Identifier: BSD-3-Clause
// The ROI expression parser: precedence, quoting, numbers, margins and the column of every error.
import { describe, expect, it } from 'vitest';
import { isDosekitError } from '../../src/errors.js';
import { formatRoiExpression, parseRoiDefinition, parseRoiExpression } from '../../src/dvh/roi-expression.js';

const shown = (text: string) => formatRoiExpression(parseRoiExpression(text));

/** The error's code and column (1-based), and that its message points a caret at that column. */
function failure(parse: () => unknown): { code: string; column: number; message: string } {
  try {
    parse();
  } catch (error) {
    if (!isDosekitError(error)) throw error;
    const column = error.details.column as number;
    const lines = error.message.split('\n');
    // The expression is indented two spaces and the caret sits under the offending character.
    expect(lines[2].indexOf('^') - 2).toBe(column - 1);
    return { code: error.code, column, message: error.message };
  }
  throw new Error('no error');
}

describe('ROI expressions: precedence and associativity', () => {
  it('& binds tighter than | and -', () => {
    expect(shown('A | B & C')).toBe('(A | (B & C))');
    expect(shown('A & B | C')).toBe('((A & B) | C)');
    expect(shown('A - B & C')).toBe('(A - (B & C))');
    expect(shown('A & B - C & D')).toBe('((A & B) - (C & D))');
  });

  it('| and - are left-associative at one level, & is left-associative', () => {
    expect(shown('A - B - C')).toBe('((A - B) - C)');
    expect(shown('A | B - C')).toBe('((A | B) - C)');
    expect(shown('A - B | C')).toBe('((A - B) | C)');
    expect(shown('A & B & C')).toBe('((A & B) & C)');
  });

  it('parentheses override, whitespace is free', () => {
    expect(shown('A - (B | C)')).toBe('(A - (B | C))');
    expect(shown('(A|B)&C')).toBe('((A | B) & C)');
    expect(shown('  ( ( A ) )  ')).toBe('A');
    expect(shown('A\t|\nB')).toBe('(A | B)');
  });

  it('records the column of each operation and reference', () => {
    const root = parseRoiExpression('A | "B" & 3');
    expect(root).toMatchObject({ kind: 'union', column: 3, left: { kind: 'roi', ref: 'A', column: 1 }, right: { kind: 'intersection', column: 9 } });
    if (root.kind !== 'union' || root.right.kind !== 'intersection') throw new Error('shape');
    expect(root.right.left).toEqual({ kind: 'roi', ref: 'B', quoted: true, column: 5 });
    expect(root.right.right).toEqual({ kind: 'roi', ref: 3, quoted: false, column: 11 });
  });
});

describe('ROI expressions: names, quoting and numbers', () => {
  it('quoted names keep spaces and take \\" and \\\\ escapes', () => {
    expect(parseRoiExpression('"Parotid L"')).toEqual({ kind: 'roi', ref: 'Parotid L', quoted: true, column: 1 });
    expect(parseRoiExpression('"a \\"b\\" \\\\ c"')).toMatchObject({ ref: 'a "b" \\ c', quoted: true });
    expect(shown('"Parotid L" | "Parotid R"')).toBe('("Parotid L" | "Parotid R")');
  });

  it('bare words take letters, digits, _ . + - (so A-B is one name; A - B subtracts)', () => {
    expect(parseRoiExpression('PTV_70.0+5mm')).toMatchObject({ kind: 'roi', ref: 'PTV_70.0+5mm', quoted: false });
    expect(parseRoiExpression('Lung-L')).toMatchObject({ kind: 'roi', ref: 'Lung-L' });
    expect(shown('Lung - L')).toBe('(Lung - L)');
    expect(shown('expand(A,2)-B')).toBe('(expand(A, 2) - B)');
  });

  it('whole numbers are ROI numbers', () => {
    expect(parseRoiExpression('12')).toEqual({ kind: 'roi', ref: 12, quoted: false, column: 1 });
    expect(shown('1 | 2 & 10')).toBe('(1 | (2 & 10))');
    expect(parseRoiExpression('"12"')).toMatchObject({ ref: '12', quoted: true });
  });

  it('expand and shrink are functions only when followed by "(" (case-insensitive)', () => {
    expect(parseRoiExpression('expand')).toMatchObject({ kind: 'roi', ref: 'expand' });
    expect(parseRoiExpression('EXPAND(A, 1)')).toMatchObject({ kind: 'expand', marginMm: [1, 1, 1] });
    expect(shown('Shrink(A,1) | expand')).toBe('(shrink(A, 1) | "expand")');
  });
});

describe('ROI expressions: margins', () => {
  it('a number is an isotropic margin in mm, [x, y, z] an anisotropic one', () => {
    expect(parseRoiExpression('expand(CTV, 5)')).toEqual({ kind: 'expand', operand: { kind: 'roi', ref: 'CTV', quoted: false, column: 8 }, marginMm: [5, 5, 5], column: 1 });
    expect(parseRoiExpression('shrink(CTV, [1, 2.5, 0])')).toMatchObject({ kind: 'shrink', marginMm: [1, 2.5, 0] });
    expect(parseRoiExpression('expand(A, .5)')).toMatchObject({ marginMm: [0.5, 0.5, 0.5] });
  });

  it('nests and combines', () => {
    expect(shown('expand(shrink(A, 2) | B, 3) - C')).toBe('(expand((shrink(A, 2) | B), 3) - C)');
    expect(shown('expand("Parotid L" & 3, [1, 1, 2])')).toBe('expand(("Parotid L" & 3), [1, 1, 2])');
  });
});

describe('ROI expressions: errors carry the column and a caret', () => {
  const cases: [string, number, RegExp][] = [
    ['A | | B', 5, /expected an ROI name/],
    ['(A | B', 7, /expected "\)" but found the end/],
    ['A B', 3, /operator \|, & or - is missing/],
    ['A | "B', 5, /unterminated quoted ROI name/],
    ['"a \\x"', 4, /only \\" and \\\\/],
    ['""', 1, /empty ROI name/],
    ['expand(A)', 9, /expected "," and a margin/],
    ['expand(A, -5)', 11, /cannot be negative/],
    ['expand(A, B)', 11, /expected a margin in mm/],
    ['shrink(A, [1, 2])', 16, /"," between the x, y and z margins/],
    ['shrink(A, [1, 2, 3)', 19, /"\]" after the z margin/],
    ['A | 1.5', 5, /whole number/],
    ['A | 2x', 5, /starts with a digit must be quoted/],
    ['A $ B', 3, /unexpected character "\$"/],
    ['', 1, /empty ROI expression/],
    ['A )', 3, /unexpected "\)"/],
  ];
  it.each(cases)('%s: column %i', (text, column, pattern) => {
    const f = failure(() => parseRoiExpression(text));
    expect(f.code).toBe('E_BAD_ROI_EXPRESSION');
    expect(f.column).toBe(column);
    expect(f.message).toMatch(pattern);
    expect(f.message).toContain(`column ${column}`);
  });
});

describe('ROI definitions: Name = expr', () => {
  it('bare or quoted names; the expression text follows the =', () => {
    expect(parseRoiDefinition('Parotids = "Parotid L" | "Parotid R"')).toMatchObject({ name: 'Parotids', expression: '"Parotid L" | "Parotid R"', root: { kind: 'union' } });
    expect(parseRoiDefinition('"PTV ring"=expand(PTV,10)-PTV')).toMatchObject({ name: 'PTV ring', expression: 'expand(PTV,10)-PTV' });
  });

  it('columns count from the start of the definition', () => {
    expect(failure(() => parseRoiDefinition('P = Heart | | x')).column).toBe(13);
    expect(failure(() => parseRoiDefinition('P Heart')).column).toBe(3);
    expect(failure(() => parseRoiDefinition('= Heart')).column).toBe(1);
    expect(failure(() => parseRoiDefinition('P = ')).message).toMatch(/empty ROI expression after "="/);
  });
});
