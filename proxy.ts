import { NextResponse, type NextRequest } from "next/server";

import { PATH_HEADER } from "@/lib/http/request-path";

/**
 * Runs before every page and route: refuses URLs whose path is not valid percent-encoding
 * (Next would answer those with a 500) and passes the requested path on to server components.
 * No auth decisions here: every page, action and route checks the role itself.
 */
export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  try {
    decodeURIComponent(pathname);
  } catch {
    return NextResponse.json(
      { error: { code: "bad_request", message: "The URL is not validly encoded." } },
      { status: 400 },
    );
  }
  const headers = new Headers(request.headers);
  headers.set(PATH_HEADER, `${pathname}${search}`);
  return NextResponse.next({ request: { headers } });
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
