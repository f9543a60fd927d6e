import "server-only";
import { z } from "zod";
import { getDb } from "@/db";
import { advanceClock, readClockOffset } from "@/lib/clock";
import { json, readJson } from "@/lib/http/json";
import { parseFaultsPatch } from "./faults";
import { afterResponse } from "./http";
import { getYouzanSandbox } from "./index";

/*
 * The sandbox's test-control API (spec §6.1), one function per route under
 * /sandbox/youzan/control/… plus the shared clock at /sandbox/control/clock. Bodies are JSON,
 * validated with zod: 415/400/422 with a reason for bad input, never a 500.
 */

const qrIdSchema = z
  .union([
    z
      .string()
      .trim()
      .regex(/^\d{1,10}$/, "qrId.invalid"),
    z.number().int().positive(),
  ])
  .transform((value) => String(value));

const payBody = z.strictObject({
  qrId: qrIdSchema,
  tid: z
    .string()
    .regex(/^E\d{23}$/, "tid.invalid")
    .optional(),
  payType: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]{1,31}$/, "payType.invalid")
    .optional(),
  payerNick: z.string().max(64, "payerNick.too_long").optional(),
  amountFen: z.number().int().min(1).max(1_000_000_000).optional(),
});

const scanBody = z.strictObject({ qrId: qrIdSchema });

const pushUrlBody = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: "url.invalid" })
    .max(2000)
    .nullable(),
});

const clockBody = z.strictObject({
  advanceSeconds: z
    .number()
    .min(0, "advanceSeconds.negative")
    .max(10 * 366 * 24 * 60 * 60, "advanceSeconds.too_large"),
});

const ok = () => json({ ok: true });

export async function controlPay(request: Request): Promise<Response> {
  const input = await readJson(request, payBody);
  return json(await (await getYouzanSandbox({ background: afterResponse })).pay(input));
}

export async function controlScan(request: Request): Promise<Response> {
  const { qrId } = await readJson(request, scanBody);
  return json(await (await getYouzanSandbox({ background: afterResponse })).scan(qrId));
}

export async function controlGetFaults(): Promise<Response> {
  return json(await (await getYouzanSandbox()).getFaults());
}

/** Any JSON; the sandbox itself refuses unknown knobs and wrong types with a 400. */
export async function controlSetFaults(request: Request): Promise<Response> {
  const patch = parseFaultsPatch(await readJson(request, z.unknown()));
  return json(await (await getYouzanSandbox()).setFaults(patch));
}

export async function controlPushUrl(request: Request): Promise<Response> {
  const { url } = await readJson(request, pushUrlBody);
  await (await getYouzanSandbox()).setPushUrl(url);
  return json({ ok: true, url });
}

/** POST control/heartbeat: a `{"test":true}` push now → `{delivered, result}`. */
export async function controlHeartbeat(): Promise<Response> {
  return json(await (await getYouzanSandbox()).heartbeat());
}

export async function controlRevokeTokens(): Promise<Response> {
  await (await getYouzanSandbox()).revokeTokens();
  return ok();
}

export async function controlTick(): Promise<Response> {
  return json(await (await getYouzanSandbox()).tick());
}

export async function controlStats(): Promise<Response> {
  return json(await (await getYouzanSandbox()).stats());
}

export async function controlReset(): Promise<Response> {
  await (await getYouzanSandbox()).reset();
  return ok();
}

function clockState(offsetMs: number) {
  return { offsetMs, now: new Date(Date.now() + offsetMs).toISOString() };
}

/** GET /sandbox/control/clock: the shared virtual clock (shop and every sandbox). */
export async function controlGetClock(): Promise<Response> {
  return json(clockState(await readClockOffset(await getDb())));
}

/** POST /sandbox/control/clock {"advanceSeconds": n}: moves it forward (never back). */
export async function controlAdvanceClock(request: Request): Promise<Response> {
  const { advanceSeconds } = await readJson(request, clockBody);
  return json(clockState(await advanceClock(await getDb(), advanceSeconds)));
}
