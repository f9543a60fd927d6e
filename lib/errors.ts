/**
 * One error type with a code from a closed list; each code has one HTTP status. Expected
 * failures (declines, insufficient balance) are values, not AppErrors. Unknown errors reach users
 * only as a generic message.
 */

export const ERROR_STATUS = {
  bad_request: 400,
  validation_failed: 422,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  /** The provider answered and refused; trying again will not help until the shop acts. */
  provider_refused: 502,
  provider_unavailable: 503,
  /** Our own database cannot serve the request now (outage, restart, not migrated): retry. */
  service_unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export type FieldErrors = Record<string, string[]>;

/**
 * Whether `value` carries `brand` (a `Symbol.for` registry symbol, so every copy of a module
 * agrees on it). Next bundles instrumentation, routes and server actions separately: an error
 * created by one bundle's copy of a class (a singleton kept on globalThis) is not an `instanceof`
 * the copy another bundle imported. Guards that check the brand hold across copies; code that
 * catches errors uses those guards (`isAppError`), never `instanceof`.
 */
export function hasBrand(value: unknown, brand: symbol): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<symbol, unknown>)[brand] === true
  );
}

const APP_ERROR = Symbol.for("xiaopu.AppError");

export class AppError extends Error {
  readonly status: number;
  readonly [APP_ERROR] = true;
  /** Seconds until a retry can succeed (`rate_limited`): sent as Retry-After by route(). */
  readonly retryAfterSeconds?: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: FieldErrors,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(message, options);
    this.name = "AppError";
    this.status = ERROR_STATUS[code];
    if (options?.retryAfterSeconds !== undefined)
      this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** An AppError from any bundle's copy of the class (by brand), optionally with this code. */
export function isAppError(error: unknown, code?: ErrorCode): error is AppError {
  return hasBrand(error, APP_ERROR) && (code === undefined || (error as AppError).code === code);
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; fields?: FieldErrors };
}

const GENERIC_MESSAGE = "Something went wrong on our side. Please try again.";

/** Maps anything thrown to a status and the public JSON body; unknown errors are not leaked. */
export function toErrorBody(error: unknown): { status: number; body: ErrorBody } {
  if (isAppError(error)) {
    return {
      status: error.status,
      body: {
        error: {
          code: error.code,
          message: error.message,
          ...(error.fields ? { fields: error.fields } : {}),
        },
      },
    };
  }
  return { status: 500, body: { error: { code: "internal", message: GENERIC_MESSAGE } } };
}
