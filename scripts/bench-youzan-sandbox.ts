import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { getYouzanSandbox, isSandboxError } from "@/lib/sandbox/youzan";
import { sandboxErrorResponse } from "@/lib/sandbox/youzan/http";

/*
 * The Youzan sandbox's token endpoint and API gateway on a bare node:http server, for the push
 * bench (`npm run bench:push`). In a real shop Youzan is another company's machine; on the
 * bench's two cores its stand-in competes with the shop for CPU, and a second Next server
 * spent ~4.5 ms of the machine a push answering one `youzan.trade.get` — Next's request handling
 * more than the sandbox's own work. This serves the same handlers (lib/sandbox/youzan: the same
 * database state, faults, signatures and call counting as /sandbox/youzan/auth/token and
 * /sandbox/youzan/api/… of the build) without the framework. The sandbox's control routes and
 * its pay page stay on the shop (they share the database).
 *
 * Run as `tsx --conditions=react-server scripts/bench-youzan-sandbox.ts` with the bench's
 * environment and PORT; it answers `GET /health` once listening.
 */

const PREFIX = "/sandbox/youzan";
const MAX_BODY_BYTES = 1 << 20;

async function webRequest(incoming: IncomingMessage, url: URL): Promise<Request> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error("body too large");
    chunks.push(chunk);
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (typeof value === "string") headers.set(name, value);
    else if (Array.isArray(value)) for (const one of value) headers.append(name, one);
  }
  const method = incoming.method ?? "GET";
  return new Request(url, {
    method,
    headers,
    body: method === "GET" || method === "HEAD" ? undefined : Buffer.concat(chunks),
  });
}

async function respond(outgoing: ServerResponse, response: Response): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  headers["content-length"] = String(body.length);
  outgoing.writeHead(response.status, headers).end(body);
}

function json(outgoing: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  outgoing
    .writeHead(status, {
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(text)),
    })
    .end(text);
}

const server = createServer((incoming, outgoing) => {
  const url = new URL(incoming.url ?? "/", `http://${incoming.headers.host ?? "127.0.0.1"}`);
  void (async () => {
    try {
      if (url.pathname === "/health") return json(outgoing, 200, { ok: true });
      if (!url.pathname.startsWith(`${PREFIX}/`)) {
        return json(outgoing, 404, { error: { code: "not_found", message: "Not found." } });
      }
      const rest = url.pathname
        .slice(PREFIX.length + 1)
        .split("/")
        .map(decodeURIComponent);
      const sandbox = await getYouzanSandbox();
      const request = await webRequest(incoming, url);
      if (
        rest.length === 2 &&
        rest[0] === "auth" &&
        rest[1] === "token" &&
        request.method === "POST"
      ) {
        return await respond(outgoing, await sandbox.handleToken(request));
      }
      if (rest[0] === "api" && rest.length > 1) {
        return await respond(outgoing, await sandbox.handleApi(request, rest.slice(1)));
      }
      return json(outgoing, 404, { error: { code: "not_found", message: "Not found." } });
    } catch (error) {
      // The status and error code the build's /sandbox routes answer with.
      if (isSandboxError(error)) return await respond(outgoing, sandboxErrorResponse(error));
      console.error("bench youzan sandbox:", error);
      if (!outgoing.headersSent)
        json(outgoing, 500, { error: { code: "internal", message: String(error) } });
      else outgoing.destroy();
    }
  })();
});
server.keepAliveTimeout = 30_000;

const port = Number(process.env.PORT ?? 3331);
server.listen(port, "127.0.0.1", () => {
  console.log(`bench youzan sandbox listening on http://127.0.0.1:${port}`);
});
process.once("SIGTERM", () => server.close(() => process.exit(0)));
