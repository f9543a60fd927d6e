import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { cookies } from "next/headers";
import { getDb } from "@/db";
import { now } from "@/lib/now";
import { getEnv } from "@/lib/env";
import { clientAddress } from "@/lib/http/client-ip";
import { moduleLogger } from "@/lib/logger";
import { authenticate } from "./authenticate";
import {
  deviceCookieValue,
  KNOWN_DEVICE_COOKIE,
  KNOWN_DEVICE_MAX_AGE_SECONDS,
  signDevice,
  verifyDevice,
} from "./known-device";
import { authLogger } from "./logger";
import { endSessionsOnSignOut } from "./session-version";
import type { Role } from "./types";

const log = moduleLogger("auth");

/** Shown on the sign-in page as "too many attempts" instead of "wrong email or password". */
export class SigninThrottled extends CredentialsSignin {
  override code = "rate_limited";
}

/** The client's address as lib/http/client-ip.ts decides it (Vercel, trusted proxy hops). */
export function clientIp(headers: Headers): string {
  return clientAddress(headers);
}

/**
 * Sets (or renews) the signed known-device cookie, so this client is kept apart from strangers at
 * its next sign-in. authorize runs inside the sign-in route handler or server action, where
 * cookies can be set; a failure must not undo a correct sign-in, so it is only logged.
 */
async function rememberDevice(secret: string, device: string, url: string): Promise<void> {
  try {
    (await cookies()).set(KNOWN_DEVICE_COOKIE, signDevice(secret, device), {
      httpOnly: true,
      sameSite: "lax",
      path: "/",
      secure: url.startsWith("https:"),
      maxAge: KNOWN_DEVICE_MAX_AGE_SECONDS,
    });
  } catch (error) {
    log.warn({ err: error }, "could not set the known-device cookie");
  }
}

// Lazy configuration: env and database are read on the first request, never at build time.
export const { handlers, auth, signIn, signOut } = NextAuth(() => {
  const env = getEnv();
  return {
    secret: env.authSecret,
    trustHost: true,
    session: { strategy: "jwt", maxAge: 30 * 24 * 60 * 60 },
    pages: { signIn: "/signin" },
    // Through pino: a wrong password is one info line, not next-auth's red stack trace.
    logger: authLogger(log),
    providers: [
      Credentials({
        credentials: { email: { type: "email" }, password: { type: "password" } },
        async authorize(credentials, request) {
          const db = await getDb();
          const result = await authenticate(
            db,
            {
              email: credentials.email,
              password: credentials.password,
              ip: clientIp(request.headers),
              device: verifyDevice(
                env.authSecret,
                deviceCookieValue(request.headers.get("cookie")),
              ),
            },
            await now(),
            env.signin,
          );
          if (result.ok) {
            log.info({ userId: result.user.id }, "signed in");
            await rememberDevice(env.authSecret, result.device, request.url);
            return {
              id: result.user.id,
              email: result.user.email,
              name: result.user.name,
              role: result.user.role,
              sessionVersion: result.user.sessionVersion,
            };
          }
          if (result.reason === "throttled") {
            log.warn(
              { ip: clientIp(request.headers), retryAfterSeconds: result.retryAfterSeconds },
              "sign-in throttled",
            );
            throw new SigninThrottled();
          }
          return null;
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user?.id) {
          token.uid = user.id;
          const signedIn = user as { role?: Role; sessionVersion?: number };
          token.role = signedIn.role ?? "buyer";
          token.sv = signedIn.sessionVersion ?? 0;
        }
        return token;
      },
      session({ session, token }) {
        if (typeof token.uid === "string") {
          session.user.id = token.uid;
          session.user.role = token.role === "admin" ? "admin" : "buyer";
          if (typeof token.sv === "number") session.sessionVersion = token.sv;
        }
        return session;
      },
    },
    events: {
      // Runs for the sign-out action and for POST /api/auth/signout alike (both go through
      // next-auth's signout action): a copy of the cookie taken before must not outlive it.
      async signOut(message) {
        if (await endSessionsOnSignOut(await getDb(), message)) log.info("signed out everywhere");
      },
    },
  };
});
