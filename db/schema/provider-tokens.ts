import "server-only";
import { bigint, pgTable, text } from "drizzle-orm/pg-core";
import { updatedAt } from "./shop-time";

/**
 * Access tokens of the payment providers, shared by every instance of the shop (lib/payments/
 * shared-token-store.ts): one row per app and shop. An instance that needs a new token first
 * takes the row's minting lease (`minting_until_ms`, a conditional UPDATE); the others wait for
 * the lease to end and reuse the token instead of each minting (with Youzan's `refresh`, each new
 * token invalidates the one before). A lease rather than a held row lock: obtaining a token is an
 * HTTP call, and no database connection should be held across it.
 */
export const providerTokens = pgTable("provider_tokens", {
  key: text("key").primaryKey(),
  token: text("token"),
  /** The provider's expiry instant, epoch milliseconds. */
  expiresAtMs: bigint("expires_at_ms", { mode: "number" }),
  /** While set and in the future, one instance is obtaining a token (epoch milliseconds). */
  mintingUntilMs: bigint("minting_until_ms", { mode: "number" }),
  updatedAt: updatedAt(),
});
