import "server-only";
import { after } from "next/server";
import { getEnv } from "@/lib/env";
import { AppError, type ErrorCode } from "@/lib/errors";
import { json, route } from "@/lib/http/json";
import { isSandboxError, type SandboxError } from "./errors";
import type { Background } from "./types";

type Handler<C> = (request: Request, context: C) => Promise<Response>;

const CODE_FOR_STATUS: Record<number, ErrorCode> = {
  400: "bad_request",
  404: "not_found",
  409: "conflict",
  413: "payload_too_large",
  415: "unsupported_media_type",
  422: "validation_failed",
};

export function sandboxErrorResponse(error: SandboxError): Response {
  const code = CODE_FOR_STATUS[error.status] ?? (error.status >= 500 ? "internal" : "bad_request");
  return json({ error: { code, message: error.message } }, { status: error.status });
}

/**
 * Every /sandbox route goes through this: a JSON 404 unless PAYMENTS_MODE=sandbox (the sandbox
 * does not exist in live mode), SandboxErrors become their 4xx, AppErrors theirs (route()).
 */
export function sandboxRoute<C = unknown>(
  handler: Handler<C>,
  enabled: () => boolean = () => getEnv().isSandbox,
): Handler<C> {
  return route<C>(async (request, context) => {
    if (!enabled()) throw new AppError("not_found", "Not found.");
    try {
      return await handler(request, context);
    } catch (error) {
      if (isSandboxError(error)) return sandboxErrorResponse(error);
      throw error;
    }
  });
}

/**
 * The `background` of route handlers and server actions: Next's `after()` keeps the push
 * delivery alive once the answer is out. Outside a request scope (a test calling a route module
 * directly) `after()` throws and nothing is started, so the ticker or tick() delivers instead —
 * deterministically, rather than racing the caller.
 */
export const afterResponse: Background = (task) => {
  try {
    after(task);
  } catch {
    // No request scope: see above.
  }
};
