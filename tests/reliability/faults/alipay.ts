import { createSign, randomBytes, randomInt } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { agreements } from "@/db/schema";
import { startSubscription } from "@/lib/subscriptions/start";
import type { AlipayTestbed } from "../../helpers/alipay-testbed";
import { makeUser } from "../../helpers/factories";

/*
 * Alipay notifications built and signed here (node:crypto, spec §3.3: every field but sign and
 * sign_type, sorted, raw values) with the sandbox's Alipay key or another one, posted over HTTP
 * to the testbed's webhook routes; and a subscriber signed on the sandbox, period 1 paid.
 */

export type Fields = Record<string, string>;
export type Destination = "trade" | "agreement" | "gateway";

/** `yyyy-MM-dd HH:mm:ss` in GMT+8, as Alipay writes every time. */
const alipayTime = (at: Date) =>
  new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace("T", " ");

/** A `trade_status_sync` for `outTradeNo`, as the sandbox sends it (TRADE_SUCCESS, ¥9.90). */
export async function tradeNote(
  bed: AlipayTestbed,
  outTradeNo: string,
  patch: Partial<Fields> = {},
): Promise<Fields> {
  const now = alipayTime(await bed.deps.now());
  const fields: Fields = {
    notify_type: "trade_status_sync",
    notify_id: randomBytes(16).toString("hex"),
    notify_time: now,
    app_id: bed.sandbox.keys.appId,
    auth_app_id: bed.sandbox.keys.appId,
    charset: "utf-8",
    version: "1.0",
    sign_type: "RSA2",
    trade_no: `2026120122001400${String(randomInt(1e12)).padStart(12, "0")}`,
    out_trade_no: outTradeNo,
    buyer_id: "2088102000000001",
    seller_id: bed.deps.alipay.sellerId ?? "",
    trade_status: "TRADE_SUCCESS",
    total_amount: "9.90",
    receipt_amount: "9.90",
    buyer_pay_amount: "9.90",
    subject: "周会员",
    gmt_create: now,
    gmt_payment: now,
    ...patch,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== ""));
}

/** Signs with `privateKeyPem` (default: the sandbox's Alipay key, i.e. a genuine notification). */
export function signed(fields: Fields, privateKeyPem: string): Fields {
  const content = Object.keys(fields)
    .filter((key) => key !== "sign" && key !== "sign_type")
    .sort()
    .map((key) => `${key}=${fields[key]}`)
    .join("&");
  const sign = createSign("RSA-SHA256").update(content, "utf8").sign(privateKeyPem, "base64");
  return { ...fields, sign };
}

/** POSTs a notification to the shop's webhook route over HTTP: the status and the body. */
export async function postNotify(
  bed: AlipayTestbed,
  destination: Destination,
  body: Fields | string,
): Promise<{ status: number; body: string }> {
  const response = await fetch(`${bed.server.url}/api/webhooks/alipay/${destination}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body: typeof body === "string" ? body : new URLSearchParams(body).toString(),
  });
  return { status: response.status, body: await response.text() };
}

export interface Subscriber {
  userId: string;
  agreementId: string;
  agreementNo: string;
}

/** A buyer signs the weekly plan on the sandbox; period 1 is charged when the sign is notified. */
export async function subscriber(bed: AlipayTestbed, db: Db): Promise<Subscriber> {
  const user = await makeUser(db);
  const started = await startSubscription(bed.deps, {
    userId: user.id,
    productSlug: "membership-weekly",
  });
  const sign = await bed.control("sign", { signUrl: started.signUrl });
  if (sign.status !== 200) throw new Error(`sandbox sign: ${JSON.stringify(sign)}`);
  await bed.deliver();
  const [agreement] = await db
    .select()
    .from(agreements)
    .where(eq(agreements.id, started.agreementId));
  if (agreement?.status !== "active" || !agreement.agreementNo) {
    throw new Error(`subscriber: agreement not active: ${JSON.stringify(agreement)}`);
  }
  return { userId: user.id, agreementId: agreement.id, agreementNo: agreement.agreementNo };
}
