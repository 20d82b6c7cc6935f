// SPDX-License-Identifier: BSD-3-Clause
/**
 * Checks an ROI expression tree given to the API (formatRoiExpression): every node of a known
 * kind with its fields, no cycles, and no more nodes than a parsed expression can have, so that a hand-built or
 * damaged tree fails with E_INVALID_ARGUMENT instead of a TypeError or a stack overflow.
 */
import { DosekitError } from '../errors.js';
import { describeValue } from '../validate.js';
import { MAX_ROI_EXPRESSION_LENGTH } from './option-limits.js';

function bad(path: string, what: string, value: unknown): never {
  throw new DosekitError('E_INVALID_ARGUMENT', `${path} must be ${what} (got ${describeValue(value)}).`, { argument: path });
}

/**
 * The most nodes in a tree: no parsed expression has more (each node takes at least one character
 * of an expression of at most MAX_ROI_EXPRESSION_LENGTH), and it bounds the formatter's recursion.
 */
const MAX_NODES = MAX_ROI_EXPRESSION_LENGTH;

/** The tree under `node`, checked iteratively. */
export function requireRoiExpressionNode(node: unknown, name: string): void {
  const stack: { value: unknown; path: string }[] = [{ value: node, path: name }];
  const seen = new Set<unknown>();
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) bad(path, 'an ROI expression node (from parseRoiExpression)', value);
    if (seen.has(value)) bad(path, 'a tree (a node may not contain itself)', value);
    if (seen.size >= MAX_NODES) bad(name, `a tree of at most ${MAX_NODES} nodes`, node);
    seen.add(value);
    const n = value as Record<string, unknown>;
    const at = (field: string) => `${path.length > 80 ? `…${path.slice(-80)}` : path}.${field}`;
    switch (n.kind) {
      case 'roi':
        if (!(typeof n.ref === 'string' || (typeof n.ref === 'number' && Number.isSafeInteger(n.ref)))) bad(at('ref'), 'an ROI name or number', n.ref);
        break;
      case 'expand':
      case 'shrink': {
        const m = n.marginMm;
        if (!Array.isArray(m) || m.length !== 3 || !m.every((v) => typeof v === 'number' && Number.isFinite(v))) bad(at('marginMm'), 'three finite numbers of mm', m);
        stack.push({ value: n.operand, path: at('operand') });
        break;
      }
      case 'union':
      case 'intersection':
      case 'difference':
        stack.push({ value: n.left, path: at('left') }, { value: n.right, path: at('right') });
        break;
      default:
        bad(at('kind'), "'roi', 'union', 'intersection', 'difference', 'expand' or 'shrink'", n.kind);
    }
  }
}
