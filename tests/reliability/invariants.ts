import { sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";

/*
 * The payment core's invariants (../shared/ARCHITECTURE.md, "Invariants"; docs/ARCHITECTURE.md,
 * the table of constraints) as queries over the whole database: each check is one set-based
 * statement that returns the rows breaking it, so a check costs the same whether a test left
 * three rows or the load test left a hundred thousand. The unique constraints already forbid
 * most of these states; the checks are here because the fault matrix and the load test must
 * show the state at rest, whatever path (or a future bug around a constraint) led to it.
 *
 * `invariantViolations(db)` returns one human-readable line per violation (capped per check);
 * an empty list means every invariant holds.
 */

interface Check {
  name: string;
  /** Returns rows with a `detail` text column, one per violating entity. */
  query: SQL;
}

/** At most this many rows of one check are reported (the count is always given). */
const SHOWN_PER_CHECK = 5;

const CHECKS: Check[] = [
  {
    // One paid provider trade → exactly one paid order (a fully refunded one was paid too).
    name: "paid trade without a paid order",
    query: sql`
      select p.provider || ':' || p.provider_trade_no || ' → order ' || p.order_id
             || ' is ' || o.status as detail
      from payments p join orders o on o.id = p.order_id
      where p.status = 'paid' and o.status not in ('paid', 'refunded')`,
  },
  {
    // …and exactly one grant for that order.
    name: "paid trade whose order has no grant",
    query: sql`
      select p.provider || ':' || p.provider_trade_no || ' → order ' || p.order_id as detail
      from payments p
      where p.status = 'paid'
        and not exists (select 1 from entitlements e where e.order_id = p.order_id)`,
  },
  {
    // A paid order is paid by exactly one trade (none: paid without its payment).
    name: "paid order without exactly one paying trade",
    query: sql`
      select o.id || ' (' || o.order_no || ') has ' || count(p.id) || ' paying trades' as detail
      from orders o
      left join payments p on p.order_id = o.id and p.status = 'paid'
      where o.status = 'paid'
      group by o.id, o.order_no
      having count(p.id) <> 1`,
  },
  {
    name: "paid order without exactly one grant",
    query: sql`
      select o.id || ' (' || o.order_no || ') has ' || count(e.id) || ' grants' as detail
      from orders o
      left join entitlements e on e.order_id = o.id
      where o.status = 'paid'
      group by o.id, o.order_no
      having count(e.id) <> 1`,
  },
  {
    // Nothing is granted for an order that was never paid (review, pending, expired, closed).
    name: "grant for an order that was never paid",
    query: sql`
      select e.id || ' → order ' || o.id || ' is ' || o.status as detail
      from entitlements e join orders o on o.id = e.order_id
      where o.status not in ('paid', 'refunded')`,
  },
  {
    name: "grant for another buyer or product than its order's",
    query: sql`
      select e.id || ' → order ' || o.id as detail
      from entitlements e join orders o on o.id = e.order_id
      where e.user_id <> o.user_id or e.product_id <> o.product_id`,
  },
  {
    // An agreement is charged at most once per period: by its attempts…
    name: "agreement period charged (succeeded) more than once",
    query: sql`
      select agreement_id || ' period ' || period_index || ': ' || count(*) || ' successes'
             as detail
      from charge_attempts
      where status = 'succeeded'
      group by agreement_id, period_index
      having count(*) > 1`,
  },
  {
    // …by its orders (period 1's membership_initial and the renewals share the numbering)…
    name: "agreement period paid by more than one order",
    query: sql`
      select agreement_id || ' period ' || period_index || ': ' || count(*) || ' paid orders'
             as detail
      from orders
      where agreement_id is not null and status in ('paid', 'refunded')
      group by agreement_id, period_index
      having count(*) > 1`,
  },
  {
    // …and a charge Alipay took (a succeeded attempt is a paid trade) is a paid order.
    name: "succeeded charge attempt whose order is not paid",
    query: sql`
      select c.id || ' (' || c.out_trade_no || ') → order ' || o.id || ' is ' || o.status
             as detail
      from charge_attempts c join orders o on o.id = c.order_id
      where c.status = 'succeeded' and o.status not in ('paid', 'refunded')`,
  },
  {
    name: "succeeded charge attempt without its payment",
    query: sql`
      select c.id || ' (' || c.out_trade_no || ', trade ' || coalesce(c.trade_no, '?') || ')'
             as detail
      from charge_attempts c
      where c.status = 'succeeded'
        and not exists (
          select 1 from payments p
          where p.provider = 'alipay' and p.provider_trade_no = c.trade_no
            and p.order_id = c.order_id)`,
  },
  {
    // The agreement's paid periods are derived from its paid orders and only ever catch up.
    name: "agreement counts more paid periods than it has paid orders",
    query: sql`
      select a.id || ': paid_periods ' || a.paid_periods || ', paid orders '
             || count(o.id) as detail
      from agreements a
      left join orders o on o.agreement_id = a.id and o.status in ('paid', 'refunded')
      group by a.id, a.paid_periods
      having a.paid_periods > count(o.id)`,
  },
  {
    // Periods of one buyer stack; live membership grants never overlap.
    name: "overlapping membership grants of one buyer",
    query: sql`
      select a.id || ' and ' || b.id || ' of ' || a.user_id as detail
      from entitlements a
      join entitlements b
        on b.user_id = a.user_id and b.product_id = a.product_id and a.id < b.id
      where a.kind = 'membership' and b.kind = 'membership'
        and a.revoked_at is null and b.revoked_at is null
        and a.starts_at < b.expires_at and b.starts_at < a.expires_at`,
  },
  {
    // The credit ledger and the balance move together.
    name: "credit balance differs from its ledger",
    query: sql`
      select coalesce(b.user_id, l.user_id) || ': balance ' || coalesce(b.balance, 0)
             || ', ledger ' || coalesce(l.total, 0) as detail
      from credit_balances b
      full join (select user_id, sum(delta)::int as total from credit_entries group by user_id) l
        on l.user_id = b.user_id
      where coalesce(b.balance, 0) <> coalesce(l.total, 0)`,
  },
  {
    // A notice is written once per event, recipient and kind…
    name: "notice written more than once",
    query: sql`
      select recipient || ' / ' || kind || ' / ' || event_key || ': ' || count(*) as detail
      from notices
      group by recipient, kind, event_key
      having count(*) > 1`,
  },
  {
    // …and sent once: one message per notice.
    name: "notice sent twice (one message id on two notices)",
    query: sql`
      select message_id || ': ' || count(*) as detail
      from notices
      where status = 'sent' and message_id is not null
      group by message_id
      having count(*) > 1`,
  },
  {
    name: "notice marked sent without its time, or with a time and not sent",
    query: sql`
      select id || ' (' || status || ')' as detail
      from notices
      where (status = 'sent') <> (sent_at is not null)`,
  },
  {
    // Every delivery is one row per provider event; redeliveries only count up.
    name: "inbox holds one event twice",
    query: sql`
      select provider || ':' || event_key || ': ' || count(*) as detail
      from webhook_inbox
      where event_key is not null
      group by provider, event_key
      having count(*) > 1`,
  },
  {
    // A delivery that failed verification changes nothing: it stays rejected.
    name: "unverified delivery applied",
    query: sql`
      select id || ' (' || provider || ', ' || status || ')' as detail
      from webhook_inbox
      where not signature_valid and status <> 'rejected'`,
  },
  {
    name: "inbox row counting no delivery",
    query: sql`
      select id || ' (' || provider || ')' as detail from webhook_inbox where deliveries < 1`,
  },
  {
    // Money is integer fen and positive wherever an amount was charged.
    name: "payment or attempt with a non-positive amount",
    query: sql`
      select 'payment ' || id as detail from payments where amount_fen <= 0 and status = 'paid'
      union all
      select 'attempt ' || id from charge_attempts where amount_fen <= 0`,
  },
];

/** Runs every check; one line per violating row (`check: detail`), empty when all hold. */
export async function invariantViolations(db: Db): Promise<string[]> {
  const results = await Promise.all(
    CHECKS.map(async (check) => {
      const rows = (await db.execute<{ detail: string | null }>(
        sql`select detail, count(*) over ()::int as total from (${check.query}) v limit ${SHOWN_PER_CHECK}`,
      )) as unknown as { detail: string | null; total: number }[];
      if (rows.length === 0) return [];
      const lines = rows.map((row) => `${check.name}: ${row.detail ?? "(null)"}`);
      const total = rows[0]!.total;
      if (total > rows.length) lines.push(`${check.name}: … ${total - rows.length} more`);
      return lines;
    }),
  );
  return results.flat();
}

/** The names of the checks (the load test's report lists them). */
export const INVARIANT_NAMES: readonly string[] = CHECKS.map((check) => check.name);

export interface InboxTally {
  /** Rows recorded (one per provider event, plus one per rejected delivery). */
  rows: number;
  /** Deliveries recorded: the rows' `deliveries` summed. */
  deliveries: number;
}

/** What the inbox holds for a provider, or for one of its event keys. */
export async function inboxTally(
  db: Db,
  provider: "youzan" | "alipay",
  eventKey?: string,
): Promise<InboxTally> {
  const rows = (await db.execute<{ rows: number; deliveries: number }>(sql`
    select count(*)::int as rows, coalesce(sum(deliveries), 0)::int as deliveries
    from webhook_inbox
    where provider = ${provider} ${eventKey === undefined ? sql`` : sql`and event_key = ${eventKey}`}
  `)) as unknown as InboxTally[];
  return rows[0] ?? { rows: 0, deliveries: 0 };
}
