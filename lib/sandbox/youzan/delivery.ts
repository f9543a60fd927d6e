import "server-only";
import { and, asc, eq, inArray, lte, or, sql } from "drizzle-orm";
import { youzanSandboxPushes as pushes } from "@/db/schema";
import type { SandboxContext } from "./context";
import { serializePushBody, signsHeaders, type PushPayload } from "./pushes";
import { isAcknowledged, nextRetryAt } from "./retry";
import { readSettings } from "./settings";
import { eventSign } from "./signing";

/*
 * Push delivery. Due rows are claimed with one UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP
 * LOCKED) that flips them to `sending`, so concurrent ticks (other processes, other instances)
 * never deliver the same attempt twice. The HTTP call happens outside any transaction: the
 * receiver is usually this same app writing to this same database.
 */

export type PushRow = typeof pushes.$inferSelect;

const CLAIM_BATCH = 20;
const MAX_BATCHES_PER_TICK = 50;
/** A `sending` claim older than this on the sandbox clock belongs to a crashed process. */
const STALE_CLAIM_MS = 60_000;
const RESULT_SNIPPET = 200;
const HEARTBEAT_BODY = '{"test":true}';
export const HEARTBEAT_TYPE = "heartbeat";

async function claimDue(ctx: SandboxContext, now: Date): Promise<PushRow[]> {
  const due = or(
    and(inArray(pushes.status, ["pending", "retrying"]), lte(pushes.nextAttemptAt, now)),
    and(
      eq(pushes.status, "sending"),
      lte(pushes.lastAttemptAt, new Date(now.getTime() - STALE_CLAIM_MS)),
    ),
  );
  const candidates = ctx.db
    .select({ id: pushes.id })
    .from(pushes)
    .where(due)
    .orderBy(asc(pushes.nextAttemptAt), asc(pushes.id))
    .limit(CLAIM_BATCH)
    .for("update", { skipLocked: true });
  const claimed = await ctx.db
    .update(pushes)
    .set({ status: "sending", lastAttemptAt: now })
    .where(and(inArray(pushes.id, candidates), due))
    .returning();
  return claimed.sort(
    (a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || a.id - b.id,
  );
}

interface AttemptOutcome {
  ok: boolean;
  result: string;
}

function describeError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error) {
    if (error.name === "TimeoutError" || error.name === "AbortError") {
      return `timeout after ${timeoutMs} ms`;
    }
    const cause = (error as Error & { cause?: { code?: string } }).cause;
    return `network error: ${cause?.code ?? error.message}`;
  }
  return "network error";
}

const BASE_HEADERS = {
  "Content-Type": "application/json; charset=utf-8",
  "User-Agent": "Youzan-Push-Sandbox/1.0",
};

/** One POST to the receiver; whatever happens becomes an outcome, never an exception. */
async function post(
  ctx: SandboxContext,
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<AttemptOutcome> {
  try {
    const response = await ctx.fetch(url, {
      method: "POST",
      headers: { ...BASE_HEADERS, ...headers },
      // fetch sends a string as its UTF-8 bytes: exactly the bytes any signature covered.
      body,
      signal: AbortSignal.timeout(ctx.pushTimeoutMs),
      redirect: "manual",
    });
    const text = await response.text();
    const snippet = text.length > RESULT_SNIPPET ? `${text.slice(0, RESULT_SNIPPET)}…` : text;
    return {
      ok: isAcknowledged(response.status, text),
      result: `HTTP ${response.status}: ${snippet}`,
    };
  } catch (error) {
    return { ok: false, result: describeError(error, ctx.pushTimeoutMs) };
  }
}

/** V3 pushes carry the header signature too; V2 ones only their body `sign`. */
function signatureHeaders(
  ctx: SandboxContext,
  payload: PushPayload,
  body: string,
): Record<string, string> {
  if (!signsHeaders(payload)) return {};
  return {
    "Event-Sign": eventSign(ctx.app.clientId, Buffer.from(body, "utf8"), ctx.app.clientSecret),
    "Event-Type": payload.type,
    "Client-Id": ctx.app.clientId,
  };
}

async function attempt(ctx: SandboxContext, url: string, push: PushRow): Promise<AttemptOutcome> {
  const payload = push.payload as PushPayload;
  const body = serializePushBody(payload, push.sendCount);
  return post(ctx, url, body, signatureHeaders(ctx, payload, body));
}

async function pushTarget(ctx: SandboxContext): Promise<string> {
  const { pushUrl } = await readSettings(ctx.db);
  return pushUrl ?? ctx.pushUrl;
}

/**
 * A `{"test":true}` health check with no other field (spec §4.6, §6.4.7), sent now. It is not
 * retried — a failed heartbeat is the news — and is listed with the pushes (`heartbeat`).
 */
export async function sendHeartbeat(ctx: SandboxContext): Promise<AttemptOutcome> {
  const url = await pushTarget(ctx);
  const outcome = await post(ctx, url, HEARTBEAT_BODY, {});
  const now = await ctx.clock.now();
  await ctx.db.insert(pushes).values({
    msgId: null,
    type: HEARTBEAT_TYPE,
    tid: null,
    payload: JSON.parse(HEARTBEAT_BODY) as unknown,
    status: outcome.ok ? "delivered" : "dead",
    sendCount: 0,
    nextAttemptAt: now,
    lastAttemptAt: now,
    lastResult: outcome.result,
    createdAt: now,
  });
  return outcome;
}

/** Delivers every push due now, oldest first; failures are rescheduled on the sandbox clock. */
export async function deliverDuePushes(
  ctx: SandboxContext,
  now: Date,
): Promise<{ delivered: number; failed: number }> {
  const url = await pushTarget(ctx);
  let delivered = 0;
  let failed = 0;
  for (let batch = 0; batch < MAX_BATCHES_PER_TICK; batch++) {
    const claimed = await claimDue(ctx, now);
    if (claimed.length === 0) break;
    for (const push of claimed) {
      const outcome = await attempt(ctx, url, push);
      const finishedAt = await ctx.clock.now();
      const mine = and(eq(pushes.id, push.id), eq(pushes.status, "sending"));
      if (outcome.ok) {
        delivered++;
        await ctx.db
          .update(pushes)
          .set({ status: "delivered", lastResult: outcome.result })
          .where(mine);
        continue;
      }
      failed++;
      const retryAt = nextRetryAt(finishedAt, push.sendCount);
      await ctx.db
        .update(pushes)
        .set(
          retryAt
            ? {
                status: "retrying",
                sendCount: sql`${pushes.sendCount} + 1`,
                nextAttemptAt: retryAt,
                lastResult: outcome.result,
              }
            : { status: "dead", lastResult: outcome.result },
        )
        .where(mine);
    }
  }
  return { delivered, failed };
}
