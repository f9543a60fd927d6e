import { NextRequest } from "next/server";
import { handlers } from "@/lib/auth";
import { sanitizeAuthRequest } from "@/lib/auth/callback-url";
import { asJsonError, methodsNotAllowed } from "@/lib/http/json";

/*
 * next-auth answers 500 to a callbackUrl that is neither a path nor an absolute URL (its default
 * redirect callback calls `new URL()` on it): a bad value is dropped before next-auth sees it.
 * Its own refusals ("Bad request." as plain text, for an unknown action) become the shop's JSON
 * error with a code, as every other route answers.
 */
export async function GET(request: NextRequest): Promise<Response> {
  return asJsonError(await handlers.GET(new NextRequest(await sanitizeAuthRequest(request))));
}

export async function POST(request: NextRequest): Promise<Response> {
  return asJsonError(await handlers.POST(new NextRequest(await sanitizeAuthRequest(request))));
}

/** Any other method: 405 with the JSON error. */
export const { PUT, PATCH, DELETE } = methodsNotAllowed(["GET", "POST"]);
