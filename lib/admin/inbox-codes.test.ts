import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import en from "../../messages/admin-overview.en.json" with { type: "json" };
import zh from "../../messages/admin-overview.zh-CN.json" with { type: "json" };
import {
  ALIPAY_ENDPOINTS,
  CHARGE_RESULTS,
  eventTypeParts,
  INBOX_OUTCOMES,
  INBOX_STATUSES,
  labelKey,
  outcomeParts,
  PROVIDER_STATUSES,
  UNSIGN_RESULTS,
  WEBHOOK_EVENTS,
} from "./inbox-codes";
import {
  BILLING_REPORT_COUNTS,
  RECONCILE_SUMMARY_COUNTS,
  RUN_JOBS,
  RUN_STATUSES,
  SWEEP_SUMMARY_COUNTS,
} from "./runs";

describe("outcomeParts", () => {
  it("splits the composite outcomes into labelled parts", () => {
    expect(outcomeParts("no_effect:trade_TradeCreate:WAIT_BUYER_PAY", "youzan")).toEqual([
      { group: "inboxOutcome", code: "no_effect" },
      { group: "webhookEvent", code: "trade_TradeCreate" },
      { group: "providerStatus", code: "WAIT_BUYER_PAY" },
    ]);
    expect(outcomeParts("no_effect:trade_TradeClose", "youzan")).toEqual([
      { group: "inboxOutcome", code: "no_effect" },
      { group: "webhookEvent", code: "trade_TradeClose" },
    ]);
    // Alipay: `no_effect:<trade status>` and `no_effect:<notify type>`.
    expect(outcomeParts("no_effect:TRADE_CLOSED", "alipay")).toEqual([
      { group: "inboxOutcome", code: "no_effect" },
      { group: "providerStatus", code: "TRADE_CLOSED" },
    ]);
    expect(outcomeParts("no_effect:dut_user_sign", "alipay")).toEqual([
      { group: "inboxOutcome", code: "no_effect" },
      { group: "webhookEvent", code: "dut_user_sign" },
    ]);
    expect(outcomeParts("trade_not_paid_yet:WAIT_BUYER_PAY", "youzan")).toEqual([
      { group: "inboxOutcome", code: "trade_not_paid_yet" },
      { group: "providerStatus", code: "WAIT_BUYER_PAY" },
    ]);
    expect(outcomeParts("provider_error:4204", "youzan")).toEqual([
      { group: "inboxOutcome", code: "provider_error" },
      { group: "providerCode", code: "4204" },
    ]);
    expect(outcomeParts("activated:charge_declined:ACQ.BALANCE_NOT_ENOUGH", "alipay")).toEqual([
      { group: "inboxOutcome", code: "activated" },
      { group: "chargeResult", code: "declined" },
      { group: "alipayCode", code: "ACQ.BALANCE_NOT_ENOUGH" },
    ]);
    expect(outcomeParts("already_active:charge_paid", "alipay")).toEqual([
      { group: "inboxOutcome", code: "already_active" },
      { group: "chargeResult", code: "paid" },
    ]);
    expect(outcomeParts("activated:no_order", "alipay")).toEqual([
      { group: "inboxOutcome", code: "activated" },
      { group: "inboxOutcome", code: "no_order" },
    ]);
    expect(outcomeParts("released:unsign_succeeded", "alipay")).toEqual([
      { group: "inboxOutcome", code: "released" },
      { group: "unsignResult", code: "succeeded" },
    ]);
  });

  it("keeps a reason as text after its code", () => {
    expect(outcomeParts("malformed: body is not JSON", "youzan")).toEqual([
      { group: "inboxOutcome", code: "malformed" },
      { text: "body is not JSON" },
    ]);
    expect(outcomeParts("amount_mismatch: received ¥1.00, expected ¥30.00", "alipay")).toEqual([
      { group: "inboxOutcome", code: "amount_mismatch" },
      { text: "received ¥1.00, expected ¥30.00" },
    ]);
    expect(outcomeParts("unreadable: msg is not URL-encoded JSON", "youzan")[0]).toEqual({
      group: "inboxOutcome",
      code: "unreadable",
    });
  });

  it("never drops a part it does not know, and shows nothing for nothing", () => {
    expect(outcomeParts("settled", "youzan")).toEqual([{ group: "inboxOutcome", code: "settled" }]);
    expect(outcomeParts("something:new:here", "youzan")).toEqual([
      { group: "inboxOutcome", code: "something" },
      { group: "providerCode", code: "new" },
      { group: "providerCode", code: "here" },
    ]);
    expect(outcomeParts(null, "youzan")).toEqual([]);
    expect(outcomeParts("", "alipay")).toEqual([]);
  });
});

describe("eventTypeParts", () => {
  it("splits Alipay's <endpoint>:<notify_type> and keeps Youzan's type whole", () => {
    expect(eventTypeParts("agreement:dut_user_sign", "alipay")).toEqual([
      { group: "alipayEndpoint", code: "agreement" },
      { group: "webhookEvent", code: "dut_user_sign" },
    ]);
    expect(eventTypeParts("gateway", "alipay")).toEqual([
      { group: "alipayEndpoint", code: "gateway" },
    ]);
    expect(eventTypeParts("trade_TradePaid", "youzan")).toEqual([
      { group: "webhookEvent", code: "trade_TradePaid" },
    ]);
    expect(eventTypeParts(null, "youzan")).toEqual([]);
  });
});

type Tree = { [key: string]: string | Tree };
const codes = (messages: unknown) =>
  (messages as { admin: { codes: Record<string, Record<string, string>> } }).admin.codes;

describe("labels", () => {
  const groups: Record<string, readonly string[]> = {
    inboxOutcome: INBOX_OUTCOMES,
    webhookEvent: WEBHOOK_EVENTS,
    alipayEndpoint: ALIPAY_ENDPOINTS,
    providerStatus: PROVIDER_STATUSES,
    chargeResult: CHARGE_RESULTS,
    unsignResult: UNSIGN_RESULTS,
    inboxStatus: INBOX_STATUSES,
    runStatus: RUN_STATUSES,
    runJob: RUN_JOBS,
  };
  it.each(Object.entries(groups))("every %s code has a label in both languages", (group, list) => {
    for (const messages of [zh, en]) {
      const labels = codes(messages)[group] as Tree | undefined;
      expect(labels, group).toBeDefined();
      for (const code of list)
        expect(labels?.[labelKey(code)], `${group}.${code}`).toBeTypeOf("string");
    }
  });

  it("every counter a run's summary shows has a label in both languages", () => {
    const counters = [
      ...BILLING_REPORT_COUNTS,
      ...RECONCILE_SUMMARY_COUNTS,
      ...SWEEP_SUMMARY_COUNTS,
    ];
    for (const messages of [zh, en]) {
      const labels = (messages as { admin: { runsList: { counts: Record<string, string> } } }).admin
        .runsList.counts;
      for (const key of counters) expect(labels[key], key).toBeTypeOf("string");
    }
  });

  it("every outcome the webhook code writes is a known code", () => {
    const root = path.resolve(import.meta.dirname, "../..");
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const full = path.join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else if (full.endsWith(".ts") && !full.endsWith(".test.ts")) files.push(full);
      }
    };
    walk(path.join(root, "lib/webhooks"));
    for (const file of ["lib/orders/settle-decision.ts", "lib/subscriptions/notifications.ts"]) {
      files.push(path.join(root, file));
    }
    const found = new Set<string>();
    for (const file of files) {
      const source = readFileSync(file, "utf8");
      for (const pattern of [
        /outcome:\s*[`"']([A-Za-z_]+)[`"':$]/g,
        /ignored\(\s*[`"']([A-Za-z_]+)[`"':$]/g,
        /"(bad_signature)"/g,
        /`(malformed|unreadable): /g,
      ]) {
        for (const match of source.matchAll(pattern)) found.add(match[1]!);
      }
    }
    // Settlement's outcomes are a union type, one per line.
    const settle = readFileSync(path.join(root, "lib/orders/settle-decision.ts"), "utf8");
    const union = /export type SettleOutcome =([^;]*);/.exec(settle)?.[1] ?? "";
    for (const match of union.matchAll(/\|\s*"([a-z_]+)"/g)) found.add(match[1]!);
    // Templated ones (`agreement_${status}`, `already_${status}`) are listed by their expansions.
    const templated = [...found].filter((code) => code.endsWith("_"));
    for (const prefix of templated) {
      expect(
        INBOX_OUTCOMES.some((code) => code.startsWith(prefix)),
        prefix,
      ).toBe(true);
      found.delete(prefix);
    }
    expect(found.size).toBeGreaterThan(20);
    const unknown = [...found].filter(
      (code) => !(INBOX_OUTCOMES as readonly string[]).includes(code),
    );
    expect(unknown).toEqual([]);
  });
});
