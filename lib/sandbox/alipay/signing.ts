import "server-only";
import {
  createPrivateKey,
  createPublicKey,
  createSign,
  createVerify,
  type KeyObject,
} from "node:crypto";

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

/*
 * Parsing a PEM costs more than the RSA operation itself (a private key: ~3× a signature), and
 * every answer is signed with the same key: parsed keys are kept by PEM. Few keys are ever in
 * use (the sandbox's pair, a test's own), so the bound only guards against a caller that makes
 * new ones without end.
 */
const KEY_CACHE_LIMIT = 16;
const privateKeys = new Map<string, KeyObject>();
const publicKeys = new Map<string, KeyObject>();

/** The parsed key, or the PEM itself when it does not parse (node then fails as it always did). */
function parsed(
  cache: Map<string, KeyObject>,
  pem: string,
  parse: (pem: string) => KeyObject,
): KeyObject | string {
  const known = cache.get(pem);
  if (known) return known;
  let key: KeyObject;
  try {
    key = parse(pem);
  } catch {
    return pem;
  }
  if (cache.size >= KEY_CACHE_LIMIT) cache.clear();
  cache.set(pem, key);
  return key;
}

export function rsa2Sign(content: string, privateKeyPem: string): string {
  return createSign("RSA-SHA256")
    .update(content, "utf8")
    .sign(parsed(privateKeys, privateKeyPem, createPrivateKey), "base64");
}

export function rsa2Verify(content: string, signature: string, publicKeyPem: string): boolean {
  try {
    return createVerify("RSA-SHA256")
      .update(content, "utf8")
      .verify(parsed(publicKeys, publicKeyPem, createPublicKey), signature, "base64");
  } catch {
    return false;
  }
}
