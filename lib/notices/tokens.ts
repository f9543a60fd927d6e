import "server-only";
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";
import type { UnsubscribeCategory } from "./kinds";

/*
 * Secrets carried by notices, keyed from AUTH_SECRET (HKDF, one key per use):
 * - the one-click unsubscribe token: `<userId>.<category>.<hmac>` (base64url), no expiry — a
 *   link in an old mail keeps working, and it can only ever unsubscribe;
 * - a sealed value (AES-256-GCM) for what a notice must carry but the database must not hold in
 *   clear (a password reset token until its mail is sent).
 */

function key(secret: string, use: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, "xiaopu-notices", use, 32));
}

export function unsubscribeToken(
  secret: string,
  userId: string,
  category: UnsubscribeCategory,
): string {
  const mac = createHmac("sha256", key(secret, "unsubscribe"))
    .update(`${userId}.${category}`)
    .digest("base64url");
  return `${userId}.${category}.${mac}`;
}

/** The user and category of a valid token; null for anything else (never throws). */
export function readUnsubscribeToken(
  secret: string,
  token: unknown,
): { userId: string; category: UnsubscribeCategory } | null {
  if (typeof token !== "string" || token.length > 200) return null;
  const match = /^(usr_[0-9a-z]{20})\.(reminders)\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return null;
  const [, userId, category] = match as unknown as [string, string, UnsubscribeCategory];
  const expected = Buffer.from(unsubscribeToken(secret, userId, category));
  const given = Buffer.from(token);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  return { userId, category };
}

export function seal(secret: string, value: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key(secret, "seal"), iv);
  const body = Buffer.concat([cipher.update(value, "utf8"), cipher.final()]);
  return [iv, cipher.getAuthTag(), body].map((b) => b.toString("base64url")).join(".");
}

/** The sealed value, or null when it was not sealed with this secret (or was altered). */
export function unseal(secret: string, sealed: unknown): string | null {
  if (typeof sealed !== "string") return null;
  const parts = sealed.split(".");
  if (parts.length !== 3) return null;
  try {
    const [iv, tag, body] = parts.map((p) => Buffer.from(p, "base64url")) as [
      Buffer,
      Buffer,
      Buffer,
    ];
    const decipher = createDecipheriv("aes-256-gcm", key(secret, "seal"), iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}
