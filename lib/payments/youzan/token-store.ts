import "server-only";

/**
 * Where the Youzan client keeps what it learns about an app and shop: the access token and the
 * rate-limit back-off. The client holds only behaviour; this is the data, passed in
 * (`YouzanClientDeps.tokenStore`), so that every client sharing a store shares one token and one
 * back-off, and tests build a fresh store instead of resetting globals.
 *
 * Keys are opaque strings chosen by the client (base URL, app and shop: a sandbox token is never
 * sent to the live gateway). Times are epoch milliseconds of the client's clock.
 *
 * Contract, written so that a table-backed store (one row per key, `SELECT … FOR UPDATE`) is a
 * drop-in for many instances:
 * - `mint(key, produce)` is the only way a token is stored. At most one `produce` per key runs at
 *   a time across every user of the store. A caller that arrives while one runs either receives
 *   that run's outcome (same token, or same error — the memory store's single flight) or, once
 *   it holds the key, runs its own `produce` with the token stored by then (a row lock: the
 *   second instance blocks, then sees the first one's token). `produce` must be correct both ways:
 *   it returns `current` unchanged when that is still good, and asks Youzan otherwise. The token
 *   it returns is stored before any caller resumes; a failed `produce` stores nothing.
 * - `updateBackoff(key, next)` is an atomic read-modify-write per key (the same row lock); `next`
 *   returning `undefined` clears the back-off.
 * - Reads (`token`, `backoff`) may be stale by the time the caller acts; the client re-checks
 *   inside `mint` and treats back-off as advisory.
 */
export interface TokenStore {
  token(key: string): Promise<StoredToken | undefined>;
  mint(
    key: string,
    produce: (current: StoredToken | undefined) => Promise<StoredToken>,
  ): Promise<StoredToken>;
  backoff(key: string): Promise<Backoff | undefined>;
  updateBackoff(
    key: string,
    next: (current: Backoff | undefined) => Backoff | undefined,
  ): Promise<void>;
}

export interface StoredToken {
  value: string;
  /** Youzan's expiry instant. */
  expiresAt: number;
}

export interface Backoff {
  /** Rate limits seen in a row since the last success. */
  consecutive: number;
  /** Calls are refused locally until then. */
  blockedUntil: number;
}

interface Entry {
  token?: StoredToken;
  /** The one `produce` running for this key (single flight). */
  minting?: Promise<StoredToken>;
  backoff?: Backoff;
}

/**
 * The process-memory store: plain data in a Map, one single flight per key. It serves one
 * process; instances behind a load balancer each mint their own token until a shared store
 * replaces it (Youzan hands every instance the same token anyway while it is valid).
 */
export function createMemoryTokenStore(): TokenStore {
  const entries = new Map<string, Entry>();
  const entry = (key: string): Entry => {
    let e = entries.get(key);
    if (!e) entries.set(key, (e = {}));
    return e;
  };

  return {
    async token(key) {
      return entries.get(key)?.token;
    },

    mint(key, produce) {
      const e = entry(key);
      if (e.minting) return e.minting;
      const flight = (async () => {
        const token = await produce(e.token);
        e.token = token;
        return token;
      })();
      e.minting = flight;
      // Registered before any caller's `await`, so the entry is settled when callers resume.
      const settle = () => {
        if (e.minting === flight) e.minting = undefined;
      };
      flight.then(settle, settle);
      return flight;
    },

    async backoff(key) {
      return entries.get(key)?.backoff;
    },

    async updateBackoff(key, next) {
      const e = entry(key);
      e.backoff = next(e.backoff);
    },
  };
}
