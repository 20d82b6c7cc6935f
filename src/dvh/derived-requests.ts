// SPDX-License-Identifier: BSD-3-Clause
// The derived ROIs of a calculateDvhs call: parsed before any file is read, resolved against the
// structure set, and planned together with the plain ROIs (one pass over the dose planes).
import { DosekitError, type DosekitErrorCode, isDosekitError } from '../errors.js';
import type { DoseGrid } from '../model/dose-grid.js';
import type { Roi, StructureSet } from '../model/structure-set.js';
import type { CalculationPlan } from './calculation-plan.js';
import type { DvhAlgorithm, DvhCalculationOptions } from './calculation-options.js';
import type { DvhProvenance } from './dvh.js';
import { dicompylerSampling, planDicompyler } from './plan-dicompyler.js';
import { dicompylerDerived, preciseDerived } from './plan-derived.js';
import { type PreciseStructure, planPrecise } from './plan-precise.js';
import { type DerivedRoi, type RoiExpressionRequest, parseRoiRequest, resolveDerivedRoi } from './roi-algebra.js';
import type { RoiExpressionNode } from './roi-expression.js';

/** Why one derived ROI has no DVH (the shape of RoiDvhError). */
export interface DerivedError {
  readonly roi: number;
  readonly name: string;
  readonly code: DosekitErrorCode;
  readonly message: string;
}

/** A parsed derived-ROI request with its id. */
export interface ParsedRequest {
  readonly request: RoiExpressionRequest;
  readonly root: RoiExpressionNode;
  /** The derived ROI's id: -1 for the first expression of `rois`, -2 for the second... */
  readonly number: number;
}

/**
 * Splits `rois` into plain ids and derived-ROI requests, parsing every expression (so that a
 * syntax error, or two derived ROIs of one name, fails the call before any file is read).
 * @throws DosekitError E_BAD_ROI_EXPRESSION, E_INVALID_ARGUMENT.
 */
export function splitRoiRequests(rois: readonly (number | string | RoiExpressionRequest)[] | 'all' | undefined): { plain: readonly (number | string)[] | 'all' | undefined; derived: ParsedRequest[] } {
  if (rois === undefined || rois === 'all') return { plain: rois, derived: [] };
  const plain: (number | string)[] = [];
  const derived: ParsedRequest[] = [];
  const names = new Map<string, string>();
  for (const item of rois) {
    if (typeof item === 'number' || typeof item === 'string') plain.push(item);
    else {
      const root = parseRoiRequest(item);
      // Two rows of one name could not be told apart (by people, CSV readers or name look-ups).
      const key = nameKey(item.name);
      const earlier = names.get(key);
      if (earlier !== undefined) {
        throw new DosekitError('E_BAD_ROI_EXPRESSION', `two derived ROIs are named ${JSON.stringify(earlier)} and ${JSON.stringify(item.name)} (names are compared ignoring case and surrounding spaces); give each derived ROI its own name.`, { name: item.name, option: 'rois' });
      }
      names.set(key, item.name);
      derived.push({ request: item, root, number: -(derived.length + 1) });
    }
  }
  // A list of expressions alone asks for no plain ROI (not for all of them).
  return { plain, derived };
}

/** How ROI names are compared for clashes: ignoring case and surrounding spaces, as ROI look-ups by name. */
function nameKey(name: string): string {
  return name.trim().toLowerCase();
}

/**
 * Refuses a derived ROI named like one of the structure set's ROIs: its DVH would be a second
 * row of that name (and `--roi-expr 'Heart=expand(Heart, 5)'` reads as if it replaced Heart).
 * @throws DosekitError E_BAD_ROI_EXPRESSION.
 */
function checkNamesFree(requests: readonly ParsedRequest[], structureSet: StructureSet): void {
  for (const { request } of requests) {
    const clash = structureSet.rois.find((roi) => nameKey(roi.name) === nameKey(request.name));
    if (clash) {
      throw new DosekitError(
        'E_BAD_ROI_EXPRESSION',
        `the derived ROI ${JSON.stringify(request.name)} = ${request.expression} has the name of ROI ${clash.number} ${JSON.stringify(clash.name)} of ${structureSet.source} (names are compared ignoring case); give it a name of its own, e.g. ${JSON.stringify(`${request.name.trim()}_derived`)}.`,
        { name: request.name, roi: clash.number, file: structureSet.source, option: 'rois' },
      );
    }
  }
}

/**
 * Resolves the requests against the structure set (margins are computed here); failures become errors.
 * @throws DosekitError E_BAD_ROI_EXPRESSION when a derived ROI has the name of one of the structure set's ROIs.
 */
export async function resolveDerivedRois(requests: readonly ParsedRequest[], structureSet: StructureSet, options: DvhCalculationOptions): Promise<{ derived: DerivedRoi[]; errors: DerivedError[] }> {
  checkNamesFree(requests, structureSet);
  const derived: DerivedRoi[] = [];
  const errors: DerivedError[] = [];
  for (const { request, root, number } of requests) {
    try {
      derived.push(await resolveDerivedRoi(request, root, number, structureSet, { thicknessMm: options.thicknessMm, signal: options.signal, memoryLimitBytes: options.memoryLimitBytes }));
    } catch (error) {
      if (!isDosekitError(error)) throw error;
      errors.push({ roi: number, name: request.name, code: error.code, message: error.message });
    }
  }
  return { derived, errors };
}

/** The plan of plain and derived ROIs together, the derived ROIs that could not be planned, and each derived ROI's expression. */
export function planWithDerived(
  algorithm: DvhAlgorithm,
  rois: readonly Roi[],
  derived: readonly DerivedRoi[],
  grid: DoseGrid,
  options: DvhCalculationOptions,
  provenance: (roi: Roi) => DvhProvenance,
): { plan: CalculationPlan; errors: DerivedError[]; expressionOf: Map<Roi, string> } {
  const errors: DerivedError[] = [];
  const expressionOf = new Map<Roi, string>();
  if (algorithm === 'dicompyler') {
    const sampling = dicompylerSampling(grid, options);
    const thickness = new Map<Roi, number>();
    for (const d of derived) {
      const planned = dicompylerDerived(d, sampling, options);
      if ('code' in planned) errors.push({ roi: d.roi.number, name: d.roi.name, ...planned });
      else {
        thickness.set(planned.roi, planned.thicknessMm);
        expressionOf.set(planned.roi, d.expression);
      }
    }
    return { plan: planDicompyler([...rois, ...thickness.keys()], grid, options, provenance, (roi) => thickness.get(roi)), errors, expressionOf };
  }
  const structures: PreciseStructure[] = [];
  for (const d of derived) {
    const planned = preciseDerived(d, grid, options);
    if ('code' in planned) errors.push({ roi: d.roi.number, name: d.roi.name, ...planned });
    else {
      structures.push(planned);
      expressionOf.set(planned.roi, d.expression);
    }
  }
  return { plan: planPrecise(rois, grid, options, provenance, structures), errors, expressionOf };
}
