import "server-only";
import { getEnv } from "@/lib/env";
import { createAlipayGateway } from "./gateway";
import { CODES, SUB_CODES } from "./outcomes";
import { AlipayError, type AlipayConfig, type AlipayGateway } from "./types";

/**
 * The face of the Alipay provider: the only module of this folder that code outside it imports
 * (dependency-cruiser rule `payments-face-only`), and the only one that reads the env. It exports
 * the port and its domain types, the gateway, the notification helpers and the key check — and
 * nothing of the vendor's shapes (the SDK, the outcome table, the raw client).
 */

export { createAlipayGateway, METHODS as ALIPAY_METHODS } from "./gateway";
export { validateAlipayKeys } from "./keys";
export { parseAlipayNotification, parseNotificationBody, verifyAlipayNotification } from "./notify";
export {
  AlipayError,
  isAlipayError,
  type AgreementStatus,
  type AlipayConfig,
  type AlipayErrorCode,
  type AlipayExchange,
  type AlipayFailure,
  type AlipayGateway,
  type AlipayNotification,
  type AlipayOutcomeKind,
  type AlipayProductCode,
  type AlipayResult,
  type AppPayInput,
  type Charged,
  type ChargeInput,
  type PageSignInput,
  type QueriedAgreement,
  type QueriedTrade,
  type Refunded,
  type RefundInput,
  type SignTerms,
  type TradeStatus,
} from "./types";

/** Alipay's v2 gateway, used when ALIPAY_GATEWAY_URL is unset. */
export const ALIPAY_GATEWAY_URL = "https://openapi.alipay.com/gateway.do";

/**
 * The client's configuration from the env (ALIPAY_*). Throws `invalid_config` naming what is
 * missing; lib/env.ts already requires and checks these where the env is the source of keys.
 */
export function alipayConfigFromEnv(): AlipayConfig {
  const { gatewayUrl, appId, privateKey, publicKey, sellerId, productCode } = getEnv().alipay;
  const missing = [
    ["ALIPAY_APP_ID", appId],
    ["ALIPAY_PRIVATE_KEY", privateKey],
    ["ALIPAY_PUBLIC_KEY", publicKey],
  ].flatMap(([name, value]) => (value ? [] : [name]));
  if (!appId || !privateKey || !publicKey) {
    throw new AlipayError("invalid_config", `not set: ${missing.join(", ")}`);
  }
  return {
    gatewayUrl: gatewayUrl ?? ALIPAY_GATEWAY_URL,
    appId,
    privateKey,
    alipayPublicKey: publicKey,
    sellerId,
    productCode,
  };
}

/**
 * The shop's Alipay gateway: from `config` when the caller has one (lib/runtime.ts builds the
 * sandbox's: its gateway URL and keys), else from the env's ALIPAY_* variables. Cheap to build;
 * it holds no state worth sharing.
 */
export function getAlipayGateway(config?: AlipayConfig): AlipayGateway {
  return createAlipayGateway(config ?? alipayConfigFromEnv());
}

/** Every Alipay result code the outcome table knows (the admin labels each one). */
export function knownAlipayCodes(): string[] {
  return [...Object.keys(SUB_CODES), ...Object.keys(CODES)];
}
