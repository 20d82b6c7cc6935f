// SPDX-License-Identifier: BSD-3-Clause
// The public surface of dosekit: named exports only.

export { DosekitError, isDosekitError } from './errors.js';
export type { DosekitErrorCode, DosekitErrorDetails } from './errors.js';
export type { DosekitWarning } from './warnings.js';
export { VERSION } from './version.js';
export { DEFAULT_MEMORY_LIMIT_BYTES, memoryLimitBytes, parseByteSize } from './limits.js';

export { DicomParser } from './dicom/parser.js';
export type {
  ContourCoordinates,
  Demographics,
  DoseData,
  DosePlane,
  ImageData,
  PlanSummary,
  SeriesInfo,
  StructureSummary,
  StudyInfo,
} from './dicom/parser.js';
export type { SopClassName } from './dicom/sop-class.js';
export type { RenderedImage } from './dicom/render-image.js';

export { DoseGrid } from './model/dose-grid.js';
export type { DicomAttributeSet, DoseDerivation, DoseDerivationInput, DoseGridInfo, DoseUnits, PixelArray } from './model/dose-grid.js';
export type { GridIndices } from './model/grid-axes.js';
export { doseDifferenceGy, resampleDoseGy, sumDoseGrids } from './dose/sum.js';
export { scaleDoseGrid } from './dose/scale.js';
export type { AddDoseOptions, ResampleOptions, SumDoseOptions } from './dose/options.js';
export type { ResampleMode, ResampleOrder } from './dose/resample-tables.js';
export { writeFileSafely } from './dicom/write-file.js';
export type { SafeWriteOptions } from './dicom/write-file.js';
export type { GridGeometry } from './model/grid-geometry.js';
export { indexToPatientMm, patientToPixelLut } from './model/grid-geometry.js';
export type { PatientOrientation } from './model/orientation.js';
export type { Contour, ContourGeometricType, ContourPlane, RgbColor, Roi, StructureSet } from './model/structure-set.js';
export { MAX_CONTOUR_COORDINATE_MM, countContours, findRoi } from './model/structure-set.js';
export { MAX_PLAUSIBLE_DOSE_GY } from './model/dose-plausibility.js';
export { planeAreaMm2, structureVolumeCm3 } from './model/structure-volume.js';
export type { StructureVolumeOptions } from './model/structure-volume.js';
export type { Beam, DoseReference, Plan } from './model/plan.js';
export type { Image } from './model/image.js';
export type { DicomDvhRecord } from './model/dicom-dvh.js';

export {
  DVH,
  DVHValue,
  DVH_PALETTE,
  STATISTIC_GRAMMAR,
  compareDvhCurves,
  compareDvhs,
  describeDvh,
  doseAtVolume,
  dvhGamma,
  dvhToCsv,
  parseDvhCsv,
  parseDvhJson,
  parseStatisticName,
  plotDvhs,
  volumeAtDose,
} from './dvh/index.js';
export type {
  DicomDvhSource,
  DvhComparison,
  DvhComparisonRow,
  DvhDifferences,
  DvhDoseUnits,
  DvhGamma,
  DvhGammaOptions,
  DvhGammaPoint,
  DvhInit,
  DvhJson,
  DvhLookup,
  DvhMetadata,
  DvhType,
  DvhVolumeUnits,
  FromDataOptions,
  ParsedStatistic,
  PlotOptions,
} from './dvh/index.js';

export { calculateDvhs, getDvh } from './dvh/calculate.js';
export { MAX_HISTOGRAM_BINS } from './dvh/dose-binning.js';
export type { CalculateDvhsOptions, DvhCalculationResult, RoiDvh, RoiDvhError } from './dvh/calculate.js';
export { ROI_EXPRESSION_GRAMMAR, formatRoiExpression, parseRoiDefinition, parseRoiExpression } from './dvh/roi-expression.js';
export type { RoiBooleanNode, RoiDefinition, RoiExpressionNode, RoiMarginNode, RoiReferenceNode } from './dvh/roi-expression.js';
export type { RoiExpressionRequest } from './dvh/roi-algebra.js';
export type { DvhAlgorithm, DvhCalculationOptions } from './dvh/calculation-options.js';
export type { DoseGridInput, StructureSetInput } from './dvh/inputs.js';
export type { DvhProvenance } from './dvh/dvh.js';
export { indexCohort } from './cohort/index-cohort.js';
export type { CohortIndex, CohortObject, CohortObjectKind, CohortProblem, IndexCohortOptions } from './cohort/index-cohort.js';
export { pairCohort } from './cohort/pair.js';
export type { CohortEntry, CohortPairing } from './cohort/pair.js';
export { shardOf, shardRange } from './cohort/shard.js';
export { createBackend } from './backend/create-backend.js';
export type { BackendChoice, CreateBackendOptions } from './backend/create-backend.js';
export type { BackendInfo, ComputeBackend, HistogramRequest, HistogramResponse, LayerJob, PlaneHistogramJob } from './backend/compute-backend.js';

export { writeDoseGridBytes, writeStructureSetBytes } from './dicom/write.js';
export type { DicomWriteOptions, DoseWriteOptions } from './dicom/write.js';
export { withDvhSequence } from './dicom/write-dvh-sequence.js';
export type { DvhSequenceEntry, DvhSequenceOptions, WritableDvh } from './dicom/write-dvh-sequence.js';
export { makePhantom, phantomFiles, phantomName, phantomSuite } from './phantom/phantom.js';
export type { Phantom, PhantomSpec } from './phantom/phantom.js';
export { cumulativeTable, doseAtVolumeCm3, groundTruth } from './phantom/ground-truth.js';
export type { GroundTruth } from './phantom/ground-truth.js';
export { ENDPOINTS, compareWithTruth, summarise } from './phantom/accuracy.js';
export type { AccuracyReport, Endpoint, EndpointError } from './phantom/accuracy.js';
export { runPhantomSuite } from './phantom/run-suite.js';
export type { SuiteCase } from './phantom/run-suite.js';

// The documented maxima of sizes a caller chooses (refused above them with E_INVALID_ARGUMENT).
export { MAX_IMAGE_SIDE_PX } from './dicom/parser.js';
export { MAX_PLOT_SIZE_PX } from './dvh/plot.js';
export { MAX_FROM_DATA_BINS } from './dvh/dvh.js';
export { MAX_INDEX_CONCURRENCY, MAX_PREFIX_BYTES } from './cohort/index-cohort.js';
