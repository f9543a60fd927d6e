import type { Db } from "@/db/client";

type Fn = (...args: unknown[]) => unknown;
type Client = Record<string, Fn>;

/**
 * Replaces `target[method]` with `replacement(original)` until the returned undo runs. Done by
 * hand rather than with vi.spyOn: the postgres.js client is a Proxy (db/client.ts
 * `preparedStatements`) whose `unsafe` looks the method up on its target at each call, so a spy
 * that kept what the proxy hands out as "the original" would call itself. The target's own
 * property is the driver's method (postgres.js); PGlite's is on its prototype.
 */
function patch(target: Client, method: string, replacement: (original: Fn) => Fn): () => void {
  const own = Object.getOwnPropertyDescriptor(target, method);
  const original = (own?.value as Fn | undefined) ?? target[method]!;
  target[method] = replacement(original);
  return () => {
    if (own) Object.defineProperty(target, method, own);
    else delete target[method];
  };
}

/**
 * The SQL statements `work` sent through `db`'s client (postgres.js `unsafe`, PGlite `query`),
 * in order, those of its transactions included (the client each transaction is given is watched
 * too; postgres.js's own BEGIN and COMMIT are not seen): how many statements a path costs,
 * asserted so that a change that adds one fails. `params[i]` are the values `statements[i]` was
 * sent with (to EXPLAIN it as the server planned it).
 */
export async function statementsOf<T>(
  db: Db,
  work: () => Promise<T>,
): Promise<{ result: T; statements: string[]; params: unknown[][] }> {
  const client = (db as unknown as { $client: Client }).$client;
  const statements: string[] = [];
  const params: unknown[][] = [];
  const undo: (() => void)[] = [];
  const watch = (target: Client) => {
    const method = typeof target.unsafe === "function" ? "unsafe" : "query";
    undo.push(
      patch(
        target,
        method,
        (run) =>
          function (this: unknown, ...args: unknown[]) {
            statements.push(String(args[0]));
            params.push(Array.isArray(args[1]) ? [...(args[1] as unknown[])] : []);
            return run.apply(this, args);
          },
      ),
    );
  };
  watch(client);
  const txMethod = typeof client.begin === "function" ? "begin" : "transaction";
  undo.push(
    patch(
      client,
      txMethod,
      (start) =>
        function (this: unknown, ...args: unknown[]) {
          // The transaction's body is the last argument (postgres.js: `begin(options?, fn)`).
          const at = args.findLastIndex((arg) => typeof arg === "function");
          const body = args[at] as (tx: Client) => unknown;
          // Each transaction gets a client of its own on both drivers.
          args[at] = (tx: Client) => {
            watch(tx);
            return body(tx);
          };
          return start.apply(this, args);
        },
    ),
  );
  try {
    const result = await work();
    return { result, statements: [...statements], params: [...params] };
  } finally {
    for (const restore of undo.reverse()) restore();
  }
}
