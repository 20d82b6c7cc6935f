// SPDX-License-Identifier: BSD-3-Clause
// Resolving an ROI expression against a structure set: its names and numbers become ROIs, its
// margins become contour ROIs (roi-margin.ts), and what is left is a Boolean combination of
// contour ROIs that each DVH algorithm evaluates on its own samples (plan-derived.ts).
import { DosekitError, requireArgument } from '../errors.js';
import { type Roi, type StructureSet, paletteColor, roiDefect } from '../model/structure-set.js';
import type { BooleanTree } from './boolean-tree.js';
import type { BooleanShape, ShapeLeaf } from './derived-shape.js';
import { type RoiExpressionNode, type RoiReferenceNode, parseRoiExpression } from './roi-expression.js';
import { marginRoi } from './roi-margin.js';

/** A derived ROI to calculate: its name and its expression (see roi-expression.ts for the grammar). */
export interface RoiExpressionRequest {
  readonly name: string;
  readonly expression: string;
}

/** A resolved derived ROI: its identity (no contours of its own) and its Boolean shape. */
export interface DerivedRoi {
  /** number: the derived ROI's id (negative: -1 for the first expression requested, -2 ...). */
  readonly roi: Roi;
  readonly expression: string;
  readonly shape: BooleanShape;
}

/**
 * Checks a request and parses its expression.
 * @throws DosekitError E_INVALID_ARGUMENT (not a {name, expression} of strings), E_BAD_ROI_EXPRESSION.
 */
export function parseRoiRequest(request: RoiExpressionRequest): RoiExpressionNode {
  requireArgument(
    typeof request === 'object' && request !== null && typeof request.name === 'string' && request.name.trim() !== '' && typeof request.expression === 'string',
    `a derived ROI is {name, expression} with a non-empty name (got ${JSON.stringify(request)}).`,
    { option: 'rois' },
  );
  return parseRoiExpression(request.expression);
}

interface Context {
  readonly structureSet: StructureSet;
  readonly request: RoiExpressionRequest;
  readonly number: number;
  readonly thicknessMm?: number;
  readonly signal?: AbortSignal;
  readonly memoryLimitBytes?: number;
}

class Leaves {
  readonly list: ShapeLeaf[] = [];
  private readonly index = new Map<Roi, number>();

  add(leaf: ShapeLeaf): BooleanTree {
    let k = this.index.get(leaf.roi);
    if (k === undefined) {
      k = this.list.length;
      this.list.push(leaf);
      this.index.set(leaf.roi, k);
    }
    return { op: 'leaf', leaf: k };
  }
}

function lookUp(structureSet: StructureSet, node: RoiReferenceNode): Roi | undefined {
  const { rois } = structureSet;
  if (typeof node.ref === 'number') return rois.find((r) => r.number === node.ref);
  const name = node.ref;
  return rois.find((r) => r.name === name) ?? rois.find((r) => r.name.toLowerCase() === name.toLowerCase());
}

function reference(node: RoiReferenceNode, ctx: Context): Roi {
  const roi = lookUp(ctx.structureSet, node);
  const what = `ROI ${ctx.number} "${ctx.request.name}" = ${ctx.request.expression}`;
  if (!roi) {
    const list = ctx.structureSet.rois.map((r) => `${r.number} "${r.name}"`).join(', ');
    const shown = typeof node.ref === 'number' ? `number ${node.ref}` : JSON.stringify(node.ref);
    const hint = !node.quoted && typeof node.ref === 'string' && /[-+]/.test(node.ref) ? ' (a bare name includes "-" and "+": write A - B with spaces to subtract, or quote the name)' : '';
    throw new DosekitError('E_ROI_NOT_FOUND', `${what}: no ROI ${shown} (column ${node.column}) in ${ctx.structureSet.source}${hint}; it has ${list || 'no ROIs'}.`, {
      file: ctx.structureSet.source,
      roi: node.ref,
      column: node.column,
    });
  }
  const defect = roiDefect(roi, ctx.structureSet.source);
  if (defect) {
    throw new DosekitError(defect.code, `${what}: its operand ROI ${roi.number} "${roi.name}" cannot be used: ${defect.message}`, { roi: roi.number, column: node.column });
  }
  return roi;
}

async function compile(node: RoiExpressionNode, leaves: Leaves, ctx: Context): Promise<BooleanTree> {
  switch (node.kind) {
    case 'roi':
      return leaves.add({ roi: reference(node, ctx) });
    case 'union':
    case 'intersection':
    case 'difference': {
      const a = await compile(node.left, leaves, ctx);
      const b = await compile(node.right, leaves, ctx);
      return { op: node.kind === 'union' ? 'or' : node.kind === 'intersection' ? 'and' : 'andNot', a, b };
    }
    default: {
      if (node.marginMm.every((m) => m === 0)) return compile(node.operand, leaves, ctx);
      const inner = new Leaves();
      const tree = await compile(node.operand, inner, ctx);
      const result = await marginRoi(
        { leaves: inner.list, tree },
        { kind: node.kind, marginMm: node.marginMm, number: ctx.number, name: ctx.request.name, thicknessMm: ctx.thicknessMm, signal: ctx.signal, memoryLimitBytes: ctx.memoryLimitBytes },
      );
      return leaves.add({ roi: result.roi, spacingMm: result.spacingMm });
    }
  }
}

/**
 * Resolves a parsed expression against a structure set; margins are computed here.
 * @throws DosekitError E_ROI_NOT_FOUND (naming the ROI and its column), an operand's defect
 *   code, E_UNKNOWN_THICKNESS, E_TOO_LARGE.
 */
export async function resolveDerivedRoi(
  request: RoiExpressionRequest,
  root: RoiExpressionNode,
  number: number,
  structureSet: StructureSet,
  options: { readonly thicknessMm?: number; readonly signal?: AbortSignal; readonly memoryLimitBytes?: number } = {},
): Promise<DerivedRoi> {
  const ctx: Context = { structureSet, request, number, thicknessMm: options.thicknessMm, signal: options.signal, memoryLimitBytes: options.memoryLimitBytes };
  const leaves = new Leaves();
  const tree = await compile(root, leaves, ctx);
  const roi: Roi = Object.freeze({ number, name: request.name, color: paletteColor(number), colorFromFile: false, planes: Object.freeze([]), empty: false });
  return { roi, expression: request.expression, shape: { leaves: leaves.list, tree } };
}
