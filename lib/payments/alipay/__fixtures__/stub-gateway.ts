import "server-only";
import { createSign, createVerify, generateKeyPairSync } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/*
 * A tiny v2 gateway for the client's tests, written from the protocol (spec §3) and nothing else:
 * it shares no code with the client (nor with lib/sandbox). It verifies each request's signature
 * with the app's public key (§3.1: query ∪ body, `sign` excluded, empty values skipped, sorted),
 * records what arrived, and answers what the test scripted, signed with its own "Alipay" key
 * over the exact bytes of the inner object, `sign` last (§3.2).
 */

export interface RsaPair {
  /** PKCS#8 PEM. */
  privateKey: string;
  /** SPKI PEM. */
  publicKey: string;
}

export function rsaPair(): RsaPair {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKey: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

/** RSA2 over `text` with `privateKey`, base64. */
export function rsa2Sign(text: string, privateKey: string): string {
  return createSign("RSA-SHA256").update(text, "utf8").sign(privateKey, "base64");
}

export function rsa2Verify(text: string, signature: string, publicKey: string): boolean {
  return createVerify("RSA-SHA256").update(text, "utf8").verify(publicKey, signature, "base64");
}

/** The request signing string of §3.1 (used for requests and order strings alike). */
export function requestSignContent(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((key) => key !== "sign" && params[key] !== "")
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join("&");
}

export interface StubRequest {
  httpMethod: string;
  query: Record<string, string>;
  body: Record<string, string>;
  /** Query ∪ body. */
  params: Record<string, string>;
  contentType: string | undefined;
  /** Whether `sign` verifies with the app's public key. */
  signatureValid: boolean;
}

export type StubReply =
  | {
      kind: "answer";
      inner: Record<string, unknown>;
      /** `valid` (default), `none` (unsigned, as gateway errors are), `tampered` (changed after signing). */
      sign?: "valid" | "none" | "tampered";
      /** Under `<method>_response` (default) or `error_response`. */
      key?: "method" | "error_response";
    }
  | { kind: "raw"; status: number; body: string; contentType?: string }
  /** Never answers: the client's timeout decides. */
  | { kind: "hang" }
  /** Destroys the socket without an answer. */
  | { kind: "reset" };

export interface StubGateway {
  url: string;
  requests: StubRequest[];
  /** What the next requests get (default: a signed `10000` with no other fields). */
  reply(next: (request: StubRequest) => StubReply): void;
  close(): Promise<void>;
}

function fields(text: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(text));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export function signedBody(
  responseKey: string,
  inner: Record<string, unknown>,
  alipayPrivateKey: string,
  mode: "valid" | "none" | "tampered" = "valid",
): string {
  const innerJson = JSON.stringify(inner);
  if (mode === "none") return `{"${responseKey}":${innerJson}}`;
  const sign = rsa2Sign(innerJson, alipayPrivateKey);
  // Tampered: one field added after signing (a man in the middle's edit).
  const sent = mode === "tampered" ? `${innerJson.slice(0, -1)},"extra":"1"}` : innerJson;
  return `{"${responseKey}":${sent},"sign":"${sign}"}`;
}

export async function startStubGateway(keys: {
  appPublicKey: string;
  alipayPrivateKey: string;
}): Promise<StubGateway> {
  const requests: StubRequest[] = [];
  const sockets = new Set<Socket>();
  let next: (request: StubRequest) => StubReply = () => ({
    kind: "answer",
    inner: { code: "10000", msg: "Success" },
  });

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://stub");
      const query = fields(url.search);
      const body = fields(await readBody(req));
      const params = { ...query, ...body };
      const signatureValid =
        typeof params.sign === "string" &&
        rsa2Verify(requestSignContent(params), params.sign, keys.appPublicKey);
      const request: StubRequest = {
        httpMethod: req.method ?? "",
        query,
        body,
        params,
        contentType: req.headers["content-type"],
        signatureValid,
      };
      requests.push(request);
      const reply = next(request);
      switch (reply.kind) {
        case "hang":
          return;
        case "reset":
          req.socket.destroy();
          return;
        case "raw":
          res.writeHead(reply.status, { "content-type": reply.contentType ?? "text/html" });
          res.end(reply.body);
          return;
        case "answer": {
          const method = params.method ?? "unknown.method";
          const key =
            reply.key === "error_response"
              ? "error_response"
              : `${method.replaceAll(".", "_")}_response`;
          res.writeHead(200, { "content-type": "text/html;charset=utf-8", trace_id: "stub-trace" });
          res.end(signedBody(key, reply.inner, keys.alipayPrivateKey, reply.sign));
        }
      }
    })();
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/gateway.do`,
    requests,
    reply(fn) {
      next = fn;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
