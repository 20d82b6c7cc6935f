// SPDX-License-Identifier: BSD-3-Clause
// Doses no treatment gives: a maximum that only a wrong or missing DoseGridScaling (or DoseUnits)
// produces. Brachytherapy reaches thousands of Gy next to a source, so the bound is far above that.
import { DosekitError } from '../errors.js';
import type { DoseGrid } from './dose-grid.js';

/**
 * The largest maximum dose accepted for DVH calculation, Gy. Beyond any clinical use (doses next
 * to brachytherapy sources reach thousands of Gy): a larger maximum comes from a wrong or missing
 * DoseGridScaling or DoseUnits, and is refused with E_IMPLAUSIBLE_DOSE.
 */
export const MAX_PLAUSIBLE_DOSE_GY = 100_000;

function formatGy(gy: number): string {
  return Number.isFinite(gy) ? `${Number(gy.toPrecision(6))}` : String(gy);
}

/**
 * Why the grid's maximum dose is implausible (above {@link MAX_PLAUSIBLE_DOSE_GY}, or no finite
 * number), naming the file, the maximum and DoseGridScaling; null when it is plausible.
 */
export function implausibleDoseReason(grid: DoseGrid): string | null {
  const maxGy = grid.maxDoseGy;
  if (maxGy <= MAX_PLAUSIBLE_DOSE_GY) return null;
  const units = grid.info.doseUnits;
  return (
    `${grid.info.source}: the maximum dose is ${formatGy(maxGy)} Gy (largest stored value ${grid.maxStoredValue} x DoseGridScaling ${grid.doseGridScaling}` +
    `${units === 'CGY' ? ' cGy' : units === 'GY' ? ' Gy' : ` ${units}`}), more than ${MAX_PLAUSIBLE_DOSE_GY} Gy, beyond any clinical use`
  );
}

/**
 * Refuses a dose whose maximum exceeds {@link MAX_PLAUSIBLE_DOSE_GY}.
 * @throws DosekitError E_IMPLAUSIBLE_DOSE naming the file, the maximum, DoseGridScaling and the way out.
 */
export function checkPlausibleDose(grid: DoseGrid): void {
  const reason = implausibleDoseReason(grid);
  if (reason === null) return;
  throw new DosekitError(
    'E_IMPLAUSIBLE_DOSE',
    `${reason}. DoseGridScaling (3004,000E) is most likely missing or wrong, or DoseUnits does not match the stored values: check DoseGridScaling and DoseUnits of the RT Dose and export it again.`,
    { file: grid.info.source, attribute: 'DoseGridScaling', maxGy: grid.maxDoseGy, doseGridScaling: grid.doseGridScaling, doseUnits: grid.info.doseUnits },
  );
}
