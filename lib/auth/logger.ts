import type { ModuleLogger } from "@/lib/logger";

/**
 * next-auth's `logger` option (Auth.js `LoggerInstance`), structurally: next-auth reports every
 * error it meets with `error(error)`, configuration warnings with `warn(code)` and, when asked to,
 * internals with `debug(message, metadata)`.
 */
// A type alias, not an interface: next-auth's LoggerInstance is also a string-keyed record.
export type AuthLogger = {
  error: (error: Error) => void;
  warn: (code: string) => void;
  debug: (message: string, metadata?: unknown) => void;
};

/**
 * Errors a visitor causes, by Auth.js error type: a wrong password (`CredentialsSignin`, also our
 * throttled attempt), a missing CSRF token, an address under /api/auth that is no action or names
 * a provider that does not take it (a GET of /api/auth/callback/credentials). They are the shop
 * working as intended: one info line, no stack — a visitor cannot fill the log with stack traces.
 */
const VISITOR_ERRORS = new Set([
  "CredentialsSignin",
  "AccessDenied",
  "Verification",
  "MissingCSRF",
  "UnknownAction",
  "InvalidProvider",
  "OAuthAccountNotLinked",
  "AccountNotLinked",
  "WebAuthnVerificationError",
]);

/**
 * /api/auth/signin/<id> with an id we have no provider for: Auth.js throws a plain Error for it,
 * recognised by its message (there is no type to go by).
 */
const UNKNOWN_PROVIDER = /^Provider with id ".*" not found\./s;

/**
 * A session cookie that cannot be read (tampered with, or sealed with a secret since rotated):
 * worth a warning — many at once mean a misconfigured instance — but not a stack trace, since
 * every request carrying such a cookie reports it again.
 */
const UNREADABLE_SESSION_ERRORS = new Set(["JWTSessionError", "SessionTokenError"]);

/** Keys of Auth.js debug metadata that may carry credentials or cookies (the request's form). */
const UNSAFE_DEBUG_KEYS = new Set(["body", "headers", "cookies", "cookie", "password", "token"]);

/** The Auth.js type of an error (`error.type`), read by shape: the class may be another copy. */
function authErrorType(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const type = (error as { type?: unknown }).type;
  return typeof type === "string" ? type : undefined;
}

/** Why Auth.js could not read the cookie: the wrapped error's message (jose's, say). */
function causeMessage(error: Error): string | undefined {
  const cause = error.cause as { err?: unknown } | undefined;
  return cause?.err instanceof Error ? cause.err.message : undefined;
}

function safeDebugMetadata(metadata: unknown): unknown {
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
    return metadata;
  }
  return Object.fromEntries(
    Object.entries(metadata).filter(([key]) => !UNSAFE_DEBUG_KEYS.has(key.toLowerCase())),
  );
}

/**
 * Routes next-auth's logging through the shop's pino logger (its default prints a red
 * `[auth][error]` stack trace to the console for every wrong password).
 */
export function authLogger(log: ModuleLogger): AuthLogger {
  return {
    error(error) {
      const type = authErrorType(error);
      if (!type && error instanceof Error && UNKNOWN_PROVIDER.test(error.message)) {
        log.info({ authError: "UnknownProvider" }, "auth request refused");
        return;
      }
      if (type && VISITOR_ERRORS.has(type)) {
        const code = (error as { code?: unknown }).code;
        log.info(
          { authError: type, ...(typeof code === "string" ? { code } : {}) },
          type === "CredentialsSignin" ? "sign-in refused" : "auth request refused",
        );
        return;
      }
      if (type && UNREADABLE_SESSION_ERRORS.has(type)) {
        log.warn({ authError: type, reason: causeMessage(error) }, "unreadable session cookie");
        return;
      }
      log.error({ err: error, authError: type }, "auth error");
    },
    warn(code) {
      log.warn({ authWarning: code }, "auth warning");
    },
    debug(message, metadata) {
      log.debug({ details: safeDebugMetadata(metadata) }, `auth: ${message}`);
    },
  };
}
