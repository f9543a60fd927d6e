import { createHash, timingSafeEqual } from "node:crypto";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { route } from "./json";

/** Constant-time comparison of the bearer token with the secret (hashed to equal lengths). */
export function isAuthorizedCron(header: string | null, secret: string): boolean {
  const match = /^Bearer (.+)$/.exec(header ?? "");
  if (!match) return false;
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(match[1]!), digest(secret));
}

/** Cron routes: `Authorization: Bearer $CRON_SECRET` or 401, then one job, then its summary. */
export function withCron<C = unknown>(job: (request: Request, context: C) => Promise<Response>) {
  return route<C>(async (request: Request, context: C) => {
    if (!isAuthorizedCron(request.headers.get("authorization"), getEnv().cronSecret)) {
      throw new AppError("unauthorized", "This route needs Authorization: Bearer $CRON_SECRET.");
    }
    return job(request, context);
  });
}
