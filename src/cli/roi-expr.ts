// SPDX-License-Identifier: BSD-3-Clause
// `--roi-expr NAME=EXPRESSION`: derived ROIs (structure algebra) on the command line.
import type { CalculateDvhsOptions } from '../dvh/calculate.js';
import { type StructureSetInput, resolveStructureSet } from '../dvh/inputs.js';
import { parseRoiDefinition } from '../dvh/roi-expression.js';

/**
 * The `rois` of a `dosekit dvh` run: the --roi ids, plus one {name, expression} per --roi-expr.
 * Without --roi the plain ROIs are every ROI of the structure set (as without --roi-expr), so the
 * structure set is read here for their numbers.
 * @throws DosekitError E_BAD_ROI_EXPRESSION (with the column in the --roi-expr text).
 */
export async function cliRois(ids: readonly (number | string)[] | undefined, definitions: readonly string[] | undefined, structure: StructureSetInput): Promise<CalculateDvhsOptions['rois']> {
  if (!definitions || definitions.length === 0) return ids;
  const derived = definitions.map((text) => {
    const { name, expression } = parseRoiDefinition(text);
    return { name, expression };
  });
  const plain = ids ?? (await resolveStructureSet(structure)).rois.map((roi) => roi.number);
  return [...plain, ...derived];
}
