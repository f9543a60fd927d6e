import "server-only";
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { AlipayError } from "./types";

/**
 * Keys arrive as whatever the Alipay key tool or a colleague pasted: PKCS#8 (the tool's default)
 * or PKCS#1, PEM or bare base64, with `\n` escapes from a `.env` line. They are parsed once here
 * into canonical PEM, so the SDK gets the `keyType` that matches (its default PKCS1 fails on a
 * PKCS#8 key with `ERR_OSSL_UNSUPPORTED`, spec §2.5 trap 8) and a bad key is named at start-up
 * instead of failing the first charge.
 */

export type PrivateKeyType = "PKCS1" | "PKCS8";

export interface NormalisedKeys {
  /** PEM whose label matches `keyType` (`RSA PRIVATE KEY` / `PRIVATE KEY`), no trailing newline. */
  privateKey: string;
  keyType: PrivateKeyType;
  /** Alipay's public key as SPKI PEM (`PUBLIC KEY`), no trailing newline. */
  alipayPublicKey: string;
}

/** Alipay's RSA2 keys are 2048-bit; a shorter key is a mistake, not a choice. */
const MIN_MODULUS_BITS = 2048;

const PEM = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Turns `\n` escapes (a multi-line key pasted into one `.env` line) back into newlines. */
function unescape(raw: string): string {
  return raw.trim().replace(/\\r\\n|\\n|\\r/g, "\n");
}

function base64Body(text: string): Buffer | null {
  const body = text.replace(/\s+/g, "");
  return body.length > 0 && BASE64.test(body) ? Buffer.from(body, "base64") : null;
}

/** Canonical PEM: 64-character lines, no trailing newline (the SDK's `formatKey` needs that). */
function toPem(der: Buffer, label: string): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----`;
}

function isRsa(key: KeyObject): boolean {
  return (
    key.asymmetricKeyType === "rsa" &&
    (key.asymmetricKeyDetails?.modulusLength ?? 0) >= MIN_MODULUS_BITS
  );
}

function tryPrivate(der: Buffer, type: "pkcs1" | "pkcs8"): KeyObject | null {
  try {
    const key = createPrivateKey({ key: der, format: "der", type });
    return isRsa(key) ? key : null;
  } catch {
    return null;
  }
}

function tryPublic(der: Buffer, type: "pkcs1" | "spki"): KeyObject | null {
  try {
    const key = createPublicKey({ key: der, format: "der", type });
    return isRsa(key) ? key : null;
  } catch {
    return null;
  }
}

interface ParsedPrivateKey {
  key: KeyObject;
  keyType: PrivateKeyType;
  pem: string;
}

function parsePrivate(raw: string): ParsedPrivateKey | null {
  const text = unescape(raw);
  const pem = PEM.exec(text);
  if (pem) {
    const der = base64Body(pem[2] ?? "");
    if (!der) return null;
    // The label says which it is; encrypted keys (`ENCRYPTED PRIVATE KEY`) are not supported.
    if (pem[1] === "RSA PRIVATE KEY") {
      const key = tryPrivate(der, "pkcs1");
      return key && { key, keyType: "PKCS1", pem: toPem(der, "RSA PRIVATE KEY") };
    }
    if (pem[1] === "PRIVATE KEY") {
      const key = tryPrivate(der, "pkcs8");
      return key && { key, keyType: "PKCS8", pem: toPem(der, "PRIVATE KEY") };
    }
    return null;
  }
  const der = base64Body(text);
  if (!der) return null;
  // Bare base64 carries no label: PKCS#8 first (what Alipay's key tool emits), then PKCS#1.
  const pkcs8 = tryPrivate(der, "pkcs8");
  if (pkcs8) return { key: pkcs8, keyType: "PKCS8", pem: toPem(der, "PRIVATE KEY") };
  const pkcs1 = tryPrivate(der, "pkcs1");
  if (pkcs1) return { key: pkcs1, keyType: "PKCS1", pem: toPem(der, "RSA PRIVATE KEY") };
  return null;
}

function parsePublic(raw: string): KeyObject | null {
  const text = unescape(raw);
  const pem = PEM.exec(text);
  if (pem) {
    const der = base64Body(pem[2] ?? "");
    if (!der) return null;
    if (pem[1] === "PUBLIC KEY") return tryPublic(der, "spki");
    if (pem[1] === "RSA PUBLIC KEY") return tryPublic(der, "pkcs1");
    // A private key or a certificate here is a mistake (certificate mode is not supported).
    return null;
  }
  const der = base64Body(text);
  if (!der) return null;
  return tryPublic(der, "spki") ?? tryPublic(der, "pkcs1");
}

function spkiPem(key: KeyObject): string {
  return (key.export({ type: "spki", format: "pem" }) as string).trim();
}

export interface KeyNames {
  privateKey: string;
  alipayPublicKey: string;
}

const ENV_NAMES: KeyNames = {
  privateKey: "ALIPAY_PRIVATE_KEY",
  alipayPublicKey: "ALIPAY_PUBLIC_KEY",
};

const privateProblem = (name: string) =>
  `${name} does not parse as an RSA private key (2048-bit or more; PKCS#1 or PKCS#8, PEM or bare base64)`;
const publicProblem = (name: string) =>
  `${name} does not parse as an RSA public key (2048-bit or more; PEM or bare base64)`;
const ownKeyProblem = (names: KeyNames) =>
  `${names.alipayPublicKey} is the public half of ${names.privateKey} (the app's own key): ` +
  "set Alipay's public key, shown beside the app's on the open platform";

/**
 * Every problem with a pair of keys, named by `names` (the env variables by default); empty when
 * both parse. Used at start-up (lib/env.ts runs the same checks) and by `normaliseAlipayKeys`.
 */
export function validateAlipayKeys(
  keys: { privateKey: string; alipayPublicKey: string },
  names: KeyNames = ENV_NAMES,
): string[] {
  const problems: string[] = [];
  const parsed = parsePrivate(keys.privateKey);
  const alipay = parsePublic(keys.alipayPublicKey);
  if (!parsed) problems.push(privateProblem(names.privateKey));
  if (!alipay) problems.push(publicProblem(names.alipayPublicKey));
  // The most reported mistake of all (spec §8): verifying with the app's public key.
  if (parsed && alipay && spkiPem(createPublicKey(parsed.key)) === spkiPem(alipay)) {
    problems.push(ownKeyProblem(names));
  }
  return problems;
}

/** The keys as the SDK needs them; throws `AlipayError("invalid_config")` naming each problem. */
export function normaliseAlipayKeys(
  keys: { privateKey: string; alipayPublicKey: string },
  names: KeyNames = ENV_NAMES,
): NormalisedKeys {
  const problems = validateAlipayKeys(keys, names);
  const parsed = parsePrivate(keys.privateKey);
  const alipay = parsePublic(keys.alipayPublicKey);
  if (problems.length > 0 || !parsed || !alipay) {
    throw new AlipayError("invalid_config", problems.join("; "));
  }
  return { privateKey: parsed.pem, keyType: parsed.keyType, alipayPublicKey: spkiPem(alipay) };
}

/** Alipay's public key as SPKI PEM, or null when it does not parse (never throws). */
export function normalisePublicKey(raw: string): string | null {
  const key = parsePublic(raw);
  return key ? spkiPem(key) : null;
}
