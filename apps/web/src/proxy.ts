import { NextResponse, type NextRequest } from "next/server";
import { getSessionCookie } from "better-auth/cookies";

/**
 * Signed-out visits to console pages land on /login and come back afterwards. This only
 * looks for the cookie; pages verify the session for real. API routes are not matched (they
 * answer 401 themselves, and uploads must not be buffered by a proxy).
 */
export function proxy(request: NextRequest) {
  if (getSessionCookie(request)) return NextResponse.next();
  const url = new URL("/login", request.url);
  url.searchParams.set("next", request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.redirect(url);
}

export const config = { matcher: ["/((?!api/|_next/|login|docs|favicon.ico).*)"] };
