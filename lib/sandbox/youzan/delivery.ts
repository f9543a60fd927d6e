import { and, asc, eq, inArray, lte, or, sql } from "drizzle-orm";
import { youzanSandboxPushes as pushes } from "@/db/schema";
import type { SandboxContext } from "./context";
import { serializePushBody, type PushPayload } from "./pushes";
import { isAcknowledged, nextRetryAt, PUSH_TIMEOUT_MS } from "./retry";
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

function describeError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === "TimeoutError" || error.name === "AbortError") {
      return `timeout after ${PUSH_TIMEOUT_MS} ms`;
    }
    const cause = (error as Error & { cause?: { code?: string } }).cause;
    return `network error: ${cause?.code ?? error.message}`;
  }
  return "network error";
}

async function attempt(ctx: SandboxContext, url: string, push: PushRow): Promise<AttemptOutcome> {
  const payload = push.payload as PushPayload;
  const body = serializePushBody(payload, push.sendCount);
  try {
    const signal = AbortSignal.timeout(PUSH_TIMEOUT_MS);
    const response = await ctx.fetch(url, {
      method: "POST",
      headers: {
        "Content-Type": "application/json; charset=utf-8",
        "Event-Sign": eventSign(ctx.app.clientId, Buffer.from(body, "utf8"), ctx.app.clientSecret),
        "Event-Type": payload.type,
        "Client-Id": ctx.app.clientId,
        "User-Agent": "Youzan-Push-Sandbox/1.0",
      },
      // fetch sends a string as its UTF-8 bytes: exactly the bytes signed above.
      body,
      signal,
      redirect: "manual",
    });
    const text = await response.text();
    const snippet = text.length > RESULT_SNIPPET ? `${text.slice(0, RESULT_SNIPPET)}…` : text;
    return {
      ok: isAcknowledged(response.status, text),
      result: `HTTP ${response.status}: ${snippet}`,
    };
  } catch (error) {
    return { ok: false, result: describeError(error) };
  }
}

/** Delivers every push due now, oldest first; failures are rescheduled on the sandbox clock. */
export async function deliverDuePushes(
  ctx: SandboxContext,
  now: Date,
): Promise<{ delivered: number; failed: number }> {
  const { pushUrl } = await readSettings(ctx.db);
  const url = pushUrl ?? ctx.pushUrl;
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
