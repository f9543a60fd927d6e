import {
  createServer,
  Agent as HttpAgent,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import {
  createPostText,
  DEFAULT_MAX_ANSWER_BYTES,
  PostTextError,
  postTextViaFetch,
  type PostText,
} from "./post-text";

interface Seen {
  method: string;
  headers: IncomingMessage["headers"];
  body: string;
  socket: Socket;
}

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

/** A loopback server; `answer` sees each request (with its body read) and answers it. */
async function serve(
  answer: (seen: Seen, response: ServerResponse, index: number) => void,
): Promise<{ url: string; seen: Seen[]; connections: () => number }> {
  const seen: Seen[] = [];
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const entry = {
        method: request.method ?? "",
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        socket: request.socket,
      };
      seen.push(entry);
      answer(entry, response, seen.length - 1);
    });
  });
  server.on("connection", (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/api/x`, seen, connections: () => connections };
}

/** A transport with pools of its own, closed after the test. */
function transport(): PostText {
  const agents = {
    http: new HttpAgent({ keepAlive: true, maxSockets: 4 }),
    https: new HttpsAgent({ keepAlive: true, maxSockets: 4 }),
  };
  cleanups.push(() => {
    agents.http.destroy();
    agents.https.destroy();
  });
  return createPostText(agents);
}

const options = {
  headers: { "Content-Type": "application/json" },
  body: '{"tid":"E1"}',
  timeoutMs: 2000,
};

async function failure(promise: Promise<unknown>): Promise<PostTextError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PostTextError);
  return error as PostTextError;
}

describe("postText (node:http)", () => {
  it("POSTs the body with its length and the caller's headers, and returns status and text", async () => {
    const server = await serve((_seen, response) => {
      response.writeHead(201, { "Content-Type": "application/json" });
      // A character split across two chunks still decodes.
      const bytes = Buffer.from('{"name":"小铺"}', "utf8");
      response.write(bytes.subarray(0, 10));
      setTimeout(() => response.end(bytes.subarray(10)), 5);
    });
    const post = transport();
    const result = await post(server.url, { ...options, body: '{"title":"电子书"}' });
    expect(result).toEqual({ status: 201, text: '{"name":"小铺"}' });
    const [request] = server.seen;
    expect(request?.method).toBe("POST");
    expect(request?.body).toBe('{"title":"电子书"}');
    expect(request?.headers["content-length"]).toBe(
      String(Buffer.byteLength('{"title":"电子书"}')),
    );
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers["transfer-encoding"]).toBeUndefined();
  });

  it("keeps the connection: calls one after another share one socket", async () => {
    const server = await serve((_seen, response) => response.end('{"ok":true}'));
    const post = transport();
    for (let i = 0; i < 5; i++) await post(server.url, options);
    expect(server.seen).toHaveLength(5);
    expect(server.connections()).toBe(1);
  });

  it("returns a server error's status and body for the caller to judge", async () => {
    const server = await serve((_seen, response) => {
      response.writeHead(503);
      response.end("busy");
    });
    await expect(transport()(server.url, options)).resolves.toEqual({ status: 503, text: "busy" });
  });

  it("times out a server that never answers, and one that stops in the middle of its body", async () => {
    const silent = await serve(() => {});
    expect((await failure(transport()(silent.url, { ...options, timeoutMs: 60 }))).kind).toBe(
      "timeout",
    );

    const stalled = await serve((_seen, response) => {
      response.writeHead(200, { "Content-Length": "100" });
      response.write("{");
    });
    expect((await failure(transport()(stalled.url, { ...options, timeoutMs: 60 }))).kind).toBe(
      "timeout",
    );
  });

  it("says network when nothing listens, the URL is not http, or the answer is cut off", async () => {
    const closed = await serve(() => {});
    const port = new URL(closed.url).port;
    await cleanups.pop()?.();
    expect((await failure(transport()(`http://127.0.0.1:${port}/x`, options))).kind).toBe(
      "network",
    );
    expect((await failure(transport()("ftp://127.0.0.1/x", options))).kind).toBe("network");
    expect((await failure(transport()("not a url", options))).kind).toBe("network");

    const cut = await serve((seen, response) => {
      response.writeHead(200, { "Content-Length": "100" });
      response.write('{"partial":', () => seen.socket.destroy());
    });
    expect((await failure(transport()(cut.url, options))).kind).toBe("network");
  });

  it("refuses an answer over the limit, declared or streamed, and compressed or not", async () => {
    const declared = await serve((_seen, response) => {
      response.writeHead(200, { "Content-Length": String(DEFAULT_MAX_ANSWER_BYTES + 1) });
      response.write("x");
    });
    expect((await failure(transport()(declared.url, options))).kind).toBe("too_large");

    const streamed = await serve((_seen, response) => {
      response.writeHead(200);
      response.end("x".repeat(2048));
    });
    expect((await failure(transport()(streamed.url, { ...options, maxBytes: 1024 }))).kind).toBe(
      "too_large",
    );

    const bomb = await serve((_seen, response) => {
      response.writeHead(200, { "Content-Encoding": "gzip" });
      response.end(gzipSync(Buffer.alloc(64 * 1024, 0x20)));
    });
    expect((await failure(transport()(bomb.url, { ...options, maxBytes: 4096 }))).kind).toBe(
      "too_large",
    );
  });

  it("decodes an answer compressed though identity was asked for; refuses an unknown encoding", async () => {
    const gzipped = await serve((_seen, response) => {
      response.writeHead(200, { "Content-Encoding": "gzip" });
      response.end(gzipSync('{"ok":"是"}'));
    });
    await expect(transport()(gzipped.url, options)).resolves.toEqual({
      status: 200,
      text: '{"ok":"是"}',
    });

    const odd = await serve((_seen, response) => {
      response.writeHead(200, { "Content-Encoding": "zstd" });
      response.end("????");
    });
    expect((await failure(transport()(odd.url, options))).kind).toBe("network");
  });

  it("sends again on a new connection when the server closed the kept-alive one as it was reused", async () => {
    const server = await serve((seen, response, index) => {
      // The second request arrives on the kept-alive socket: the server drops it unanswered.
      if (index === 1) seen.socket.destroy();
      else response.end(`{"n":${index}}`);
    });
    const post = transport();
    await expect(post(server.url, options)).resolves.toEqual({ status: 200, text: '{"n":0}' });
    await expect(post(server.url, options)).resolves.toEqual({ status: 200, text: '{"n":2}' });
    expect(server.seen).toHaveLength(3);
    expect(server.connections()).toBe(2);
  });

  it("does not send again when a new connection is reset: the request may have been taken", async () => {
    const server = await serve((seen) => seen.socket.destroy());
    expect((await failure(transport()(server.url, options))).kind).toBe("network");
    expect(server.seen).toHaveLength(1);
  });
});

describe("postTextViaFetch", () => {
  it("passes method, headers and body to the fetch and returns status and text", async () => {
    let seen: RequestInit | undefined;
    const post = postTextViaFetch(async (_url, init) => {
      seen = init;
      return new Response("pong", { status: 202 });
    });
    await expect(post("http://gateway/api", options)).resolves.toEqual({
      status: 202,
      text: "pong",
    });
    expect(seen).toMatchObject({ method: "POST", headers: options.headers, body: options.body });
  });

  it("ends at the deadline even when the fetch ignores its signal", async () => {
    const post = postTextViaFetch(() => new Promise<Response>(() => {}));
    expect((await failure(post("http://gateway/api", { ...options, timeoutMs: 50 }))).kind).toBe(
      "timeout",
    );
  });

  it("says network for a failed fetch and too_large for an answer over the limit", async () => {
    const broken = postTextViaFetch(() => Promise.reject(new TypeError("fetch failed")));
    expect((await failure(broken("http://gateway/api", options))).kind).toBe("network");
    const big = postTextViaFetch(async () => new Response("x".repeat(100)));
    expect((await failure(big("http://gateway/api", { ...options, maxBytes: 10 }))).kind).toBe(
      "too_large",
    );
  });
});
