import "server-only";
import { getDb } from "@/db";
import { offsetClock, timeAtOffset } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import { SandboxError } from "@/lib/sandbox/youzan/errors";
import { createAlipaySandbox, type AlipaySandbox, type Background } from "./sandbox";
import { readRequestState } from "./settings";

/*
 * The Alipay open-platform sandbox: a local fake of gateway.do (RSA2), the Alipay app (order
 * strings), the agreement sign page and the wallet, with notifications. It shares no code with
 * the shop's client (lib/payments/alipay). See docs/SANDBOX.md, "Alipay sandbox".
 */

export { createAlipaySandbox } from "./sandbox";
export type { AlipaySandbox, AlipaySandboxOptions, Background, TickResult } from "./sandbox";
export { APP_PAY_ACTIONS, type AppPayAction, type AppPayResult } from "./consumers";
export { DEFAULT_FAULTS, type AlipayFaults } from "./faults";

export const appGatewayDefault = (appUrl: string) => `${appUrl}/api/webhooks/alipay/gateway`;

/** The app's sandbox (shared clock, the shop's app gateway). Built fresh on every call. */
export async function getAlipaySandbox(
  options: { background?: Background } = {},
): Promise<AlipaySandbox> {
  const env = sandboxEnv();
  const db = await getDb();
  return createAlipaySandbox({
    db,
    clock: offsetClock(db),
    appGatewayUrl: appGatewayDefault(env.appUrl),
    background: options.background,
  });
}

/**
 * One gateway.do call to the app's sandbox. What every call needs first (the keys, the
 * settings, the virtual clock) is read in one statement, not three.
 */
export async function handleSandboxGateway(
  params: Record<string, string>,
  options: { background?: Background } = {},
): Promise<Response> {
  const env = sandboxEnv();
  const db = await getDb();
  const state = await readRequestState(db);
  const sandbox = await createAlipaySandbox({
    db,
    clock: offsetClock(db),
    appGatewayUrl: appGatewayDefault(env.appUrl),
    background: options.background,
    keys: state.keys ?? undefined,
  });
  return sandbox.handleGatewayParams(params, {
    settings: state.settings,
    now: timeAtOffset(state.clockOffsetMs),
  });
}

function sandboxEnv() {
  const env = getEnv();
  if (!env.isSandbox) {
    throw new SandboxError(404, "the Alipay sandbox runs only when PAYMENTS_MODE=sandbox");
  }
  return env;
}
