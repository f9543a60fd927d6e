import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { getDb } from "@/db";
import { now } from "@/lib/now";
import { getEnv } from "@/lib/env";
import { moduleLogger } from "@/lib/logger";
import { authenticate } from "./authenticate";
import type { Role } from "./types";

const log = moduleLogger("auth");

/** Shown on the sign-in page as "too many attempts" instead of "wrong email or password". */
export class SigninThrottled extends CredentialsSignin {
  override code = "rate_limited";
}

export function clientIp(headers: Headers): string {
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || headers.get("x-real-ip") || "unknown";
}

// Lazy configuration: env and database are read on the first request, never at build time.
export const { handlers, auth, signIn, signOut } = NextAuth(() => {
  const env = getEnv();
  return {
    secret: env.authSecret,
    trustHost: true,
    session: { strategy: "jwt", maxAge: 30 * 24 * 60 * 60 },
    pages: { signIn: "/signin" },
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
            },
            await now(),
            env.signin,
          );
          if (result.ok) {
            log.info({ userId: result.user.id }, "signed in");
            return {
              id: result.user.id,
              email: result.user.email,
              name: result.user.name,
              role: result.user.role,
            };
          }
          if (result.reason === "throttled") {
            log.warn({ ip: clientIp(request.headers) }, "sign-in throttled");
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
          token.role = (user as { role?: Role }).role ?? "buyer";
        }
        return token;
      },
      session({ session, token }) {
        if (typeof token.uid === "string") {
          session.user.id = token.uid;
          session.user.role = token.role === "admin" ? "admin" : "buyer";
        }
        return session;
      },
    },
  };
});
