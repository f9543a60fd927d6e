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
  provider_unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export type FieldErrors = Record<string, string[]>;

/**
 * `instanceof` that survives duplicated module copies: Next bundles instrumentation, routes and
 * server actions separately, so an object created in one bundle (a singleton kept on globalThis)
 * can throw an error whose class is another copy than the one the catching code imported.
 * Branded classes carry a registry symbol and check for it instead of prototype identity.
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

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, APP_ERROR);
  }

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: FieldErrors,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "AppError";
    this.status = ERROR_STATUS[code];
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; fields?: FieldErrors };
}

const GENERIC_MESSAGE = "Something went wrong on our side. Please try again.";

/** Maps anything thrown to a status and the public JSON body; unknown errors are not leaked. */
export function toErrorBody(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof AppError) {
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

export function isAppError(error: unknown, code?: ErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}
