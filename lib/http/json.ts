import type { z } from "zod";
import { AppError, toErrorBody } from "@/lib/errors";
import { fieldErrorsOf } from "@/lib/validation";
import { moduleLogger } from "@/lib/logger";

const log = moduleLogger("http");

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export function json(body: unknown, init?: ResponseInit): Response {
  return Response.json(body, init);
}

/** Turns anything thrown into the JSON error body; only unknown errors are logged as errors. */
export function errorResponse(error: unknown): Response {
  const { status, body } = toErrorBody(error);
  if (status >= 500) log.error({ err: error }, "unhandled error in route");
  return Response.json(body, { status });
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

/** Every API route goes through this: thrown AppErrors become their status, the rest a 500. */
export function route<C>(handler: Handler<C>): Handler<C> {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (error) {
      return errorResponse(error);
    }
  };
}
