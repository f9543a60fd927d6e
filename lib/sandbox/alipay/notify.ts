import "server-only";
import { randomBytes } from "node:crypto";
import { and, asc, eq, inArray, lte, or } from "drizzle-orm";
import { alipaySandboxNotifications as notes } from "@/db/schema";
import { statement, type Slots } from "@/db/statement";
import type { AlipayContext } from "./context";
import type { AlipayFaults } from "./faults";
import { isAcknowledged, nextNotifyAt } from "./retry";
import { readSettings } from "./settings";
import { notifySignContent, rsa2Sign, signContent, type Params } from "./signing";
import { formatAlipayTime } from "./time";

/*
 * Notifications (spec §3.3, §5, §9.12–14): stored as rows, delivered by tick() (the ticker, or a
 * test). Each attempt refreshes notify_time and signs again (notify_id stays); fields are never
 * empty. Due rows are claimed with UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED), so
 * concurrent ticks never send one attempt twice.
 */

export type NotifyType = "trade_status_sync" | "dut_user_sign" | "dut_user_unsign";
export type NotificationRow = typeof notes.$inferSelect;

const CLAIM_BATCH = 20;
const MAX_BATCHES_PER_TICK = 50;
const STALE_CLAIM_MS = 60_000;
const RESULT_SNIPPET = 200;

export const newNotifyId = () => randomBytes(16).toString("hex");

export interface PlannedNotification {
  notifyType: NotifyType;
  /** null → the app gateway, resolved when sent. */
  targetUrl: string | null;
  fields: Record<string, string | undefined | null>;
}

/**
 * Stores notifications due now, in the given order; empty and missing fields are dropped.
 * `faults`: the caller's, when it has read them already (else they are read here).
 */
export async function enqueueNotifications(
  ctx: AlipayContext,
  planned: PlannedNotification[],
  now: Date,
  faults?: AlipayFaults,
): Promise<void> {
  if (planned.length === 0) return;
  const { fundBillListQuot } = faults ?? (await readSettings(ctx.db)).faults;
  const rows = planned.map((note) => {
    const list = note.fields.fund_bill_list;
    if (fundBillListQuot && typeof list === "string") {
      note.fields.fund_bill_list = list.replaceAll('"', "&quot;");
    }
    const params: Params = {};
    for (const [key, value] of Object.entries(note.fields)) {
      if (value !== undefined && value !== null && value !== "") params[key] = value;
    }
    return {
      notifyId: newNotifyId(),
      notifyType: note.notifyType,
      targetUrl: note.targetUrl,
      params: { ...params, notify_type: note.notifyType },
      nextAttemptAt: now,
      createdAt: now,
    };
  });
  // One statement: the rows get their ids in list order, so they are sent in that order.
  if (rows.length === 1) await insertNotification.run(ctx.db, rows[0]!);
  else await ctx.db.insert(notes).values(rows);
}

/** The usual case (a trade's one notification), built once. */
const insertNotification = statement(
  (
    db,
    slot: Slots<{
      notifyId: string;
      notifyType: string;
      targetUrl: string | null;
      params: Params & { notify_type: string };
      nextAttemptAt: Date;
      createdAt: Date;
    }>,
  ) =>
    db.insert(notes).values({
      notifyId: slot.notifyId,
      notifyType: slot.notifyType,
      targetUrl: slot.targetUrl,
      params: slot.params,
      nextAttemptAt: slot.nextAttemptAt,
      createdAt: slot.createdAt,
    }),
);

/** The form fields of one attempt, signed with the Alipay private key. */
export function signedForm(
  ctx: AlipayContext,
  row: NotificationRow,
  at: Date,
  options: { includeSignType: boolean } = { includeSignType: false },
): Params {
  const params: Params = {
    ...(row.params as Params),
    notify_id: row.notifyId,
    notify_time: formatAlipayTime(at),
    app_id: ctx.keys.appId,
    auth_app_id: ctx.keys.appId,
    charset: "utf-8",
    version: "1.0",
    sign_type: "RSA2",
  };
  const content = options.includeSignType
    ? signContent(params, ["sign"])
    : notifySignContent(params);
  params.sign = rsa2Sign(content, ctx.keys.alipayPrivateKeyPem);
  return params;
}

async function claimDue(ctx: AlipayContext, now: Date): Promise<NotificationRow[]> {
  const due = or(
    and(inArray(notes.status, ["pending", "retrying"]), lte(notes.nextAttemptAt, now)),
    and(
      eq(notes.status, "sending"),
      lte(notes.lastAttemptAt, new Date(now.getTime() - STALE_CLAIM_MS)),
    ),
  );
  const candidates = ctx.db
    .select({ id: notes.id })
    .from(notes)
    .where(due)
    .orderBy(asc(notes.nextAttemptAt), asc(notes.id))
    .limit(CLAIM_BATCH)
    .for("update", { skipLocked: true });
  const claimed = await ctx.db
    .update(notes)
    .set({ status: "sending", lastAttemptAt: now })
    .where(and(inArray(notes.id, candidates), due))
    .returning();
  return claimed.sort(
    (a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || a.id - b.id,
  );
}

async function post(
  ctx: AlipayContext,
  url: string,
  form: Params,
  oddContentType: boolean,
): Promise<{ ok: boolean; result: string }> {
  try {
    const response = await ctx.fetch(url, {
      method: "POST",
      headers: {
        "Content-Type": oddContentType
          ? "application/x-www-form-urlencoded; text/html; charset=utf-8"
          : "application/x-www-form-urlencoded; charset=utf-8",
        "User-Agent": "Mozilla/4.0",
      },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(ctx.notifyTimeoutMs),
      redirect: "manual",
    });
    const text = await response.text();
    const snippet = text.length > RESULT_SNIPPET ? `${text.slice(0, RESULT_SNIPPET)}…` : text;
    return {
      ok: isAcknowledged(response.status, text),
      result: `HTTP ${response.status}: ${snippet}`,
    };
  } catch (error) {
    if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
      return { ok: false, result: `timeout after ${ctx.notifyTimeoutMs} ms` };
    }
    const cause = (error as { cause?: { code?: string } } | null)?.cause?.code;
    return { ok: false, result: `network error: ${cause ?? String(error)}` };
  }
}

/** Delivers every notification due now; failures are rescheduled on the sandbox clock. */
export async function deliverDueNotifications(
  ctx: AlipayContext,
  now: Date,
): Promise<{ delivered: number; failed: number }> {
  const settings = await readSettings(ctx.db);
  const appGateway = settings.appGatewayUrl ?? ctx.appGatewayUrl;
  let delivered = 0;
  let failed = 0;
  for (let batch = 0; batch < MAX_BATCHES_PER_TICK; batch++) {
    const claimed = await claimDue(ctx, now);
    if (claimed.length === 0) break;
    for (const row of claimed) {
      const sentAt = await ctx.clock.now();
      const url = row.targetUrl ?? appGateway;
      const notifyTime = settings.faults.refreshNotifyTime ? sentAt : row.createdAt;
      const form = signedForm(ctx, row, notifyTime, {
        includeSignType: settings.faults.notifySignIncludesSignType,
      });
      const outcome = await post(ctx, url, form, settings.faults.oddContentType);
      const attempts = row.attempts + 1;
      const mine = and(eq(notes.id, row.id), eq(notes.status, "sending"));
      if (outcome.ok) {
        delivered++;
        await ctx.db
          .update(notes)
          .set({ status: "delivered", attempts, lastResult: outcome.result })
          .where(mine);
        if (settings.faults.duplicateAfterSuccess && row.duplicate === 0) {
          await ctx.db.insert(notes).values({
            notifyId: row.notifyId,
            notifyType: row.notifyType,
            targetUrl: row.targetUrl,
            params: row.params,
            duplicate: 1,
            nextAttemptAt: sentAt,
            createdAt: sentAt,
          });
        }
        continue;
      }
      failed++;
      const retryAt = nextNotifyAt(sentAt, attempts, settings.faults.immediateRetries);
      await ctx.db
        .update(notes)
        .set(
          retryAt
            ? { status: "retrying", attempts, nextAttemptAt: retryAt, lastResult: outcome.result }
            : { status: "dead", attempts, lastResult: outcome.result },
        )
        .where(mine);
    }
  }
  return { delivered, failed };
}

/** Counts per status, for stats. */
export async function notificationSummaries(ctx: AlipayContext) {
  return ctx.db
    .select({
      id: notes.id,
      notifyId: notes.notifyId,
      notifyType: notes.notifyType,
      targetUrl: notes.targetUrl,
      status: notes.status,
      attempts: notes.attempts,
      nextAttemptAt: notes.nextAttemptAt,
      lastResult: notes.lastResult,
      params: notes.params,
    })
    .from(notes)
    .orderBy(asc(notes.id));
}
