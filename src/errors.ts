// SPDX-License-Identifier: BSD-3-Clause

/**
 * Every stable error code dosekit can raise. Codes never change meaning between releases;
 * programs should branch on `error.code`, never on the message text.
 */
export type DosekitErrorCode =
  | 'E_MALFORMED_DICOM'
  | 'E_NOT_DICOM'
  | 'E_NOT_RTSTRUCT'
  | 'E_NOT_RTDOSE'
  | 'E_NOT_RTPLAN'
  | 'E_NOT_IMAGE'
  | 'E_MISSING_ATTRIBUTE'
  | 'E_UNSUPPORTED_TRANSFER_SYNTAX'
  | 'E_UNSUPPORTED_ORIENTATION'
  | 'E_FILE_NOT_FOUND'
  | 'E_FILE_READ'
  | 'E_FILE_WRITE'
  | 'E_ROI_NOT_FOUND'
  | 'E_BAD_ROI_EXPRESSION'
  | 'E_EMPTY_ROI'
  | 'E_POINT_ROI'
  | 'E_NO_DOSE_OVERLAP'
  | 'E_UNKNOWN_THICKNESS'
  | 'E_FRAME_OF_REFERENCE_MISMATCH'
  | 'E_NO_DVH'
  | 'E_NO_RX_DOSE'
  | 'E_BAD_STATISTIC'
  | 'E_INVALID_DVH'
  | 'E_INCOMPATIBLE_DVH'
  | 'E_INVALID_ARGUMENT'
  | 'E_GPU_UNAVAILABLE'
  | 'E_GPU_LOST'
  | 'E_INCOMPATIBLE_DOSE'
  | 'E_OUTPUT_EXISTS'
  | 'E_OUTPUT_IS_INPUT'
  | 'E_TOO_LARGE'
  | 'E_UNPAIRED_DOSE'
  | 'E_SHARD_MISSING'
  | 'E_SHARD_DUPLICATE'
  | 'E_SHARD_MISMATCH'
  | 'E_SHARD_DAMAGED'
  | 'E_IMPLAUSIBLE_DOSE'
  | 'E_NOT_A_FILE'
  | 'E_OUTPUT_NOT_A_FILE'
  | 'E_USAGE'
  | 'E_INTERNAL';

/** Where an error came from, so messages can name the file and the DICOM attribute. */
export interface DosekitErrorDetails {
  /** The file (path or label) being read when the error happened. */
  readonly file?: string;
  /** The DICOM attribute keyword (e.g. `GridFrameOffsetVector`) at fault. */
  readonly attribute?: string;
  /** Anything else a caller may want to inspect programmatically. */
  readonly [key: string]: unknown;
}

/**
 * The one error type dosekit throws for bad input or an impossible request.
 * `code` is stable; `message` names the file, the attribute and the way out.
 */
export class DosekitError extends Error {
  /** Stable machine-readable code, e.g. `E_NOT_RTDOSE`. */
  readonly code: DosekitErrorCode;
  /** Structured context: file, attribute and code-specific fields. */
  readonly details: DosekitErrorDetails;

  constructor(code: DosekitErrorCode, message: string, details: DosekitErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DosekitError';
    this.code = code;
    this.details = details;
  }

  /** A copy of this error whose message is prefixed with the file it concerns (when not already named). */
  withFile(file: string): DosekitError {
    if (this.details.file !== undefined) return this;
    const copy = new DosekitError(this.code, `${file}: ${this.message}`, { ...this.details, file }, { cause: this.cause });
    copy.stack = this.stack;
    return copy;
  }
}

/** True when `value` is a DosekitError (also across module copies, by duck typing on `code`). */
export function isDosekitError(value: unknown): value is DosekitError {
  return value instanceof DosekitError || (value instanceof Error && value.name === 'DosekitError' && typeof (value as { code?: unknown }).code === 'string');
}

/** Throws E_INVALID_ARGUMENT unless `condition` holds. */
export function requireArgument(condition: boolean, message: string, details: DosekitErrorDetails = {}): asserts condition {
  if (!condition) throw new DosekitError('E_INVALID_ARGUMENT', message, details);
}
