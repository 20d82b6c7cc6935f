// SPDX-License-Identifier: BSD-3-Clause

/** One treatment beam of an RT Plan. */
export interface Beam {
  readonly number: number;
  readonly name: string;
  readonly description: string;
  readonly type?: string;
  readonly radiationType?: string;
  readonly treatmentMachine?: string;
  /** Nominal beam energy of the first control point (MV or MeV), when given. */
  readonly nominalEnergy?: number;
  /** Gantry, collimator and couch angles of the first control point, degrees. */
  readonly gantryAngleDeg?: number;
  readonly collimatorAngleDeg?: number;
  readonly couchAngleDeg?: number;
  readonly isocenterMm?: readonly [number, number, number];
  readonly controlPoints: number;
  /** BeamDose of the first fraction group (Gy per fraction), when given. */
  readonly doseGyPerFraction?: number;
  readonly meterset?: number;
}

/** A dose reference (prescription) of an RT Plan. */
export interface DoseReference {
  readonly number: number;
  readonly structureType: string;
  readonly description?: string;
  readonly type?: string;
  readonly targetPrescriptionDoseGy?: number;
}

/** A parsed RT Plan. */
export interface Plan {
  readonly sopInstanceUid: string;
  readonly label: string;
  readonly name?: string;
  readonly date?: string;
  readonly time?: string;
  readonly geometry?: string;
  readonly frameOfReferenceUid?: string;
  readonly referencedStructureSetUid?: string;
  /** Prescription dose in Gy as dicompyler-core derives it (see `getPlan`), or undefined when none can be found. */
  readonly rxDoseGy?: number;
  /** NumberOfFractionsPlanned of the first fraction group. */
  readonly fractions?: number;
  readonly beams: readonly Beam[];
  readonly doseReferences: readonly DoseReference[];
  readonly brachy: boolean;
  readonly source: string;
}
