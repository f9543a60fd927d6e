import { NextRequest } from "next/server";
import { handlers } from "@/lib/auth";
import { sanitizeAuthRequest } from "@/lib/auth/callback-url";

/*
 * next-auth answers 500 to a callbackUrl that is neither a path nor an absolute URL (its default
 * redirect callback calls `new URL()` on it): a bad value is dropped before next-auth sees it.
 */
export async function GET(request: NextRequest): Promise<Response> {
  return handlers.GET(new NextRequest(await sanitizeAuthRequest(request)));
}

export async function POST(request: NextRequest): Promise<Response> {
  return handlers.POST(new NextRequest(await sanitizeAuthRequest(request)));
}
