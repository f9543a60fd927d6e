import { AsyncLocalStorage } from "node:async_hooks";
import { afterEach, describe, expect, it } from "vitest";
import { onRequestError } from "@/instrumentation";
import { markDatabaseUnavailable, REQUEST_OUTCOME, type RequestOutcome } from "./request-outcome";

/** What server.mjs installs: one AsyncLocalStorage on globalThis, one outcome per request. */
function installOutcomes(): AsyncLocalStorage<RequestOutcome> {
  const storage = new AsyncLocalStorage<RequestOutcome>();
  (globalThis as Record<symbol, unknown>)[REQUEST_OUTCOME] = storage;
  return storage;
}

afterEach(() => {
  delete (globalThis as Record<symbol, unknown>)[REQUEST_OUTCOME];
});

/** postgres.js's error when the server closed the connection under a statement. */
function connectionClosed(): Error {
  return Object.assign(new Error("write CONNECTION_CLOSED 127.0.0.1:5432"), {
    code: "CONNECTION_CLOSED",
  });
}

describe("request outcome", () => {
  it("marks the request it is called within, and no other", async () => {
    const storage = installOutcomes();
    const first: RequestOutcome = { databaseUnavailable: false };
    const second: RequestOutcome = { databaseUnavailable: false };
    await Promise.all([
      storage.run(first, async () => {
        await Promise.resolve();
        markDatabaseUnavailable();
      }),
      storage.run(second, async () => {
        await Promise.resolve();
      }),
    ]);
    expect(first.databaseUnavailable).toBe(true);
    expect(second.databaseUnavailable).toBe(false);
  });

  it("does nothing where no server keeps outcomes (Vercel, tests) or outside a request", () => {
    expect(() => markDatabaseUnavailable()).not.toThrow();
    installOutcomes();
    expect(() => markDatabaseUnavailable()).not.toThrow();
  });

  it("onRequestError marks a request that met an unavailable database, at once", () => {
    const storage = installOutcomes();
    const outcome: RequestOutcome = { databaseUnavailable: false };
    storage.run(outcome, () => {
      // Wrapped as drizzle wraps it; synchronous: Next writes the status after the call.
      onRequestError(new Error("Failed query: select 1", { cause: connectionClosed() }));
      expect(outcome.databaseUnavailable).toBe(true);
    });
  });

  it("onRequestError leaves any other error's request alone (its 500 stays)", () => {
    const storage = installOutcomes();
    const outcome: RequestOutcome = { databaseUnavailable: false };
    storage.run(outcome, () => {
      onRequestError(new TypeError("Cannot read properties of undefined"));
      onRequestError(Object.assign(new Error("duplicate key"), { code: "23505" }));
    });
    expect(outcome.databaseUnavailable).toBe(false);
  });
});
