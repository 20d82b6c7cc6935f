// SPDX-License-Identifier: BSD-3-Clause
import { DosekitError } from '../errors.js';

/** The eight patient orientations dosekit supports (DICOM Patient Position names). */
export type PatientOrientation = 'HFS' | 'HFP' | 'FFS' | 'FFP' | 'HFDL' | 'HFDR' | 'FFDL' | 'FFDR';

interface OrientationEntry {
  readonly name: PatientOrientation;
  readonly cosines: readonly number[];
  /** 0 when image columns run along patient x, 1 when they run along patient y (decubitus). */
  readonly xLutIndex: 0 | 1;
  readonly headFirst: boolean;
}

const ORIENTATIONS: readonly OrientationEntry[] = [
  { name: 'HFS', cosines: [1, 0, 0, 0, 1, 0], xLutIndex: 0, headFirst: true },
  { name: 'HFP', cosines: [-1, 0, 0, 0, -1, 0], xLutIndex: 0, headFirst: true },
  { name: 'FFS', cosines: [-1, 0, 0, 0, 1, 0], xLutIndex: 0, headFirst: false },
  { name: 'FFP', cosines: [1, 0, 0, 0, -1, 0], xLutIndex: 0, headFirst: false },
  { name: 'HFDL', cosines: [0, -1, 0, 1, 0, 0], xLutIndex: 1, headFirst: true },
  { name: 'HFDR', cosines: [0, 1, 0, -1, 0, 0], xLutIndex: 1, headFirst: true },
  { name: 'FFDL', cosines: [0, 1, 0, 1, 0, 0], xLutIndex: 1, headFirst: false },
  { name: 'FFDR', cosines: [0, -1, 0, -1, 0, 0], xLutIndex: 1, headFirst: false },
];

/** Same tolerance as numpy.isclose defaults (rtol 1e-5, atol 1e-8), so classification matches dicompyler-core. */
function isClose(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-8 + 1e-5 * Math.abs(b);
}

/** The orientation of an ImageOrientationPatient, or undefined for an oblique one. */
export function findOrientation(imageOrientationPatient: readonly number[]): OrientationEntry | undefined {
  if (imageOrientationPatient.length !== 6) return undefined;
  return ORIENTATIONS.find((entry) => entry.cosines.every((c, i) => isClose(imageOrientationPatient[i], c)));
}

/**
 * Classifies ImageOrientationPatient as one of the eight axis-aligned orientations.
 * Head-first versus feet-first is decided from the cosines alone (as dicompyler-core does).
 * @throws DosekitError E_UNSUPPORTED_ORIENTATION for oblique orientations.
 */
export function classifyOrientation(imageOrientationPatient: readonly number[], file?: string): OrientationEntry {
  const entry = findOrientation(imageOrientationPatient);
  if (!entry) {
    throw new DosekitError(
      'E_UNSUPPORTED_ORIENTATION',
      `${file ? `${file}: ` : ''}ImageOrientationPatient [${imageOrientationPatient.join(', ')}] is oblique; dosekit supports the eight axis-aligned orientations ` +
        '(HFS, HFP, FFS, FFP, HFDL, HFDR, FFDL, FFDR). Resample the dose onto an axis-aligned grid in the planning system.',
      { file, attribute: 'ImageOrientationPatient' },
    );
  }
  return entry;
}
