import "server-only";
import type { Db } from "@/db/client";
import {
  pruneCounters,
  releaseCounterSlot,
  takeCounterSlot,
  type CounterSlot,
} from "@/db/queries/rate-limits";
import { getEnv } from "@/lib/env";
import { AppError, isAppError } from "@/lib/errors";
import { clientAddress, clientKey } from "@/lib/http/client-ip";
import { moduleLogger } from "@/lib/logger";

const log = moduleLogger("rate-limit");

/**
 * Named limits on what costs the shop something (accounts, provider QR codes, agreements),
 * counted in the database (`rate_limit_counters`) so that every instance shares them. Fixed
 * windows on the shop's clock: cheap (one upsert per limit) at the price of allowing up to twice
 * the limit across a window boundary. Password attempts have their own throttle (lib/auth).
 */
export interface RateLimit {
  /** Counter bucket, also the name in logs. */
  bucket: string;
  /** Requests allowed per window (before RATE_LIMIT_SCALE). */
  limit: number;
  windowSeconds: number;
}

export const RATE_LIMITS = {
  /** New accounts from one client address. */
  signupPerClient: { bucket: "signup:client", limit: 5, windowSeconds: 60 * 60 },
  /** QR purchases started by one account (each may cost a provider call). */
  orderPerAccount: { bucket: "order:account", limit: 10, windowSeconds: 10 * 60 },
  /** QR purchases started from one client address, whichever accounts it uses. */
  orderPerClient: { bucket: "order:client", limit: 30, windowSeconds: 10 * 60 },
  /** Alipay agreements (memberships) started by one account: for the billing work to come. */
  subscriptionPerAccount: { bucket: "subscription:account", limit: 5, windowSeconds: 60 * 60 },
  /** Alipay agreements started from one client address. */
  subscriptionPerClient: { bucket: "subscription:client", limit: 20, windowSeconds: 60 * 60 },
  /**
   * Password reset mails asked for one address (known or not, so the limit tells nothing about
   * which accounts exist): a mailbox cannot be flooded through the form.
   */
  passwordResetPerAddress: { bucket: "reset:address", limit: 3, windowSeconds: 15 * 60 },
  /** Password reset requests from one client address, whichever addresses it names. */
  passwordResetPerClient: { bucket: "reset:client", limit: 10, windowSeconds: 15 * 60 },
} as const satisfies Record<string, RateLimit>;

/** Open unpaid QR orders one buyer may hold at once (each is a live provider QR code). */
export const MAX_OPEN_PURCHASES = 5;

export interface RateLimitDeps {
  db: Db;
  /** The shop's clock (the sandbox's virtual clock in sandbox mode). */
  now: () => Promise<Date>;
  /** Multiplies every limit (RATE_LIMIT_SCALE; default from the environment). */
  scale?: number;
}

/** Slots taken by one request, which it can give back if the request turns out not to count. */
export interface Reservation {
  release(): Promise<void>;
}

/**
 * Takes one slot of each limit for its key, in order; when one is full, gives back the slots
 * already taken and throws `rate_limited` with the seconds until that window ends.
 */
export async function takeSlots(
  deps: RateLimitDeps,
  checks: { limit: RateLimit; key: string }[],
): Promise<Reservation> {
  const now = await deps.now();
  const scale = deps.scale ?? getEnv().rateLimitScale;
  const taken: CounterSlot[] = [];
  const release = async () => {
    for (const slot of taken.splice(0).reverse()) await releaseCounterSlot(deps.db, slot);
  };
  for (const { limit, key } of checks) {
    const windowMs = limit.windowSeconds * 1000;
    const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
    const slot = { bucket: limit.bucket, key, windowStart };
    const count = await takeCounterSlot(deps.db, slot, limit.limit * scale);
    if (count === null) {
      await release();
      const retryAfterSeconds = Math.max(
        1,
        Math.ceil((windowStart.getTime() + windowMs - now.getTime()) / 1000),
      );
      log.warn({ bucket: limit.bucket, key, retryAfterSeconds }, "rate limited");
      throw rateLimited(retryAfterSeconds);
    }
    taken.push(slot);
    // The first request of a window clears the bucket's ended windows: the table holds about
    // one window of rows per bucket, with no job to run.
    if (count === 1) await pruneCounters(deps.db, limit.bucket, windowStart);
  }
  return { release };
}

export function rateLimited(retryAfterSeconds: number): AppError {
  return new AppError(
    "rate_limited",
    `Too many requests. Please try again in ${retryAfterSeconds} seconds.`,
    undefined,
    { retryAfterSeconds },
  );
}

/** The per-client key of a request (IPv6 by /64; unknown clients share one key). */
export function clientKeyOf(headers: Headers): string {
  return clientKey(clientAddress(headers));
}

export function limitSignup(deps: RateLimitDeps, headers: Headers): Promise<Reservation> {
  return takeSlots(deps, [{ limit: RATE_LIMITS.signupPerClient, key: clientKeyOf(headers) }]);
}

/**
 * Runs a sign-up within the per-client limit. A sign-up refused for invalid fields gives its slot
 * back (typos cost nothing); a taken email keeps it, so the form is no free address-probing tool.
 */
export async function withSignupLimit<T>(
  deps: RateLimitDeps,
  headers: Headers,
  signUp: () => Promise<T>,
): Promise<T> {
  const reservation = await limitSignup(deps, headers);
  try {
    return await signUp();
  } catch (error) {
    if (isAppError(error, "validation_failed")) await reservation.release();
    throw error;
  }
}

export function limitOrderCreation(
  deps: RateLimitDeps,
  request: { userId: string; headers: Headers },
): Promise<Reservation> {
  return takeSlots(deps, [
    { limit: RATE_LIMITS.orderPerAccount, key: request.userId },
    { limit: RATE_LIMITS.orderPerClient, key: clientKeyOf(request.headers) },
  ]);
}

export function limitSubscriptionCreation(
  deps: RateLimitDeps,
  request: { userId: string; headers: Headers },
): Promise<Reservation> {
  return takeSlots(deps, [
    { limit: RATE_LIMITS.subscriptionPerAccount, key: request.userId },
    { limit: RATE_LIMITS.subscriptionPerClient, key: clientKeyOf(request.headers) },
  ]);
}

/**
 * Refuses a new QR order while the buyer holds {@link MAX_OPEN_PURCHASES} open ones (as read by
 * `purchaseFacts` at `now`): 429 with Retry-After until the first of them expires. A soft cap: two requests for different products
 * racing at the cap may both pass; the per-account order limit bounds what that can add.
 */
export function assertOpenPurchaseCap(
  open: { count: number; nextExpiry: Date | null },
  now: Date,
): void {
  if (open.count < MAX_OPEN_PURCHASES) return;
  const retryAfterSeconds = Math.max(
    1,
    Math.ceil(((open.nextExpiry?.getTime() ?? now.getTime()) - now.getTime()) / 1000),
  );
  throw new AppError(
    "rate_limited",
    `You have ${open.count} unpaid orders open. Pay for one or wait until one expires (in ${retryAfterSeconds} seconds) before starting another.`,
    undefined,
    { retryAfterSeconds },
  );
}
