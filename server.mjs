// @ts-check
/*
 * The shop's production server (`npm start`): Next's own request handler behind a Node HTTP
 * server that tells the app each request's socket address.
 *
 * Why: `next start` gives routes no trustworthy client address. It writes the socket address
 * into X-Forwarded-For only when the client sent none, so a client chooses what the app sees.
 * Per-client limits (sign-in, sign-up, orders) need the real peer when no proxy is trusted
 * (TRUSTED_PROXY_HOPS=0, the default). Here every request gets `x-xiaopu-peer: <token> <address>`,
 * where the token is random per process and known only inside it (globalThis, which Next's
 * bundles share with this file in one process); whatever a client sent under that name is
 * removed first. lib/http/client-ip.ts believes the header only with the right token.
 * On Vercel this file is not used: the platform's own headers say who the client is.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import next from "next";
import { matchFastRoute, serveFast } from "./server-fast-path.mjs";

const PEER_HEADER = "x-xiaopu-peer";
const token = randomBytes(18).toString("base64url");
/** @type {Record<symbol, unknown>} */ (/** @type {unknown} */ (globalThis))[
  Symbol.for("xiaopu.peerToken")
] = token;

// Where to listen (PORT as `next start` reads it, LISTEN_HOST instead of its -H; not HOSTNAME,
// which Docker sets to the container's id). The shop's own configuration is lib/env.ts's.
// eslint-disable-next-line no-restricted-properties
const { PORT = "3000", LISTEN_HOST = "0.0.0.0", SERVER_FAST_PATH = "on" } = process.env;
const port = Number(PORT);
if (!Number.isInteger(port) || port < 1 || port > 65_535) {
  console.error(`PORT must be a port number (1–65535), not "${PORT}".`);
  process.exit(1);
}

if (SERVER_FAST_PATH !== "on" && SERVER_FAST_PATH !== "off") {
  console.error(`SERVER_FAST_PATH must be on or off, not "${SERVER_FAST_PATH}".`);
  process.exit(1);
}

/*
 * The routes this server answers itself once Next has loaded them (lib/http/fast-routes.ts,
 * server-fast-path.mjs): the route module puts its handler in this registry. With
 * SERVER_FAST_PATH=off there is no registry and Next answers every request.
 */
/** @type {Map<string, import("./server-fast-path.mjs").FastHandler>} */
const fastRoutes = new Map();
if (SERVER_FAST_PATH === "on") {
  /** @type {Record<symbol, unknown>} */ (/** @type {unknown} */ (globalThis))[
    Symbol.for("xiaopu.fastRoutes")
  ] = fastRoutes;
}
/** @type {Set<string>} */
const announced = new Set();

const app = next({ dev: false, hostname: LISTEN_HOST, port });
const handle = app.getRequestHandler();
await app.prepare();

/*
 * What the app learns about each request (lib/http/request-outcome.ts). A page whose render met
 * an unavailable database (PostgreSQL died after proxy.ts's gate let the request through) gets
 * Next's 500; it is the outage's answer, so it goes out as 503 with Retry-After, like the gate's,
 * and is not cached. Other 500s stay 500. Next writes the head through writeHead (implicitly at
 * its first write too), after instrumentation's onRequestError has marked the request.
 */
/** @type {AsyncLocalStorage<{ databaseUnavailable: boolean }>} */
const outcomes = new AsyncLocalStorage();
/** @type {Record<symbol, unknown>} */ (/** @type {unknown} */ (globalThis))[
  Symbol.for("xiaopu.requestOutcome")
] = outcomes;
const RETRY_AFTER_SECONDS = "5";

const server = createServer((request, response) => {
  delete request.headers[PEER_HEADER];
  const address = request.socket.remoteAddress;
  if (address) request.headers[PEER_HEADER] = `${token} ${address}`;
  const fast = matchFastRoute(request.method, request.url, fastRoutes);
  if (fast) {
    if (!announced.has(fast.route.name)) {
      announced.add(fast.route.name);
      console.log(`fast path: ${fast.route.method} ${fast.route.template} answered by server.mjs`);
    }
    void serveFast(fast, request, response, (error) => {
      console.error("fast path failed:", error);
    }).then((served) => served || nextAnswers(request, response));
    return;
  }
  nextAnswers(request, response);
});
// Keep-alive longer than a load balancer's idle timeout (60 s on most), as `next start` does.
server.keepAliveTimeout = 65_000;
server.listen(port, LISTEN_HOST, () => {
  console.log(`xiaopu listening on http://${LISTEN_HOST}:${port}`);
});

/**
 * Next's answer, with the outage's 503 for a page that met an unavailable database.
 * @param {import("node:http").IncomingMessage} request
 * @param {import("node:http").ServerResponse} response
 */
function nextAnswers(request, response) {
  const outcome = { databaseUnavailable: false };
  const writeHead = response.writeHead;
  /** @type {typeof response.writeHead} */
  const writeHeadOfOutage = function (
    /** @type {number} */ statusCode,
    /** @type {unknown[]} */ ...rest
  ) {
    if (statusCode === 500 && outcome.databaseUnavailable) {
      response.setHeader("Retry-After", RETRY_AFTER_SECONDS);
      response.setHeader("Cache-Control", "no-store");
      return Reflect.apply(writeHead, response, [503, ...rest]);
    }
    return Reflect.apply(writeHead, response, [statusCode, ...rest]);
  };
  response.writeHead = writeHeadOfOutage;
  outcomes.run(outcome, () => void handle(request, response));
}

for (const signal of /** @type {const} */ (["SIGINT", "SIGTERM"])) {
  process.once(signal, () => {
    // Finish what is in flight (a settlement, a webhook), take nothing new, then leave.
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 10_000).unref();
  });
}
