// The typed error family. Every failure that crosses the native boundary, or that we raise ourselves,
// carries a stable `code` so callers (and `--json` output) can branch on it.

export const ERROR_CODES = [
  'CONFIG_INVALID',
  'USAGE',
  'CANCELLED',
  'DEVICE_UNAVAILABLE',
  'TORCH_ERROR',
  'OUT_OF_MEMORY',
  'RESOURCE_LIMIT',
  'IO_ERROR',
  'DISK_FULL',
  'SLIDE_NOT_FOUND',
  'SLIDE_UNSUPPORTED',
  'SLIDE_NO_MPP',
  'SLIDE_READ_FAILED',
  'REGION_OUTSIDE',
  'STORE_CORRUPT',
  'STORE_LOCKED',
  'RUN_LOCKED',
  'RUN_CONFIG_CHANGED',
  'LOSS_NOT_FINITE',
  'DIST_FAILED',
  'WEIGHTS_INVALID',
  'NATIVE_LOAD_FAILED',
  'LIBTORCH_MISMATCH',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class ResdistillError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

export class ConfigError extends ResdistillError {}
export class CancelledError extends ResdistillError {}
export class DeviceError extends ResdistillError {}
export class SlideError extends ResdistillError {}
export class StoreError extends ResdistillError {}
export class TrainingError extends ResdistillError {}
export class NativeLoadError extends ResdistillError {}
export class IoError extends ResdistillError {}
/** A request (region, tile grid, decoded image, ...) larger than the memory budget (--max-memory). */
export class ResourceLimitError extends ResdistillError {}
export class InternalError extends ResdistillError {}

const CLASS_BY_CODE: Record<ErrorCode, new (code: ErrorCode, message: string, o?: { cause?: unknown }) => ResdistillError> = {
  CONFIG_INVALID: ConfigError,
  USAGE: ConfigError,
  CANCELLED: CancelledError,
  DEVICE_UNAVAILABLE: DeviceError,
  TORCH_ERROR: InternalError,
  OUT_OF_MEMORY: InternalError,
  RESOURCE_LIMIT: ResourceLimitError,
  IO_ERROR: IoError,
  DISK_FULL: IoError,
  SLIDE_NOT_FOUND: SlideError,
  SLIDE_UNSUPPORTED: SlideError,
  SLIDE_NO_MPP: SlideError,
  SLIDE_READ_FAILED: SlideError,
  REGION_OUTSIDE: SlideError,
  STORE_CORRUPT: StoreError,
  STORE_LOCKED: StoreError,
  RUN_LOCKED: IoError,
  RUN_CONFIG_CHANGED: ConfigError,
  LOSS_NOT_FINITE: TrainingError,
  DIST_FAILED: TrainingError,
  WEIGHTS_INVALID: IoError,
  NATIVE_LOAD_FAILED: NativeLoadError,
  LIBTORCH_MISMATCH: NativeLoadError,
  INTERNAL: InternalError,
};

function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);
}

export function makeError(code: ErrorCode, message: string, cause?: unknown): ResdistillError {
  return new CLASS_BY_CODE[code](code, message, cause === undefined ? undefined : { cause });
}

/** Turns whatever the addon (or Node) threw into our typed family; unknown shapes become INTERNAL. */
export function fromNative(error: unknown): ResdistillError {
  if (error instanceof ResdistillError) return error;
  const e = error as { code?: unknown; message?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(error);
  if (isErrorCode(e?.code)) return makeError(e.code, message, error);
  if (e?.code === 'ENOSPC') return makeError('DISK_FULL', message, error);
  if (typeof e?.code === 'string' && e.code.startsWith('E')) return makeError('IO_ERROR', message, error);
  return makeError('INTERNAL', message, error);
}
