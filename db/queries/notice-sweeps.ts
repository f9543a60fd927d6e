import "server-only";
import { and, count, eq, gte, lt, sql, sum } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { orders } from "@/db/schema";
import { shopNow } from "@/db/schema/shop-time";
import { firstAttemptSql } from "./billing";

/*
 * The notices no request causes: they fall due with time (lib/notices/sweep.ts). Each is one
 * INSERT … SELECT with `ON CONFLICT DO NOTHING` on the outbox's unique key, so sweeping again —
 * every few minutes, from several instances — writes each notice once.
 */

const written = (result: unknown): number => rowsOf(result).length;

/**
 * Renewal reminders: every active, auto-renewing agreement that has paid a period, whose next
 * charge (its first attempt, `firstAttemptSql`: never sooner than `remindDays` after the period
 * began) is at most `remindDays` ahead of `today` and still ahead, and whose period is not paid.
 * One per agreement and period.
 */
export async function insertDueReminders(
  db: Db,
  input: { today: string; earlyDays: number; remindDays: number },
): Promise<number> {
  const now = shopNow();
  const first = firstAttemptSql(input);
  const result = await db.execute(sql`
    insert into notices (id, kind, channel, event_key, recipient, user_id, locale, data,
                         next_attempt_at, created_at, updated_at)
    select 'ntc_' || substr(md5(a.id || ':' || a.current_period), 1, 20), 'renewal_reminder',
           'email', 'agreement:' || a.id || ':period:' || a.current_period, u.email, u.id,
           case when u.locale in ('zh-CN', 'en') then u.locale else 'zh-CN' end,
           jsonb_build_object(
             'agreementId', a.id,
             'periodIndex', a.current_period,
             'chargeDate', to_char(${first}, 'YYYY-MM-DD')),
           ${now}, ${now}, ${now}
      from agreements a
      join users u on u.id = a.user_id
     where a.status = 'active'
       and a.auto_renew
       and a.paid_periods > 0
       and a.next_charge_date is not null
       and ${first} - ${input.remindDays}::int <= ${input.today}::date
       and ${first} > ${input.today}::date
       and not exists (
         select 1 from charge_attempts c
          where c.agreement_id = a.id and c.period_index = a.current_period
            and c.status = 'succeeded')
    on conflict do nothing
    returning id`);
  return written(result);
}

/**
 * Lapsed memberships: buyers whose last live membership grant ended within `lookbackMs` before
 * now and who have none running. One notice per ended grant.
 */
export async function insertLapses(db: Db, input: { lookbackMs: number }): Promise<number> {
  const now = shopNow();
  const result = await db.execute(sql`
    insert into notices (id, kind, channel, event_key, recipient, user_id, locale, data,
                         next_attempt_at, created_at, updated_at)
    select 'ntc_' || substr(md5('lapse:' || e.id), 1, 20), 'membership_lapsed', 'email',
           'lapse:' || e.id, u.email, u.id,
           case when u.locale in ('zh-CN', 'en') then u.locale else 'zh-CN' end,
           jsonb_build_object(
             'entitlementId', e.id, 'orderId', e.order_id,
             'endedAt', to_char(e.expires_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
           ${now}, ${now}, ${now}
      from entitlements e
      join users u on u.id = e.user_id
     where e.kind = 'membership'
       and e.revoked_at is null
       and e.expires_at <= ${now}
       and e.expires_at > ${now} - ${input.lookbackMs} * interval '1 millisecond'
       and not exists (
         select 1 from entitlements later
          where later.user_id = e.user_id and later.kind = 'membership'
            and later.revoked_at is null and later.expires_at > e.expires_at)
    on conflict do nothing
    returning id`);
  return written(result);
}

/** Paid orders and their total in [from, to) (the digest's day). */
export async function paidOrdersBetween(
  db: Db,
  from: Date,
  to: Date,
): Promise<{ orders: number; amountFen: number }> {
  const [row] = await db
    .select({ n: count(), fen: sum(orders.amountFen) })
    .from(orders)
    .where(and(eq(orders.status, "paid"), gte(orders.paidAt, from), lt(orders.paidAt, to)));
  return { orders: row?.n ?? 0, amountFen: Number(row?.fen ?? 0) };
}
