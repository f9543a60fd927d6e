import { createHmac, timingSafeEqual } from "node:crypto";

/*
 * The "known device" cookie: a random id set at a successful sign-in, signed with AUTH_SECRET so
 * a client cannot present another client's id without having seen it. Whether the id is known to
 * a given account is decided by the sign-in attempts (lib/auth/authenticate.ts), not the cookie.
 */
export const KNOWN_DEVICE_COOKIE = "xp_device";
/** A year: the client stays known across sessions (sessions last 30 days). */
export const KNOWN_DEVICE_MAX_AGE_SECONDS = 365 * 24 * 60 * 60;

const DEVICE_ID = /^[A-Za-z0-9_-]{16,64}$/;

function mac(secret: string, id: string): string {
  return createHmac("sha256", secret).update(`xiaopu-known-device:${id}`).digest("base64url");
}

export function signDevice(secret: string, id: string): string {
  return `${id}.${mac(secret, id)}`;
}

/** The device id of a cookie value, or null unless it carries our signature. */
export function verifyDevice(secret: string, value: string | null | undefined): string | null {
  if (!value) return null;
  const [id, signature, ...rest] = value.split(".");
  if (!id || !signature || rest.length > 0 || !DEVICE_ID.test(id)) return null;
  const expected = Buffer.from(mac(secret, id));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected) ? id : null;
}

/** The known-device cookie's value in a Cookie header. */
export function deviceCookieValue(cookieHeader: string | null): string | null {
  for (const part of (cookieHeader ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === KNOWN_DEVICE_COOKIE)
      return part.slice(at + 1).trim();
  }
  return null;
}
