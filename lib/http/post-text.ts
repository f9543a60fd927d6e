import "server-only";
import { Agent as HttpAgent, request as httpRequest, type ClientRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";

/*
 * A provider API's POST, on node:http with kept-alive connections: what the Youzan client sends
 * `youzan.trade.get` with once per push (issue #14). `fetch` made each such call a Request, a
 * Response and their web streams, plus Next's own wrapper around the global fetch (its cache
 * and tracing): in the push bench's profile that was about a tenth of the shop's CPU per push,
 * for a request of a few hundred bytes and an answer of a few KiB.
 *
 * What the caller gets is the status and the body as text, or a PostTextError saying why not
 * (timed out, network, answer too large). The deadline covers everything: connecting, the
 * answer's head and its whole body.
 */

export interface PostTextOptions {
  headers: Readonly<Record<string, string>>;
  body: string;
  /** The whole exchange: connect, send, answer and body. */
  timeoutMs: number;
  /** Bodies larger than this are refused (the connection is dropped). */
  maxBytes?: number;
}

export interface PostTextResult {
  status: number;
  text: string;
}

export type PostText = (url: string, options: PostTextOptions) => Promise<PostTextResult>;

export type PostTextFailure = "timeout" | "network" | "too_large";

export class PostTextError extends Error {
  constructor(
    readonly kind: PostTextFailure,
    message: string,
  ) {
    super(message);
    this.name = "PostTextError";
  }
}

/** A provider's answer is a few KiB of JSON; anything near this is not one. */
export const DEFAULT_MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/**
 * An idle connection is closed after this long: before the 5 s that Node's servers (and the
 * sandbox) keep one open, so the shop does not reuse a connection the server is closing.
 */
export const IDLE_SOCKET_MS = 4000;

const agentOptions = {
  keepAlive: true,
  // Per origin: the push bench sends 32 pushes at a time, each with one trade read.
  maxSockets: 64,
  maxFreeSockets: 32,
  timeout: IDLE_SOCKET_MS,
  scheduling: "lifo",
} as const;

/** Process-wide pools, one per scheme; a test may pass its own. */
const sharedAgents = {
  http: new HttpAgent(agentOptions),
  https: new HttpsAgent(agentOptions),
};

export function createPostText(
  agents: { http: HttpAgent; https: HttpsAgent } = sharedAgents,
): PostText {
  return async function postText(url, options) {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      throw new PostTextError("network", "the URL is not valid");
    }
    if (target.protocol !== "http:" && target.protocol !== "https:") {
      throw new PostTextError("network", `${target.protocol} is not http: or https:`);
    }
    const deadline = Date.now() + options.timeoutMs;
    try {
      return await once(target, options, deadline, agents);
    } catch (error) {
      // A kept-alive connection the server closed just as it was reused fails at once, before
      // any answer: Node's documented case for sending again, on a new connection. Only then.
      if (error instanceof ReusedSocketReset && Date.now() < deadline) {
        return once(target, options, deadline, agents);
      }
      throw error instanceof ReusedSocketReset ? error.failure : error;
    }
  };
}

/** The process's transport (the shared pools). */
export const postText: PostText = createPostText();

class ReusedSocketReset extends Error {
  constructor(readonly failure: PostTextError) {
    super(failure.message);
  }
}

function once(
  target: URL,
  options: PostTextOptions,
  deadline: number,
  agents: { http: HttpAgent; https: HttpsAgent },
): Promise<PostTextResult> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_ANSWER_BYTES;
  const https = target.protocol === "https:";
  return new Promise<PostTextResult>((resolve, reject) => {
    let settled = false;
    let answered = false;
    const payload = Buffer.from(options.body, "utf8");
    const request: ClientRequest = (https ? httpsRequest : httpRequest)(target, {
      method: "POST",
      agent: https ? agents.https : agents.http,
      headers: { ...options.headers, "Content-Length": String(payload.length) },
    });
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new PostTextError("timeout", `no answer within ${options.timeoutMs} ms`)),
      Math.max(0, deadline - Date.now()),
    );
    request.on("error", (error: NodeJS.ErrnoException) => {
      const failure = new PostTextError("network", error.code ?? error.message);
      const reset = error.code === "ECONNRESET" || error.code === "EPIPE";
      fail(request.reusedSocket && reset && !answered ? new ReusedSocketReset(failure) : failure);
    });
    request.on("response", (response) => {
      answered = true;
      const declared = Number(response.headers["content-length"]);
      if (Number.isFinite(declared) && declared > maxBytes) {
        response.resume();
        fail(new PostTextError("too_large", `the answer declares ${declared} bytes`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          fail(new PostTextError("too_large", `the answer exceeds ${maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on("error", (error: NodeJS.ErrnoException) =>
        fail(new PostTextError("network", error.code ?? error.message)),
      );
      response.on("aborted", () => fail(new PostTextError("network", "the answer was cut off")));
      response.on("end", () => {
        if (settled) return;
        if (!response.complete) {
          fail(new PostTextError("network", "the answer was cut off"));
          return;
        }
        let bytes: Buffer;
        try {
          bytes = decoded(
            Buffer.concat(chunks, size),
            response.headers["content-encoding"],
            maxBytes,
          );
        } catch (error) {
          fail(error as PostTextError); // decoded() throws nothing else
          return;
        }
        settled = true;
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, text: bytes.toString("utf8") });
      });
    });
    request.end(payload);
  });
}

/**
 * The body as sent, decompressed: the caller asks for `identity`, but a server (or a proxy in
 * front of it) may compress anyway. The limit holds for the decompressed size too.
 */
function decoded(body: Buffer, encoding: string | undefined, maxBytes: number): Buffer {
  const name = (encoding ?? "").trim().toLowerCase();
  if (name === "" || name === "identity") return body;
  const limits = { maxOutputLength: maxBytes };
  try {
    if (name === "gzip" || name === "x-gzip") return gunzipSync(body, limits);
    if (name === "deflate") return inflateSync(body, limits);
    if (name === "br") return brotliDecompressSync(body, limits);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ERR_BUFFER_TOO_LARGE") {
      throw new PostTextError("too_large", `the answer exceeds ${maxBytes} bytes decompressed`);
    }
    throw new PostTextError("network", `the answer's ${name} body cannot be decoded`);
  }
  throw new PostTextError("network", `the answer's Content-Encoding ${name} is not supported`);
}

/**
 * The same contract over a `fetch` (tests pass one that answers in-process; lib/payments'
 * clients take it as `deps.fetch`). A fetch that ignores its signal still ends at the deadline.
 */
export function postTextViaFetch(doFetch: typeof fetch): PostText {
  return async (url, options) => {
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_ANSWER_BYTES;
    const signal = AbortSignal.timeout(options.timeoutMs);
    const aborted = new Promise<never>((_, reject) => {
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
    aborted.catch(() => {}); // the race below observes it; this keeps it from being "unhandled"
    let result: PostTextResult;
    try {
      result = await Promise.race([
        (async () => {
          const response = await doFetch(url, {
            method: "POST",
            headers: options.headers,
            body: options.body,
            signal,
          });
          return { status: response.status, text: await response.text() };
        })(),
        aborted,
      ]);
    } catch (error) {
      const name = error instanceof Error ? error.name : "";
      throw name === "TimeoutError" || name === "AbortError"
        ? new PostTextError("timeout", `no answer within ${options.timeoutMs} ms`)
        : new PostTextError("network", error instanceof Error ? error.message : "fetch failed");
    }
    if (Buffer.byteLength(result.text, "utf8") > maxBytes) {
      throw new PostTextError("too_large", `the answer exceeds ${maxBytes} bytes`);
    }
    return result;
  };
}
