// SPDX-License-Identifier: BSD-3-Clause
/** The DVH module: the immutable {@link DVH} class, statistics, text reports, plots and file forms. */
export { DVH, type DicomDvhSource, type DvhInit, type DvhMetadata, type FromDataOptions } from './dvh.js';
export {
  DVH_DOSE_UNITS,
  DVH_LOOKUPS,
  DVH_TYPES,
  DVHValue,
  STATISTIC_GRAMMAR,
  DVH_VOLUME_UNITS,
  doseAtVolume,
  parseStatisticName,
  volumeAtDose,
  type DvhDoseUnits,
  type DvhLookup,
  type DvhType,
  type DvhUnits,
  type ParsedStatistic,
  type DvhVolumeUnits,
} from './statistics.js';
export { compareDvhs, describeDvh, formatFixed, type DescribableDvh, type DvhComparison, type DvhComparisonRow } from './describe.js';
export {
  compareDvhCurves,
  dvhGamma,
  toCommonUnits,
  type CommonUnitDvhs,
  type DvhDifferences,
  type DvhGamma,
  type DvhGammaOptions,
  type DvhGammaPoint,
} from './dvh-gamma.js';
export { DEFAULT_PLOT_MARGIN, DVH_PALETTE, escapeXml, plotDvhs, type PlotMargin, type PlotOptions } from './plot.js';
export { DVH_JSON_FORMAT, DVH_JSON_VERSION, dvhToCsv, parseDvhCsv, parseDvhJson, type DvhJson } from './export.js';
