// @ts-check
/*
 * The machine floor of `npm run bench:status` (issue #14, benchmark 1): a bare `node:http` server
 * doing what the status poll's answer needs from the database — the same indexed query by order
 * number — with postgres.js and the shop's pool size, nothing else (no framework, no session).
 * Started by scripts/bench-status.ts as its own process; answers
 * `GET /status/{orderNo}` with the order's public status as JSON.
 */
import { createServer } from "node:http";
import postgres from "postgres";

const { BENCH_FLOOR_PORT = "3399", DATABASE_URL = "", DATABASE_POOL_MAX = "10" } = process.env;
const sql = postgres(DATABASE_URL, { max: Number(DATABASE_POOL_MAX), onnotice: () => {} });

const server = createServer((request, response) => {
  const orderNo = (request.url ?? "").split("/").at(-1) ?? "";
  sql`select order_no, status, paid_at, expires_at from orders where order_no = ${orderNo}`
    .then(([row]) => {
      if (!row) {
        response.writeHead(404, { "content-type": "application/json" });
        response.end('{"error":{"code":"not_found"}}');
        return;
      }
      response.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
      response.end(
        JSON.stringify({
          orderNo: row.order_no,
          status: row.status,
          paidAt: row.paid_at,
          expiresAt: row.expires_at,
          serverNow: new Date().toISOString(),
        }),
      );
    })
    .catch(() => {
      response.writeHead(503, { "content-type": "application/json" });
      response.end('{"error":{"code":"unavailable"}}');
    });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(BENCH_FLOOR_PORT), "127.0.0.1", () => {
  console.log(`floor listening on ${BENCH_FLOOR_PORT}`);
});
process.once("SIGTERM", () => {
  server.close();
  void sql.end({ timeout: 1 }).then(() => process.exit(0));
});
