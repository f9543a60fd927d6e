import "server-only";
import { getEnv } from "@/lib/env";
import { createYouzanGateway } from "./gateway";
import { createMemoryTokenStore, type TokenStore } from "./token-store";
import type { YouzanGateway } from "./types";

/**
 * The face of the Youzan provider: the only module of this folder that code outside it imports
 * (dependency-cruiser rule `payments-face-only`), and the only one that reads the env. It
 * exports what the shop uses — the port and its domain types, the gateway, push parsing — and
 * nothing of the vendor's shapes (envelopes, error tables, transforms, the raw client).
 */

export { createYouzanGateway } from "./gateway";
export { encodePushReply, parseYouzanPush } from "./push";
export { isPaidTradeStatus } from "./statuses";
export { createMemoryTokenStore, type StoredToken, type TokenStore } from "./token-store";
export {
  isYouzanError,
  YouzanError,
  type ParsedPush,
  type QrTrade,
  type YouzanGateway,
} from "./types";

/**
 * The process's token and back-off data, shared by every gateway `getYouzanGateway` builds.
 * Plain data, created on first use; a store shared by many instances (a table with a row lock)
 * can replace it without touching the client (`token-store.ts`).
 */
let processTokenStore: TokenStore | undefined;

/**
 * The shop's Youzan gateway, built from the resolved env (sandbox or live: only the base URL and
 * the credentials differ). Cheap to build: the state worth keeping is in the token store — the
 * process's memory store unless the caller passes one (lib/runtime.ts passes the shared,
 * table-backed store on PostgreSQL, where many instances may run).
 */
export function getYouzanGateway(options: { tokenStore?: TokenStore } = {}): YouzanGateway {
  const { baseUrl, clientId, clientSecret, kdtId } = getEnv().youzan;
  const tokenStore = options.tokenStore ?? (processTokenStore ??= createMemoryTokenStore());
  return createYouzanGateway({ baseUrl, clientId, clientSecret, kdtId }, { tokenStore });
}
