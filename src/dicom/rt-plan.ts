// SPDX-License-Identifier: BSD-3-Clause
import type { Beam, DoseReference, Plan } from '../model/plan.js';
import { type NaturalDataset, type ReadContext, has, optionalNumber, optionalNumberList, optionalString, sequence } from './naturalized.js';
import type { DicomRead } from './read.js';

/** Python's round() to an integer: half to even. */
export function roundHalfEvenInteger(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * dicompyler-core's prescription rule, in cGy: the largest SITE TargetPrescriptionDose; a VOLUME
 * reference overrides it; if still 0, the sum of BeamDose x fractions over the first fraction
 * group; finally rounded half to even. Returns the name (last SITE description, or 'N/A').
 */
export function dicompylerPrescription(ds: NaturalDataset, ctx: ReadContext): { rxDoseCGy: number; name: string } {
  let rxDoseCGy = 0;
  let name = '';
  for (const item of sequence(ds, 'DoseReferenceSequence')) {
    const structureType = optionalString(item, 'DoseReferenceStructureType');
    const prescription = optionalNumber(item, 'TargetPrescriptionDose', ctx);
    if (structureType === 'SITE') {
      name = optionalString(item, 'DoseReferenceDescription') ?? 'N/A';
      if (prescription !== undefined && prescription * 100 > rxDoseCGy) rxDoseCGy = prescription * 100;
    } else if (structureType === 'VOLUME' && prescription !== undefined) {
      rxDoseCGy = prescription * 100;
    }
  }
  const fractionGroup = sequence(ds, 'FractionGroupSequence')[0];
  if (fractionGroup && rxDoseCGy === 0) {
    const fractions = optionalNumber(fractionGroup, 'NumberOfFractionsPlanned', ctx);
    const beams = sequence(fractionGroup, 'ReferencedBeamSequence');
    if (fractions !== undefined && beams.length > 0) {
      for (const beam of beams) {
        const beamDose = optionalNumber(beam, 'BeamDose', ctx);
        if (beamDose !== undefined) rxDoseCGy += beamDose * fractions * 100;
      }
    }
  }
  return { rxDoseCGy: roundHalfEvenInteger(rxDoseCGy), name };
}

function readBeam(item: NaturalDataset, ctx: ReadContext, dosePerFraction: Map<number, { dose?: number; meterset?: number }>): Beam {
  const number = optionalNumber(item, 'BeamNumber', ctx) ?? 0;
  const firstControlPoint = sequence(item, 'ControlPointSequence')[0] ?? sequence(item, 'IonControlPointSequence')[0];
  const isocenter = firstControlPoint ? optionalNumberList(firstControlPoint, 'IsocenterPosition', ctx) : undefined;
  const fraction = dosePerFraction.get(number);
  return Object.freeze({
    number,
    name: optionalString(item, 'BeamName') ?? '',
    description: optionalString(item, 'BeamDescription') ?? '',
    type: optionalString(item, 'BeamType'),
    radiationType: optionalString(item, 'RadiationType'),
    treatmentMachine: optionalString(item, 'TreatmentMachineName'),
    nominalEnergy: firstControlPoint ? optionalNumber(firstControlPoint, 'NominalBeamEnergy', ctx) : undefined,
    gantryAngleDeg: firstControlPoint ? optionalNumber(firstControlPoint, 'GantryAngle', ctx) : undefined,
    collimatorAngleDeg: firstControlPoint ? optionalNumber(firstControlPoint, 'BeamLimitingDeviceAngle', ctx) : undefined,
    couchAngleDeg: firstControlPoint ? optionalNumber(firstControlPoint, 'PatientSupportAngle', ctx) : undefined,
    isocenterMm: isocenter && isocenter.length === 3 ? ([isocenter[0], isocenter[1], isocenter[2]] as const) : undefined,
    controlPoints: optionalNumber(item, 'NumberOfControlPoints', ctx) ?? sequence(item, 'ControlPointSequence').length,
    doseGyPerFraction: fraction?.dose,
    meterset: fraction?.meterset,
  });
}

/** Builds the Plan model of an RT Plan (or RT Ion Plan) dataset. */
export function readPlan(read: DicomRead): Plan {
  const ds = read.dataset;
  const ctx: ReadContext = { file: read.file };
  const fractionGroup = sequence(ds, 'FractionGroupSequence')[0];
  const dosePerFraction = new Map<number, { dose?: number; meterset?: number }>();
  for (const ref of fractionGroup ? sequence(fractionGroup, 'ReferencedBeamSequence') : []) {
    const number = optionalNumber(ref, 'ReferencedBeamNumber', ctx);
    if (number !== undefined) dosePerFraction.set(number, { dose: optionalNumber(ref, 'BeamDose', ctx), meterset: optionalNumber(ref, 'BeamMeterset', ctx) });
  }
  const beamItems = has(ds, 'BeamSequence') ? sequence(ds, 'BeamSequence') : sequence(ds, 'IonBeamSequence');
  const doseReferences: DoseReference[] = sequence(ds, 'DoseReferenceSequence').map((item) =>
    Object.freeze({
      number: optionalNumber(item, 'DoseReferenceNumber', ctx) ?? 0,
      structureType: optionalString(item, 'DoseReferenceStructureType') ?? '',
      description: optionalString(item, 'DoseReferenceDescription'),
      type: optionalString(item, 'DoseReferenceType'),
      targetPrescriptionDoseGy: optionalNumber(item, 'TargetPrescriptionDose', ctx),
    }),
  );
  const { rxDoseCGy, name } = dicompylerPrescription(ds, ctx);
  const structureSet = sequence(ds, 'ReferencedStructureSetSequence')[0];
  return Object.freeze({
    sopInstanceUid: optionalString(ds, 'SOPInstanceUID') ?? '',
    label: optionalString(ds, 'RTPlanLabel') ?? '',
    name: name || optionalString(ds, 'RTPlanName'),
    date: optionalString(ds, 'RTPlanDate'),
    time: optionalString(ds, 'RTPlanTime'),
    geometry: optionalString(ds, 'RTPlanGeometry'),
    frameOfReferenceUid: optionalString(ds, 'FrameOfReferenceUID'),
    referencedStructureSetUid: structureSet ? optionalString(structureSet, 'ReferencedSOPInstanceUID') : undefined,
    rxDoseGy: rxDoseCGy > 0 ? rxDoseCGy / 100 : undefined,
    fractions: fractionGroup ? optionalNumber(fractionGroup, 'NumberOfFractionsPlanned', ctx) : undefined,
    beams: Object.freeze(beamItems.map((item) => readBeam(item, ctx, dosePerFraction))),
    doseReferences: Object.freeze(doseReferences),
    brachy: has(ds, 'BrachyTreatmentType') || has(ds, 'ApplicationSetupSequence'),
    source: read.file,
  });
}
