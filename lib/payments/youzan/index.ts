import { getEnv } from "@/lib/env";
import { createYouzanGateway } from "./gateway";
import type { YouzanConfig, YouzanGateway } from "./types";

export * from "./types";
export { createYouzanClient, type YouzanClient, type YouzanClientDeps } from "./client";
export { createYouzanGateway } from "./gateway";
export { classifyVendorFailure, type ErrorClass, type VendorFailure } from "./errors";
export { decodePushMsg, encodePushReply, parseYouzanPush, type PushCredentials } from "./push";
export { parseChinaTime, toCreatedQr, toQrTrades, toTradeDetail } from "./transform";

const gateways = new Map<string, YouzanGateway>();

/**
 * The shop's Youzan gateway, built from the resolved env (sandbox or live: only the base URL and
 * the credentials differ). The only place in this folder that reads the env.
 */
export function getYouzanGateway(): YouzanGateway {
  const { baseUrl, clientId, clientSecret, kdtId } = getEnv().youzan;
  const config: YouzanConfig = { baseUrl, clientId, clientSecret, kdtId };
  const key = JSON.stringify(config);
  let gateway = gateways.get(key);
  if (!gateway) gateways.set(key, (gateway = createYouzanGateway(config)));
  return gateway;
}
