import { headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { PATH_HEADER } from "@/lib/http/request-path";
import { getDb } from "@/db";
import { AppError } from "@/lib/errors";
import { safeCallbackPath } from "./schemas";
import { auth } from "./index";
import { userForSession, type CurrentUser } from "./session-version";

export type { CurrentUser };

/** The signed-in user, or null (see userForSession: re-read, session version checked). */
export async function getCurrentUser(): Promise<CurrentUser | null> {
  return userForSession(await getDb(), await auth());
}

function signInUrl(callbackPath: string): string {
  return `/signin?callbackUrl=${encodeURIComponent(callbackPath)}`;
}

/** The path being requested (set by proxy.ts), so sign-in can come back to it. */
async function requestedPath(fallback: string): Promise<string> {
  return safeCallbackPath((await headers()).get(PATH_HEADER), fallback);
}

/** Pages: anonymous → sign-in page, then back to the page that was asked for. */
export async function requireUser(fallbackPath = "/account"): Promise<CurrentUser> {
  const user = await getCurrentUser();
  if (!user) redirect(signInUrl(await requestedPath(fallbackPath)));
  return user;
}

/** Pages: anonymous → sign-in page; signed in without the admin role → 403 page. */
export async function requireAdmin(): Promise<CurrentUser> {
  const user = await requireUser("/admin");
  if (user.role !== "admin") forbidden();
  return user;
}

/** Routes and server actions: 401 / 403 as AppErrors, never redirects. */
export async function assertUser(): Promise<CurrentUser> {
  const user = await getCurrentUser();
  if (!user) throw new AppError("unauthorized", "Sign in first.");
  return user;
}

export async function assertAdmin(): Promise<CurrentUser> {
  const user = await assertUser();
  if (user.role !== "admin") throw new AppError("forbidden", "This needs the admin role.");
  return user;
}
