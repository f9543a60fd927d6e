import { vi } from "vitest";
import type { Db } from "@/db/client";

/**
 * The SQL statements `work` sent through `db`'s client (postgres.js `unsafe`, PGlite `query`),
 * in order: how many round trips a path costs, asserted so that a change that adds one fails.
 */
export async function statementsOf<T>(
  db: Db,
  work: () => Promise<T>,
): Promise<{ result: T; statements: string[] }> {
  const client = (db as unknown as { $client: Record<string, (...args: unknown[]) => unknown> })
    .$client;
  const method = typeof client.unsafe === "function" ? "unsafe" : "query";
  const spy = vi.spyOn(client, method);
  try {
    const result = await work();
    return { result, statements: spy.mock.calls.map((call) => String(call[0])) };
  } finally {
    spy.mockRestore();
  }
}
