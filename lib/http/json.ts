import type { z } from "zod";
import { reportDatabaseUnavailable } from "@/db/availability";
import { databaseUnavailableCause, hasErrorCode, MIGRATIONS_BEHIND } from "@/db/errors";
import {
  AppError,
  ERROR_STATUS,
  isAppError,
  toErrorBody,
  type ErrorBody,
  type ErrorCode,
} from "@/lib/errors";
import { fieldErrorsOf } from "@/lib/validation";
import { moduleLogger } from "@/lib/logger";
import { RETRY_AFTER_SECONDS, UNAVAILABLE } from "./unavailable-body";

export { RETRY_AFTER_SECONDS } from "./unavailable-body";

const log = moduleLogger("http");

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export function json(body: unknown, init?: ResponseInit): Response {
  return Response.json(body, init);
}

/**
 * A small JSON answer the server sends as it is: `Cache-Control: no-transform`, which Next's
 * compression honours. Its size threshold does not help: Next sends a route's answer chunked,
 * without the Content-Length set here, so a 26-byte acknowledgement was gzipped, a zlib stream
 * per request, for a bigger answer (seen in the push bench's profile; tests/e2e/api.spec.ts asks
 * the production server). For answers sent by the thousand: providers' webhooks, the status poll.
 */
export function sizedJson(body: unknown, init?: ResponseInit): Response {
  const text = JSON.stringify(body);
  const headers = new Headers(init?.headers);
  headers.set("content-type", "application/json");
  headers.set("content-length", String(Buffer.byteLength(text, "utf8")));
  const cacheControl = headers.get("cache-control");
  if (!/(^|,)\s*no-transform\s*(,|$)/i.test(cacheControl ?? "")) {
    headers.set("cache-control", cacheControl ? `${cacheControl}, no-transform` : "no-transform");
  }
  return new Response(text, { ...init, headers });
}

/**
 * Turns anything thrown into the JSON error body. A database that cannot serve now (down,
 * restarting, out of connections, not migrated) is a 503 with Retry-After, never a 500: a retry
 * will help, and a payment provider redelivers its notification. Only unknown errors are logged
 * as errors.
 */
export function errorResponse(error: unknown): Response {
  // An AppError says what it means, even when a database error is its cause.
  const cause = isAppError(error) ? undefined : databaseUnavailableCause(error);
  if (cause) {
    reportDatabaseUnavailable();
    // The driver's error, not drizzle's wrapper: that one's message holds the query parameters.
    if (hasErrorCode(cause, MIGRATIONS_BEHIND)) log.error({ err: cause }, "database not migrated");
    else log.warn({ err: cause }, "database unavailable");
    return unavailableResponse(UNAVAILABLE);
  }
  const { status, body } = toErrorBody(error);
  const retryAfter = isAppError(error) ? error.retryAfterSeconds : undefined;
  if (status === 503) return unavailableResponse(body, retryAfter);
  if (status >= 500) log.error(loggableError(error), "unhandled error in route");
  if (retryAfter !== undefined) {
    return Response.json(body, { status, headers: { "retry-after": String(retryAfter) } });
  }
  return Response.json(body, { status });
}

/**
 * drizzle's DrizzleQueryError carries the query's parameters (emails, password hashes) in its
 * message and `params`: log the driver's error and the query text, never the values. Recognised
 * by shape, since the class may come from another bundle's copy of drizzle.
 */
function loggableError(error: unknown): { err: unknown; query?: string } {
  const { query, params, cause } = (error ?? {}) as {
    query?: unknown;
    params?: unknown;
    cause?: unknown;
  };
  if (typeof query === "string" && Array.isArray(params) && cause !== undefined) {
    return { err: cause, query };
  }
  return { err: error };
}

function unavailableResponse(body: ErrorBody, retryAfter = RETRY_AFTER_SECONDS): Response {
  return Response.json(body, {
    status: 503,
    headers: { "retry-after": String(retryAfter) },
  });
}

/**
 * Reads a JSON body with a size cap and validates it: 415 for another content type, 413 for too
 * large, 400 for malformed JSON, 422 with field errors for the wrong shape.
 */
export async function readJson<T extends z.ZodType>(
  request: Request,
  schema: T,
  maxBytes = DEFAULT_MAX_BODY_BYTES,
): Promise<z.infer<T>> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    throw new AppError("unsupported_media_type", "Send the body as application/json.");
  }
  const text = await readCappedText(request, maxBytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError("bad_request", "The body is not valid JSON.");
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new AppError(
      "validation_failed",
      "Some fields are invalid.",
      fieldErrorsOf(parsed.error),
    );
  }
  return parsed.data;
}

/** Reads at most `maxBytes` of the body, whatever Content-Length claims. */
export async function readCappedText(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    throw new AppError("payload_too_large", `The body is larger than ${maxBytes} bytes.`);
  }
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new AppError("payload_too_large", `The body is larger than ${maxBytes} bytes.`);
    }
    chunks.push(value);
  }
  return new TextDecoder("utf-8", { fatal: false }).decode(Buffer.concat(chunks));
}

type Handler<C> = (request: Request, context: C) => Promise<Response>;

/**
 * Every API route goes through this: thrown AppErrors become their status, an unavailable
 * database a 503 with Retry-After, the rest a 500.
 */
export function route<C>(handler: Handler<C>): Handler<C> {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (error) {
      return errorResponse(error);
    }
  };
}

/**
 * A library's own error answer (next-auth's `"Bad request."`, a bare JSON string) as the shop's JSON
 * error with a code: the code whose status it is (else `bad_request`), its text as the message.
 * Successes, redirects and answers already in JSON pass unchanged.
 */
export async function asJsonError(response: Response): Promise<Response> {
  if (response.status < 400) return response;
  const text = (await response.clone().text()).trim();
  let parsed: unknown = text;
  if ((response.headers.get("content-type") ?? "").includes("application/json")) {
    try {
      parsed = JSON.parse(text) as unknown;
    } catch {
      // not JSON after all: its text is the message
    }
    const code = (parsed as { error?: { code?: unknown } } | null)?.error?.code;
    if (typeof code === "string") return response;
  }
  const message = (typeof parsed === "string" ? parsed : "").slice(0, 200);
  const errorCode =
    (Object.keys(ERROR_STATUS) as ErrorCode[]).find((c) => ERROR_STATUS[c] === response.status) ??
    (response.status >= 500 ? "internal" : "bad_request");
  const { body } = toErrorBody(new AppError(errorCode, message || "The request was refused."));
  return Response.json(body, { status: response.status });
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * Handlers for the methods a route does not answer: 405 with `Allow` and the shop's JSON error
 * (Next's own 405 has neither body nor type). A route exports the ones it lacks:
 * `export const { PUT, PATCH, DELETE } = methodsNotAllowed(["GET", "POST"]);`
 */
export function methodsNotAllowed(allowed: readonly Method[]): Record<Method, () => Response> {
  const allow = [...allowed, ...(allowed.includes("GET") ? ["HEAD"] : []), "OPTIONS"].join(", ");
  const refuse = () => {
    const response = errorResponse(
      new AppError("method_not_allowed", `This route answers ${allowed.join(" and ")}.`),
    );
    response.headers.set("allow", allow);
    return response;
  };
  return { GET: refuse, POST: refuse, PUT: refuse, PATCH: refuse, DELETE: refuse };
}
