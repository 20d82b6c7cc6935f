// SPDX-License-Identifier: BSD-3-Clause
// The ROI expression language: `Name = expr` defines a derived ROI from the ROIs of a structure
// set with union, intersection, difference and margins. Parsing only; see roi-algebra.ts for
// what an expression means.
//
//   definition := name '=' expr
//   expr       := term (('|' | '-') term)*            left-associative
//   term       := factor ('&' factor)*               '&' binds tighter than '|' and '-'
//   factor     := ROI | '(' expr ')' | expand '(' expr ',' margin ')' | shrink '(' expr ',' margin ')'
//   ROI        := "quoted name" (\" and \\ escapes) | bare word [A-Za-z_][A-Za-z0-9_.+-]* | ROI number
//   margin     := mm | '[' x_mm ',' y_mm ',' z_mm ']'
//
// Bounds (option-limits.ts), so that parsing and what follows stay small and never overflow the
// stack: at most MAX_ROI_EXPRESSION_LENGTH characters, MAX_ROI_EXPRESSION_DEPTH levels of
// parentheses and expand( / shrink(, margins up to MAX_MARGIN_MM and nested margins adding up to
// no more than that.
import { DosekitError } from '../errors.js';
import { requireString } from '../validate.js';
import { requireRoiExpressionNode } from './roi-expression-check.js';
import { MAX_MARGIN_MM, MAX_ROI_EXPRESSION_DEPTH, MAX_ROI_EXPRESSION_LENGTH } from './option-limits.js';

/** A reference to an ROI of the structure set. */
export interface RoiReferenceNode {
  readonly kind: 'roi';
  /** An ROI number, or a name: exact when quoted, else matched case-insensitively. */
  readonly ref: number | string;
  readonly quoted: boolean;
  /** 1-based column of the reference in the text parsed. */
  readonly column: number;
}

/** A Boolean operation: union (|), intersection (&) or difference (-). */
export interface RoiBooleanNode {
  readonly kind: 'union' | 'intersection' | 'difference';
  readonly left: RoiExpressionNode;
  readonly right: RoiExpressionNode;
  readonly column: number;
}

/** A margin: expand or shrink by [x, y, z] mm (patient axes). */
export interface RoiMarginNode {
  readonly kind: 'expand' | 'shrink';
  readonly operand: RoiExpressionNode;
  readonly marginMm: readonly [number, number, number];
  readonly column: number;
}

/** A parsed ROI expression. */
export type RoiExpressionNode = RoiReferenceNode | RoiBooleanNode | RoiMarginNode;

/** A parsed `Name = expr` definition. */
export interface RoiDefinition {
  readonly name: string;
  /** The text of the expression (after the `=`), trimmed. */
  readonly expression: string;
  readonly root: RoiExpressionNode;
}

/** The grammar, for help texts. */
export const ROI_EXPRESSION_GRAMMAR =
  'Name = expr; expr: A | B (union), A & B (intersection, binds tighter), A - B (difference), (expr), expand(expr, mm), shrink(expr, mm), margins mm or [x, y, z] mm; ROIs as "Quoted Name", BareName (case-insensitive) or ROI number';

type TokenKind = '(' | ')' | '[' | ']' | ',' | '|' | '&' | '-' | '=' | 'string' | 'word' | 'number' | 'end';

interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** The unescaped value of a string, the word, or the number's text. */
  readonly value: string;
  /** 0-based offset in the full text. */
  readonly offset: number;
}

/** E_BAD_ROI_EXPRESSION with the text and a caret under `offset` (0-based). */
export function badExpression(text: string, offset: number, what: string): DosekitError {
  const column = offset + 1;
  return new DosekitError('E_BAD_ROI_EXPRESSION', `bad ROI expression: ${what} at column ${column}:\n  ${text}\n  ${' '.repeat(offset)}^`, { expression: text, column });
}

const WORD_START = /[A-Za-z_]/;
const WORD_PART = /[A-Za-z0-9_.+-]/;
const SINGLE = new Set(['(', ')', '[', ']', ',', '|', '&', '-', '=']);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    const start = i;
    if (ch === '"') {
      let value = '';
      i += 1;
      for (;;) {
        if (i >= text.length) throw badExpression(text, start, 'unterminated quoted ROI name (missing closing ")');
        const c = text[i];
        if (c === '"') break;
        if (c === '\\') {
          const next = text[i + 1];
          if (next !== '"' && next !== '\\') throw badExpression(text, i, 'only \\" and \\\\ may follow a backslash in a quoted name');
          value += next;
          i += 2;
          continue;
        }
        value += c;
        i += 1;
      }
      i += 1;
      if (value.length === 0) throw badExpression(text, start, 'empty ROI name');
      tokens.push({ kind: 'string', text: text.slice(start, i), value, offset: start });
    } else if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      while (i < text.length && /[0-9]/.test(text[i])) i += 1;
      if (text[i] === '.') {
        i += 1;
        while (i < text.length && /[0-9]/.test(text[i])) i += 1;
      }
      if (i < text.length && WORD_START.test(text[i])) throw badExpression(text, start, 'a name that starts with a digit must be quoted');
      tokens.push({ kind: 'number', text: text.slice(start, i), value: text.slice(start, i), offset: start });
    } else if (WORD_START.test(ch)) {
      while (i < text.length && WORD_PART.test(text[i])) i += 1;
      const word = text.slice(start, i);
      tokens.push({ kind: 'word', text: word, value: word, offset: start });
    } else if (SINGLE.has(ch)) {
      i += 1;
      tokens.push({ kind: ch as TokenKind, text: ch, value: ch, offset: start });
    } else {
      throw badExpression(text, start, `unexpected character ${JSON.stringify(ch)}`);
    }
  }
  tokens.push({ kind: 'end', text: '', value: '', offset: text.length });
  return tokens;
}

function describeToken(token: Token): string {
  return token.kind === 'end' ? 'the end of the expression' : `"${token.text}"`;
}

/** E_BAD_ROI_EXPRESSION for a text too long to parse (the message does not repeat it). */
function checkLength(text: string): void {
  if (text.length <= MAX_ROI_EXPRESSION_LENGTH) return;
  throw new DosekitError(
    'E_BAD_ROI_EXPRESSION',
    `bad ROI expression: it is ${text.length} characters long; at most ${MAX_ROI_EXPRESSION_LENGTH} are accepted. Write a shorter expression (quoted names and spaces count).`,
    { expression: `${text.slice(0, 80)}…`, length: text.length, limit: MAX_ROI_EXPRESSION_LENGTH },
  );
}

class Parser {
  private at = 0;
  /** Parentheses and expand( / shrink( open at this point. */
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly tokens: readonly Token[],
  ) {}

  peek(): Token {
    return this.tokens[this.at];
  }

  next(): Token {
    const token = this.tokens[this.at];
    if (token.kind !== 'end') this.at += 1;
    return token;
  }

  /** Enters one level of nesting at `token`, refusing more than MAX_ROI_EXPRESSION_DEPTH. */
  enter(token: Token): void {
    this.depth += 1;
    if (this.depth > MAX_ROI_EXPRESSION_DEPTH) {
      throw badExpression(this.text, token.offset, `more than ${MAX_ROI_EXPRESSION_DEPTH} levels of parentheses and expand( / shrink( nested here; at most ${MAX_ROI_EXPRESSION_DEPTH} are accepted`);
    }
  }

  expect(kind: TokenKind, what: string): Token {
    const token = this.peek();
    if (token.kind !== kind) throw badExpression(this.text, token.offset, `expected ${what} but found ${describeToken(token)}`);
    return this.next();
  }

  expression(): RoiExpressionNode {
    let left = this.term();
    for (;;) {
      const op = this.peek();
      if (op.kind !== '|' && op.kind !== '-') return left;
      this.next();
      const right = this.term();
      left = { kind: op.kind === '|' ? 'union' : 'difference', left, right, column: op.offset + 1 };
    }
  }

  term(): RoiExpressionNode {
    let left = this.factor();
    while (this.peek().kind === '&') {
      const op = this.next();
      const right = this.factor();
      left = { kind: 'intersection', left, right, column: op.offset + 1 };
    }
    return left;
  }

  factor(): RoiExpressionNode {
    const token = this.peek();
    if (token.kind === '(') {
      this.enter(token);
      this.next();
      const inner = this.expression();
      this.expect(')', '")"');
      this.depth -= 1;
      return inner;
    }
    if (token.kind === 'string') {
      this.next();
      return { kind: 'roi', ref: token.value, quoted: true, column: token.offset + 1 };
    }
    if (token.kind === 'number') {
      this.next();
      if (!/^\d+$/.test(token.value)) throw badExpression(this.text, token.offset, `an ROI number must be a whole number (got ${token.value})`);
      return { kind: 'roi', ref: Number(token.value), quoted: false, column: token.offset + 1 };
    }
    if (token.kind === 'word') {
      this.next();
      const fn = token.value.toLowerCase();
      if ((fn === 'expand' || fn === 'shrink') && this.peek().kind === '(') {
        this.enter(token);
        this.next();
        const operand = this.expression();
        this.expect(',', '"," and a margin in mm');
        const marginMm = this.margin();
        this.expect(')', `")" closing ${fn}(`);
        this.depth -= 1;
        return { kind: fn, operand, marginMm, column: token.offset + 1 };
      }
      return { kind: 'roi', ref: token.value, quoted: false, column: token.offset + 1 };
    }
    throw badExpression(this.text, token.offset, `expected an ROI name, ROI number, "(", expand( or shrink( but found ${describeToken(token)}`);
  }

  millimetres(): number {
    const token = this.peek();
    if (token.kind === '-') throw badExpression(this.text, token.offset, 'a margin cannot be negative; use shrink( instead of expand( (or the reverse)');
    if (token.kind !== 'number') throw badExpression(this.text, token.offset, `expected a margin in mm but found ${describeToken(token)}`);
    this.next();
    const mm = Number(token.value);
    if (!Number.isFinite(mm)) throw badExpression(this.text, token.offset, `bad margin ${token.value}`);
    if (mm > MAX_MARGIN_MM) throw badExpression(this.text, token.offset, `a margin of ${token.value} mm is more than the ${MAX_MARGIN_MM} mm accepted (margins are 0 to ${MAX_MARGIN_MM} mm)`);
    return mm;
  }

  margin(): readonly [number, number, number] {
    if (this.peek().kind !== '[') {
      const mm = this.millimetres();
      return [mm, mm, mm];
    }
    this.next();
    const x = this.millimetres();
    this.expect(',', '"," between the x, y and z margins');
    const y = this.millimetres();
    this.expect(',', '"," between the x, y and z margins');
    const z = this.millimetres();
    this.expect(']', '"]" after the z margin');
    return [x, y, z];
  }

  end(): void {
    const token = this.peek();
    if (token.kind !== 'end') {
      const hint = token.kind === 'word' || token.kind === 'string' || token.kind === 'number' ? ' (an operator |, & or - is missing)' : '';
      throw badExpression(this.text, token.offset, `unexpected ${describeToken(token)}${hint}`);
    }
  }
}

/**
 * Parses an ROI expression such as `"Parotid L" | "Parotid R"` or `expand(CTV, 5) - Rectum`.
 * Names are resolved later, against a structure set.
 * @throws DosekitError E_BAD_ROI_EXPRESSION with the column (details.column, 1-based) and a caret.
 */
export function parseRoiExpression(text: string): RoiExpressionNode {
  requireString(text, 'text');
  checkLength(text);
  const parser = new Parser(text, tokenize(text));
  if (parser.peek().kind === 'end') throw badExpression(text, text.length, 'empty ROI expression');
  const root = parser.expression();
  parser.end();
  checkNestedMargins(text, root);
  return root;
}

/**
 * Refuses margins nested inside one another whose sum along an axis exceeds MAX_MARGIN_MM
 * (expand(expand(A, 60), 60) grows A by 120 mm, and costs as much). Iterative: the tree of a
 * long chain of operators is as deep as the chain. Columns count from the start of `text`.
 */
function checkNestedMargins(text: string, root: RoiExpressionNode): void {
  const stack: { node: RoiExpressionNode; sum: readonly [number, number, number] }[] = [{ node: root, sum: [0, 0, 0] }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { node, sum } = item;
    if (node.kind === 'roi') continue;
    if (node.kind === 'expand' || node.kind === 'shrink') {
      const total = [0, 1, 2].map((k) => sum[k] + node.marginMm[k]) as [number, number, number];
      const largest = Math.max(...total);
      if (largest > MAX_MARGIN_MM) {
        throw badExpression(text, node.column - 1, `the margins nested here add up to ${largest} mm, more than the ${MAX_MARGIN_MM} mm accepted`);
      }
      stack.push({ node: node.operand, sum: total });
    } else {
      const { left, right } = node as RoiBooleanNode;
      stack.push({ node: left, sum }, { node: right, sum });
    }
  }
}

/**
 * Parses `Name = expr` (the name bare or quoted). Columns in errors count from the start of
 * the whole definition.
 * @throws DosekitError E_BAD_ROI_EXPRESSION.
 */
export function parseRoiDefinition(text: string): RoiDefinition {
  requireString(text, 'text');
  checkLength(text);
  const tokens = tokenize(text);
  const parser = new Parser(text, tokens);
  const nameToken = parser.peek();
  if (nameToken.kind !== 'word' && nameToken.kind !== 'string') {
    throw badExpression(text, nameToken.offset, `expected the new ROI's name before "=" (write Name = expression) but found ${describeToken(nameToken)}`);
  }
  parser.next();
  const equals = parser.expect('=', '"=" after the name (write Name = expression)');
  if (parser.peek().kind === 'end') throw badExpression(text, text.length, 'empty ROI expression after "="');
  const root = parser.expression();
  parser.end();
  checkNestedMargins(text, root);
  return { name: nameToken.value, expression: text.slice(equals.offset + 1).trim(), root };
}

function quoteName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.+-]*$/.test(name) && !/^(expand|shrink)$/i.test(name) ? name : `"${name.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function formatMargin(m: readonly [number, number, number]): string {
  return m[0] === m[1] && m[1] === m[2] ? String(m[0]) : `[${m.join(', ')}]`;
}

/** The expression as text with every operation parenthesised (shows how it was parsed). */
export function formatRoiExpression(node: RoiExpressionNode): string {
  requireRoiExpressionNode(node, 'node');
  return formatNode(node);
}

function formatNode(node: RoiExpressionNode): string {
  switch (node.kind) {
    case 'roi':
      return typeof node.ref === 'number' ? String(node.ref) : quoteName(node.ref);
    case 'expand':
    case 'shrink':
      return `${node.kind}(${formatNode(node.operand)}, ${formatMargin(node.marginMm)})`;
    default: {
      const op = node.kind === 'union' ? '|' : node.kind === 'intersection' ? '&' : '-';
      return `(${formatNode(node.left)} ${op} ${formatNode(node.right)})`;
    }
  }
}
