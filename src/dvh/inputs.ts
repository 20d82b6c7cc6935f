// SPDX-License-Identifier: BSD-3-Clause
import { DicomParser } from '../dicom/parser.js';
import { DosekitError } from '../errors.js';
import { DoseGrid } from '../model/dose-grid.js';
import type { StructureSet } from '../model/structure-set.js';

/** Anything a structure set can be given as: a file path (Node/Deno), bytes, a parser or the model. */
export type StructureSetInput = string | Uint8Array | ArrayBuffer | DicomParser | StructureSet;
/** Anything a dose grid can be given as: a file path (Node/Deno), bytes, a parser or the model. */
export type DoseGridInput = string | Uint8Array | ArrayBuffer | DicomParser | DoseGrid;

async function toParser(input: string | Uint8Array | ArrayBuffer | DicomParser): Promise<DicomParser> {
  if (input instanceof DicomParser) return input;
  if (typeof input === 'string') return DicomParser.fromFile(input);
  return DicomParser.fromBytes(input);
}

function isStructureSet(value: unknown): value is StructureSet {
  return typeof value === 'object' && value !== null && Array.isArray((value as StructureSet).rois) && typeof (value as StructureSet).source === 'string';
}

/** Resolves a structure-set input to the model. @throws E_NOT_RTSTRUCT for another kind of file. */
export async function resolveStructureSet(input: StructureSetInput): Promise<StructureSet> {
  if (isStructureSet(input)) return input;
  if (typeof input !== 'string' && !(input instanceof DicomParser) && !ArrayBuffer.isView(input) && Object.prototype.toString.call(input) !== '[object ArrayBuffer]') {
    throw new DosekitError('E_INVALID_ARGUMENT', 'the structure set must be a file path, bytes, a DicomParser or a StructureSet.');
  }
  return (await toParser(input)).toStructureSet();
}

/** Resolves a dose input to the model. @throws E_NOT_RTDOSE for another kind of file. */
export async function resolveDoseGrid(input: DoseGridInput): Promise<DoseGrid> {
  if (input instanceof DoseGrid) return input;
  if (typeof input !== 'string' && !(input instanceof DicomParser) && !ArrayBuffer.isView(input) && Object.prototype.toString.call(input) !== '[object ArrayBuffer]') {
    throw new DosekitError('E_INVALID_ARGUMENT', 'the dose must be a file path, bytes, a DicomParser or a DoseGrid.');
  }
  return (await toParser(input)).toDoseGrid();
}
