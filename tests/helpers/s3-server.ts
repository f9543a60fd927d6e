import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { S3StorageConfig } from "@/lib/storage/s3";

/*
 * A real S3-protocol server for tests: s3rver (a Koa app storing objects on disk) on an
 * ephemeral loopback port, one temporary directory and one bucket per call.
 *
 * What s3rver 3.7.1 lacks, read in its source (node_modules/s3rver/lib), and what this file adds
 * in front of it so the storage driver is held to what real S3 does:
 * - It does not verify SigV4 signatures at all (middleware/authentication.js: "Signature version
 *   4 calculation is unimplemented"; it only checks that the access key exists and, for a
 *   presigned URL, that it has not expired). `verifyPresignedV4` checks presigned GETs as S3
 *   does, so a link whose name, type, key or expiry was altered is refused with 403.
 * - It has no AbortMultipartUpload (routes.js: DELETE with `?uploadId` is MethodNotAllowed) and
 *   keeps every started upload under `<bucket>/._S3rver_uploads/<id>`. `abortMultipartUpload`
 *   implements it, and `pendingUploads()` lists what is left, so a test can prove an upload was
 *   aborted and nothing of it remains.
 * Still not like S3, and not relied on: header-signed requests are not verified; parts below
 * 5 MiB and part ETags are not checked; CompleteMultipartUpload and PutObject write over the old
 * object in place (not atomic, store.putObject), `Range: bytes=0-0` serves the whole object and
 * `bytes=-n` the first n+1 bytes (store.getObject); the bucket answers anonymous GETs (no ACLs).
 * The driver only sends `bytes=a-b` ranges and checks the Content-Range it gets back.
 */

/** s3rver's built-in account (models/account.js): the only keys it knows. */
const ACCESS_KEY_ID = "S3RVER";
const SECRET_ACCESS_KEY = "S3RVER";
const BUCKET = "xiaopu-test";

/** The parts of Koa's context these middlewares use. */
interface KoaContext {
  method: string;
  /** The path as sent, still percent-encoded. */
  path: string;
  /** The query string as sent, without `?`. */
  querystring: string;
  status: number;
  body: unknown;
  get(header: string): string;
  set(header: string, value: string): void;
}
type KoaMiddleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;

interface S3rverInstance {
  /** Koa's middleware list, composed when the server starts listening. */
  middleware: KoaMiddleware[];
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
interface S3rverOptions {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  vhostBuckets: boolean;
  configureBuckets: { name: string }[];
}

// s3rver ships no types: loaded through require and described by the interfaces above.
const S3rver = createRequire(import.meta.url)("s3rver") as new (
  options: S3rverOptions,
) => S3rverInstance;

export interface TestS3Server {
  config: S3StorageConfig;
  /** The server's address, `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** Where s3rver keeps the bucket: objects, their metadata and unfinished uploads. */
  directory: string;
  /** Multipart uploads started and neither completed nor aborted. */
  pendingUploads(): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startS3Server(): Promise<TestS3Server> {
  const directory = await mkdtemp(path.join(tmpdir(), "xiaopu-s3-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    directory,
    silent: true,
    vhostBuckets: false,
    configureBuckets: [{ name: BUCKET }],
  });
  const uploadsDir = path.join(directory, BUCKET, "._S3rver_uploads");
  server.middleware.unshift(verifyPresignedV4, abortMultipartUpload(uploadsDir));
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    directory,
    config: {
      kind: "s3",
      endpoint,
      bucket: BUCKET,
      region: "us-east-1",
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET_ACCESS_KEY,
      forcePathStyle: true,
    },
    pendingUploads: async () => (await readdir(uploadsDir).catch(() => [])).sort(),
    async stop() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** `DELETE /<bucket>/<key>?uploadId=<id>`: drops the upload's parts, 204 (as S3 answers). */
function abortMultipartUpload(uploadsDir: string): KoaMiddleware {
  return async (ctx, next) => {
    const uploadId = new URLSearchParams(ctx.querystring).get("uploadId");
    if (ctx.method !== "DELETE" || uploadId === null) return next();
    if (!/^[0-9a-f]{32}$/.test(uploadId)) {
      return s3Error(ctx, 404, "NoSuchUpload", "The specified upload does not exist.");
    }
    const dir = path.join(uploadsDir, uploadId);
    const exists = await readdir(dir).then(
      () => true,
      () => false,
    );
    if (!exists) return s3Error(ctx, 404, "NoSuchUpload", "The specified upload does not exist.");
    await rm(dir, { recursive: true, force: true });
    ctx.status = 204;
  };
}

/**
 * SigV4 query authentication as S3 checks it (AWS "Authenticating Requests: Using Query
 * Parameters"): the canonical request over the method, the path, every query parameter but the
 * signature, the signed headers and `UNSIGNED-PAYLOAD`; the signing key derived from the secret,
 * date, region and service. Written from the specification, not with the SDK's signer, so the
 * SDK's presigned links are checked by an independent reading of the protocol.
 */
const verifyPresignedV4: KoaMiddleware = async (ctx, next) => {
  let pairs: [string, string][];
  let canonicalPath: string;
  try {
    // Form encoding, as S3 reads a query: `+` is a space.
    const decode = (text: string) => decodeURIComponent(text.replace(/\+/g, " "));
    pairs = ctx.querystring
      .split("&")
      .filter((pair) => pair !== "")
      .map((pair): [string, string] => {
        const at = pair.indexOf("=");
        return at < 0
          ? [decode(pair), ""]
          : [decode(pair.slice(0, at)), decode(pair.slice(at + 1))];
      });
    canonicalPath = ctx.path
      .split("/")
      .map((segment) => rfc3986(decodeURIComponent(segment)))
      .join("/");
  } catch {
    return s3Error(ctx, 400, "InvalidURI", "Could not parse the specified URI.");
  }
  const query = new Map(pairs);
  const signature = query.get("X-Amz-Signature");
  if (signature === undefined) return next();
  const credential = (query.get("X-Amz-Credential") ?? "").split("/");
  const [accessKeyId, date, region, service, terminator] = credential;
  const amzDate = query.get("X-Amz-Date") ?? "";
  const signedHeaders = (query.get("X-Amz-SignedHeaders") ?? "").split(";");
  if (
    query.get("X-Amz-Algorithm") !== "AWS4-HMAC-SHA256" ||
    credential.length !== 5 ||
    accessKeyId !== ACCESS_KEY_ID ||
    terminator !== "aws4_request" ||
    !date ||
    !region ||
    !service ||
    !amzDate.startsWith(date) ||
    !signedHeaders.includes("host")
  ) {
    return s3Error(ctx, 403, "AuthorizationQueryParametersError", "Malformed presigned URL.");
  }
  const canonicalQuery = pairs
    .filter(([name]) => name !== "X-Amz-Signature")
    .map(([name, value]) => [rfc3986(name), rfc3986(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
  const canonicalHeaders = signedHeaders
    .map((name) => `${name}:${ctx.get(name).trim().replace(/\s+/g, " ")}\n`)
    .join("");
  const canonicalRequest = [
    ctx.method,
    canonicalPath,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders.join(";"),
    "UNSIGNED-PAYLOAD",
  ].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256Hex(canonicalRequest)].join("\n");
  let key = hmac(`AWS4${SECRET_ACCESS_KEY}`, date);
  for (const part of [region, service, "aws4_request"]) key = hmac(key, part);
  const expected = Buffer.from(hmac(key, stringToSign).toString("hex"));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return s3Error(ctx, 403, "SignatureDoesNotMatch", "The request signature does not match.");
  }
  return next();
};

/** URI-encode as SigV4 does: everything but A-Z a-z 0-9 - _ . ~ becomes %XX (upper case). */
function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

async function s3Error(
  ctx: KoaContext,
  status: number,
  code: string,
  message: string,
): Promise<void> {
  ctx.status = status;
  ctx.set("Content-Type", "application/xml");
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}
