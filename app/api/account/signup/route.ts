import { getDb } from "@/db";
import { toLocale } from "@/i18n/locales";
import { signUp } from "@/lib/auth/signup";
import { json, methodsNotAllowed, readJson, route } from "@/lib/http/json";
import { now } from "@/lib/now";
import { withSignupLimit } from "@/lib/rate-limit";
import { z } from "zod";

// Shape only; the field rules live in signUp so the form and the API give the same answers.
const body = z.object({}).passthrough();

/**
 * JSON sign-up for scripts and apps: 201 with the new buyer, 422 field codes, 409 duplicate,
 * 429 with Retry-After past the per-client sign-up limit (lib/rate-limit.ts).
 */
export const POST = route(async (request) => {
  const input = await readJson(request, body);
  const db = await getDb();
  // The language cookie, if the client has one: the buyer's notices are written in it.
  const cookie = /(?:^|;\s*)NEXT_LOCALE=([^;]*)/.exec(request.headers.get("cookie") ?? "")?.[1];
  const user = await withSignupLimit({ db, now }, request.headers, () =>
    signUp(db, input, { locale: toLocale(cookie) }),
  );
  return json({ user }, { status: 201 });
});

/** Any other method: 405 with the JSON error. */
export const { GET, PUT, PATCH, DELETE } = methodsNotAllowed(["POST"]);
