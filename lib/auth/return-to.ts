import { safeCallbackPath } from "./callback-path";
import type { Role } from "./types";

/*
 * Where sign-in and sign-up go afterwards. A `callbackUrl` (a same-site path, safeCallbackPath)
 * always wins; without one each role has its own home: the owner's is the admin area.
 * Pure, with no server imports and no zod: the header's client component uses it too.
 */

const AUTH_PAGES = new Set(["/signin", "/signup"]);

/** The account page's query parameter after a password change (it shows the success line). */
export const PASSWORD_CHANGED_PARAM = "password-changed";
/** The id of the account page's password section (the change scrolls back to it). */
export const PASSWORD_SECTION_ID = "password";

/** Where a signed-in user goes when nothing asked to come back anywhere. */
export function landingPath(role: Role): string {
  return role === "admin" ? "/admin" : "/account";
}

/**
 * The page that sign-in or sign-up started from `pathname` (+ `search`) should return to:
 * the page itself, or — from the sign-in and sign-up pages — the callbackUrl they carry. None
 * from the home page, so the role's landing page applies (the owner lands in the admin area).
 */
export function returnPathFor(pathname: string, search = ""): string | undefined {
  if (AUTH_PAGES.has(pathname)) {
    const carried = safeCallbackPath(new URLSearchParams(search).get("callbackUrl"), "");
    return carried || undefined;
  }
  if (pathname === "/") return undefined;
  const path = safeCallbackPath(`${pathname}${search}`, "");
  return path || undefined;
}

/** `/signin` or `/signup`, carrying where to come back to. */
export function authPageHref(page: "/signin" | "/signup", returnTo?: string): string {
  return returnTo ? `${page}?callbackUrl=${encodeURIComponent(returnTo)}` : page;
}
