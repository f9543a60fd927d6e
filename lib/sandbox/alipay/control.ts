import "server-only";
import { z } from "zod";
import { json, readJson } from "@/lib/http/json";
import { afterResponse } from "@/lib/sandbox/youzan/http";
import { APP_PAY_ACTIONS } from "./consumers";
import { parseFaultsPatch } from "./faults";
import { getAlipaySandbox } from "./index";

/*
 * The Alipay sandbox's test-control API under /sandbox/alipay/control/… Bodies are JSON,
 * validated with zod: 415/400/422 with a reason for bad input, 404/409 for refused actions,
 * never a 500. The shared clock stays at /sandbox/control/clock.
 */

const AGREEMENT_NO = z.string().regex(/^\d{20}$/, "agreementNo.invalid");
const TEXT = z.string().min(1).max(16_384);

const signBody = z.strictObject({
  signUrl: TEXT,
  action: z.enum(["sign", "cancel"]).default("sign"),
});
const appPayBody = z.strictObject({ orderStr: TEXT, action: z.enum(APP_PAY_ACTIONS) });
const unsignBody = z.strictObject({ agreementNo: AGREEMENT_NO });
const balanceBody = z.strictObject({
  agreementNo: AGREEMENT_NO.optional(),
  fen: z.number().int().min(0).max(1_000_000_000_00),
});
const pauseBody = z.strictObject({ agreementNo: AGREEMENT_NO, paused: z.boolean() });
const gatewayUrlBody = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: "url.invalid" })
    .max(2000)
    .nullable(),
});

const sandbox = () => getAlipaySandbox({ background: afterResponse });

export async function controlSign(request: Request): Promise<Response> {
  const { signUrl, action } = await readJson(request, signBody);
  return json(await (await sandbox()).sign(signUrl, action));
}

export async function controlAppPay(request: Request): Promise<Response> {
  const { orderStr, action } = await readJson(request, appPayBody);
  return json(await (await sandbox()).appPay(orderStr, action));
}

export async function controlUnsign(request: Request): Promise<Response> {
  const { agreementNo } = await readJson(request, unsignBody);
  await (await sandbox()).walletUnsign(agreementNo);
  return json({ ok: true });
}

export async function controlBalance(request: Request): Promise<Response> {
  const { agreementNo, fen } = await readJson(request, balanceBody);
  await (await sandbox()).setBalance(fen, agreementNo);
  return json({ ok: true, fen });
}

export async function controlPause(request: Request): Promise<Response> {
  const { agreementNo, paused } = await readJson(request, pauseBody);
  await (await sandbox()).setPaused(agreementNo, paused);
  return json({ ok: true, paused });
}

export async function controlGetFaults(): Promise<Response> {
  return json(await (await sandbox()).getFaults());
}

export async function controlSetFaults(request: Request): Promise<Response> {
  const patch = parseFaultsPatch(await readJson(request, z.unknown()));
  return json(await (await sandbox()).setFaults(patch));
}

export async function controlGatewayUrl(request: Request): Promise<Response> {
  const { url } = await readJson(request, gatewayUrlBody);
  const instance = await sandbox();
  await instance.setAppGatewayUrl(url);
  return json({ ok: true, url: await instance.appGatewayUrl() });
}

export async function controlStats(): Promise<Response> {
  return json(await (await sandbox()).stats());
}

export async function controlReset(): Promise<Response> {
  await (await sandbox()).reset();
  return json({ ok: true });
}

export async function controlKeys(): Promise<Response> {
  return json((await sandbox()).publicKeys());
}

export async function controlTick(): Promise<Response> {
  return json(await (await getAlipaySandbox()).tick());
}

export async function controlWallet(): Promise<Response> {
  const { balanceFen, agreements } = await (await sandbox()).wallet();
  return json({
    balanceFen,
    agreements: agreements.map((a) => ({
      agreementNo: a.agreementNo,
      externalAgreementNo: a.externalAgreementNo,
      status: a.status,
      periodType: a.periodType,
      period: a.period,
      singleAmountFen: a.singleAmountFen,
      nextDeductDate: a.nextDeductDate,
    })),
  });
}
