import { decode, getToken } from "next-auth/jwt";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import type { SessionLike } from "./session-version";

/*
 * The session of a request read straight from its cookie, for the hottest route (the checkout's
 * status poll, many requests a minute per buyer): next-auth's `auth()` runs its whole session
 * action per call — a synthetic request, the callbacks, and a re-encrypted cookie — which cost
 * the poll more than its query (issue #14). This decodes the same JWT with the same secret and
 * salt (the cookie's name, as next-auth does; chunked cookies included through its own
 * `getToken`), and remembers what a token decoded to: a token's payload never changes, and the
 * session version is still checked against the database on every request (userForSession).
 *
 * It never refreshes the cookie: the pages the buyer loads (the checkout itself) do, through
 * `auth()`.
 */

const SECURE_NAME = "__Secure-authjs.session-token";
const PLAIN_NAME = "authjs.session-token";
/** Decoded tokens kept (a bounded map, emptied when full: junk cookies cannot grow it). */
const CACHE_MAX = 5_000;
/** How long a decoded token is trusted without decoding again (its own expiry still applies). */
const CACHE_MS = 5 * 60_000;

interface Entry {
  session: SessionLike;
  until: number;
}
const decoded = new Map<string, Entry>();

function sessionOf(payload: Record<string, unknown> | null): SessionLike | null {
  if (!payload || typeof payload.uid !== "string") return null;
  return {
    user: { id: payload.uid },
    ...(typeof payload.sv === "number" ? { sessionVersion: payload.sv } : {}),
  };
}

/** The session the request's cookie carries, or null (none, forged, expired, another secret). */
export async function sessionFromHeaders(
  headers: Headers,
  secret: string,
  nowMs: number = Date.now(),
): Promise<SessionLike | null> {
  const secureCookie = (headers.get("cookie") ?? "").includes(SECURE_NAME);
  const salt = secureCookie ? SECURE_NAME : PLAIN_NAME;
  const token = await getToken({
    req: { headers },
    secret,
    secureCookie,
    salt,
    raw: true,
    logger: { error: () => {}, warn: () => {}, debug: () => {} },
  });
  if (!token) return null;
  const key = `${salt}:${token}`;
  const hit = decoded.get(key);
  if (hit && hit.until > nowMs) return hit.session;

  let payload: Record<string, unknown> | null = null;
  try {
    payload = (await decode({ token, secret, salt })) as Record<string, unknown> | null;
  } catch {
    payload = null;
  }
  const session = sessionOf(payload);
  if (session && typeof payload?.exp === "number") {
    if (decoded.size >= CACHE_MAX) decoded.clear();
    decoded.set(key, { session, until: Math.min(payload.exp * 1000, nowMs + CACHE_MS) });
  }
  return session;
}

/**
 * The request's session as its cookie says, for a route that reads the user with its own
 * statement and checks it with `assertViewer` (the status poll); 401 without one. Not yet
 * checked against the database.
 */
export async function assertSessionOfRequest(
  request: Request,
): Promise<SessionLike & { user: { id: string } }> {
  const session = await sessionFromHeaders(request.headers, getEnv().authSecret);
  const id = session?.user?.id;
  if (!session || !id) throw new AppError("unauthorized", "Sign in first.");
  return { ...session, user: { id } };
}
