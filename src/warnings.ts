// SPDX-License-Identifier: BSD-3-Clause

/** A non-fatal observation made while reading or computing (never printed to stdout by the library). */
export interface DosekitWarning {
  /** Short stable tag for the kind of warning, e.g. `dcmjs` or `W_DOSE_PLANE_EXTRAPOLATED`. */
  readonly code: string;
  readonly message: string;
  readonly file?: string;
}

/** Receives warnings; the default sink collects them on the object being built. */
export type WarningSink = (warning: DosekitWarning) => void;
