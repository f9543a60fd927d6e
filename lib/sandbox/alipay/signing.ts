import "server-only";
import { createSign, createVerify } from "node:crypto";

/*
 * RSA2 (SHA256withRSA) as the Alipay gateway does it (spec §3). Written here on purpose, not
 * shared with lib/payments/alipay: a client bug must not be mirrored by the sandbox.
 */

export type Params = Record<string, string>;

/** Sorted `k=v&…` of non-empty values, raw (decoded) values; `exclude` keys left out. */
export function signContent(params: Params, exclude: readonly string[]): string {
  return Object.keys(params)
    .filter((key) => !exclude.includes(key) && params[key] !== undefined && params[key] !== "")
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join("&");
}

/** Requests (§3.1): everything but `sign`; `sign_type` is signed. */
export const requestSignContent = (params: Params) => signContent(params, ["sign"]);

/** Notifications (§3.3): everything but `sign` and `sign_type`. */
export const notifySignContent = (params: Params) => signContent(params, ["sign", "sign_type"]);

export function rsa2Sign(content: string, privateKeyPem: string): string {
  return createSign("RSA-SHA256").update(content, "utf8").sign(privateKeyPem, "base64");
}

export function rsa2Verify(content: string, signature: string, publicKeyPem: string): boolean {
  try {
    return createVerify("RSA-SHA256")
      .update(content, "utf8")
      .verify(publicKeyPem, signature, "base64");
  } catch {
    return false;
  }
}
