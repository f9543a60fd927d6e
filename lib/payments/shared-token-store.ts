import "server-only";
import type { Db } from "@/db/client";
import { claimTokenMint, finishTokenMint, readProviderToken } from "@/db/queries/provider-tokens";
import { createMemoryTokenStore, type StoredToken, type TokenStore } from "./youzan";

export interface SharedTokenStoreOptions {
  /** Epoch milliseconds. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** How long one instance may take to obtain a token before another may try (covers the client's two 5 s requests). */
  leaseMs?: number;
  /** How often a waiting instance looks whether the lease ended. */
  pollMs?: number;
}

/**
 * A TokenStore shared by every instance of the shop through the `provider_tokens` table: an
 * instance obtains a token only while holding the key's minting lease, so when several need one
 * at once (a cold start, an expiry, a token Youzan rejected) one asks Youzan and the others wait
 * for its lease to end and reuse the token — with Youzan's `refresh`, each minting its own would
 * invalidate the others'. No connection is held while the token is requested over HTTP.
 *
 * Each instance keeps the last token it saw in memory (reading the table on every API call would
 * double the round trips); a stale copy heals itself: Youzan rejects it, the client mints, and
 * the mint finds the replacement another instance already stored. Concurrent callers within one
 * instance share one mint (the memory store's single flight) before the lease. The rate-limit
 * back-off stays per instance: it is advisory, and sharing it would cost a read per call.
 */
export function createSharedTokenStore(db: Db, options: SharedTokenStoreOptions = {}): TokenStore {
  const now = options.now ?? Date.now;
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const leaseMs = options.leaseMs ?? 15_000;
  const pollMs = options.pollMs ?? 100;
  const local = createMemoryTokenStore();
  /** The newest token each key was seen with, by this instance. */
  const seen = new Map<string, StoredToken>();

  async function mintUnderLease(
    key: string,
    produce: (current: StoredToken | undefined) => Promise<StoredToken>,
  ): Promise<StoredToken> {
    for (;;) {
      const untilMs = now() + leaseMs;
      const claim = await claimTokenMint(db, key, now(), untilMs);
      if (!claim.claimed) {
        // Another instance is obtaining one: wait for it, then take the lease and see its token.
        await sleep(pollMs);
        continue;
      }
      let token: StoredToken;
      try {
        token = await produce(claim.current);
      } catch (error) {
        await finishTokenMint(db, key, untilMs, null).catch(() => {});
        throw error;
      }
      const changed =
        token.value !== claim.current?.value || token.expiresAt !== claim.current.expiresAt;
      await finishTokenMint(db, key, untilMs, changed ? token : null);
      seen.set(key, token);
      return token;
    }
  }

  return {
    async token(key) {
      const cached = seen.get(key);
      if (cached) return cached;
      const stored = await readProviderToken(db, key);
      if (stored) seen.set(key, stored);
      return stored;
    },
    mint: (key, produce) => local.mint(key, () => mintUnderLease(key, produce)),
    backoff: (key) => local.backoff(key),
    updateBackoff: (key, next) => local.updateBackoff(key, next),
  };
}
