import "server-only";
import { createHash } from "node:crypto";

/** Lowercase hex MD5 of UTF-8 text or raw bytes. */
export function md5Hex(...parts: (string | Uint8Array)[]): string {
  const hash = createHash("md5");
  for (const part of parts)
    hash.update(typeof part === "string" ? Buffer.from(part, "utf8") : part);
  return hash.digest("hex");
}

/** Legacy body `sign`: md5(client_id + msg exactly as it appears in the body (still encoded) + secret). */
export function bodySign(clientId: string, encodedMsg: string, clientSecret: string): string {
  return md5Hex(clientId, encodedMsg, clientSecret);
}

/** `Event-Sign` header: md5(client_id + the exact request body bytes + secret). */
export function eventSign(
  clientId: string,
  rawBody: string | Uint8Array,
  clientSecret: string,
): string {
  return md5Hex(clientId, rawBody, clientSecret);
}
