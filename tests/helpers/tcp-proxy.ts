import { createServer, connect, type Server, type Socket } from "node:net";

/**
 * A TCP relay in front of a real database server, for outage tests: the database "stops"
 * without stopping the PostgreSQL that other tests share.
 *
 * - `forward`: relays both ways (a healthy database).
 * - `refuse`: every open connection is cut and the port stops listening, so new connections are
 *   refused (ECONNREFUSED) — a stopped PostgreSQL.
 * - `blackhole`: connections are accepted and open ones kept, but nothing passes either way —
 *   a network partition or a hung server, the case only timeouts end.
 */
export type RelayMode = "forward" | "refuse" | "blackhole";

export interface TcpRelay {
  readonly port: number;
  readonly url: (databaseUrl: string) => string;
  setMode(mode: RelayMode): Promise<void>;
  /** Connections accepted so far (each a client socket). */
  readonly accepted: number;
  /**
   * Resolves when a client next sends something the relay holds back (data on an open connection,
   * or a new connection, while blackholed): a statement is on its way and will not be answered.
   */
  held(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpRelay(target: { host: string; port: number }): Promise<TcpRelay> {
  let mode: RelayMode = "forward";
  let accepted = 0;
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  let holding: (() => void)[] = [];
  const heldBack = () => {
    const waiting = holding;
    holding = [];
    for (const resolve of waiting) resolve();
  };

  const server: Server = createServer((client) => {
    accepted += 1;
    client.on("error", () => {});
    if (mode === "blackhole") {
      // Accepted and ignored: the client waits for a handshake that never comes.
      client.pause();
      pairs.add({ client, upstream: client });
      heldBack();
      return;
    }
    const upstream = connect(target.port, target.host);
    upstream.on("error", () => client.destroy());
    const pair = { client, upstream };
    pairs.add(pair);
    client.on("data", (chunk: Buffer) => {
      if (mode === "forward") upstream.write(chunk);
      else heldBack();
    });
    upstream.on("data", (chunk: Buffer) => {
      if (mode === "forward") client.write(chunk);
    });
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("close", end);
    upstream.on("close", end);
  });

  await listen(server, 0);
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("relay has no port");
  const port = address.port;

  return {
    port,
    url: (databaseUrl) => {
      const url = new URL(databaseUrl);
      url.hostname = "127.0.0.1";
      url.port = String(port);
      return url.toString();
    },
    get accepted() {
      return accepted;
    },
    held: () => new Promise<void>((resolve) => holding.push(resolve)),
    async setMode(next) {
      if (next === mode) return;
      const previous = mode;
      mode = next;
      if (next === "refuse") {
        for (const { client, upstream } of pairs) {
          client.destroy();
          upstream.destroy();
        }
        pairs.clear();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      } else if (previous === "refuse") {
        await listen(server, port);
      } else if (previous === "blackhole") {
        // The partition outlasted the connections: what was open is gone when it heals.
        for (const { client, upstream } of pairs) {
          client.destroy();
          upstream.destroy();
        }
        pairs.clear();
      }
    },
    async close() {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      pairs.clear();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
}
