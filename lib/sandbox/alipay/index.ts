import "server-only";
import { getDb } from "@/db";
import { offsetClock } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import { SandboxError } from "@/lib/sandbox/youzan/errors";
import { createAlipaySandbox, type AlipaySandbox, type Background } from "./sandbox";

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
  const env = getEnv();
  if (!env.isSandbox) {
    throw new SandboxError(404, "the Alipay sandbox runs only when PAYMENTS_MODE=sandbox");
  }
  const db = await getDb();
  return createAlipaySandbox({
    db,
    clock: offsetClock(db),
    appGatewayUrl: appGatewayDefault(env.appUrl),
    background: options.background,
  });
}
