import "server-only";
import { createHash } from "node:crypto";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
  type CompletedPart,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { attachmentDisposition } from "@/lib/http/content-disposition";
import type { Env } from "@/lib/env";
import { moduleLogger } from "@/lib/logger";
import {
  assertStorageKey,
  StorageError,
  type ByteRange,
  type FileStorage,
  type Fetched,
  type PutOptions,
  type SignedUrlOptions,
  type Stored,
} from "./types";

export type S3StorageConfig = Extract<Env["storage"], { kind: "s3" }>;

/**
 * Bytes sent per UploadPart. S3 wants 5 MiB or more for every part but the last and at most
 * 10,000 parts: 8 MiB parts carry 78 GiB, far above UPLOAD_MAX_MB's 5000 MB ceiling. It is also
 * the most an upload holds in memory (plus the chunk being read), whatever the file's size.
 */
export const S3_PART_SIZE = 8 * 1024 * 1024;

/** S3's own ceiling for a presigned link (SigV4 query auth). */
const MAX_LINK_SECONDS = 7 * 24 * 3600;

const log = moduleLogger("storage");

/**
 * Files in an S3-compatible bucket (AWS S3, Aliyun OSS, Tencent COS, Cloudflare R2, MinIO).
 * Uploads stream through in parts: an object appears only when CompleteMultipartUpload (or the
 * single PutObject of a small file) succeeds, so a reader never sees half a file, the previous
 * object stays whole until then, and a failed or oversized upload is aborted and leaves nothing.
 * Downloads are presigned links (the bucket stays private: no public ACL is ever needed).
 */
export function s3Storage(config: S3StorageConfig, client = s3ClientFor(config)): FileStorage {
  const Bucket = config.bucket;

  async function abortUpload(Key: string, UploadId: string): Promise<void> {
    try {
      await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
    } catch (error) {
      // The parts are invisible (no object exists) but still billed; a bucket lifecycle rule
      // (AbortIncompleteMultipartUpload, docs/OPERATIONS.md) removes what this could not.
      log.error({ err: error, key: Key, uploadId: UploadId }, "multipart upload not aborted");
    }
  }

  return {
    async put(Key, body, options: PutOptions): Promise<Stored> {
      assertStorageKey(Key);
      const hash = createHash("sha256");
      const reader = body.getReader();
      const pending = new PartBuffer();
      const parts: CompletedPart[] = [];
      let size = 0;
      let uploadId: string | undefined;
      const uploadPart = async (bytes: Uint8Array): Promise<void> => {
        uploadId ??= await createUpload(client, { Bucket, Key, ContentType: options.contentType });
        const PartNumber = parts.length + 1;
        const { ETag } = await client.send(
          new UploadPartCommand({
            Bucket,
            Key,
            UploadId: uploadId,
            PartNumber,
            Body: bytes,
            ContentLength: bytes.byteLength,
          }),
        );
        if (!ETag) throw new Error(`The store gave no ETag for part ${PartNumber}.`);
        parts.push({ ETag, PartNumber });
      };

      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          size += value.byteLength;
          if (size > options.maxBytes) {
            throw new StorageError(
              "too_large",
              `The file is larger than ${options.maxBytes} bytes.`,
            );
          }
          hash.update(value);
          pending.push(value);
          // Strictly more than one part: a file of exactly one part goes as one PutObject.
          while (pending.size > S3_PART_SIZE) await uploadPart(pending.take(S3_PART_SIZE));
        }
        if (uploadId === undefined) {
          const bytes = pending.take(pending.size);
          await client.send(
            new PutObjectCommand({
              Bucket,
              Key,
              Body: bytes,
              ContentLength: bytes.byteLength,
              ContentType: options.contentType,
            }),
          );
        } else {
          await uploadPart(pending.take(pending.size));
          await client.send(
            new CompleteMultipartUploadCommand({
              Bucket,
              Key,
              UploadId: uploadId,
              MultipartUpload: { Parts: parts },
            }),
          );
        }
      } catch (error) {
        // Stop the source (an upload request still streaming in), then drop the parts.
        await reader.cancel(error).catch(() => undefined);
        if (uploadId !== undefined) await abortUpload(Key, uploadId);
        throw error;
      }
      return { size, sha256: hash.digest("hex") };
    },

    async get(Key, range?: ByteRange): Promise<Fetched | null> {
      assertStorageKey(Key);
      if (range && (range.start < 0 || range.start > range.end)) {
        throw new StorageError("range_not_satisfiable", "Not a byte range.");
      }
      let response;
      try {
        response = await client.send(
          new GetObjectCommand({
            Bucket,
            Key,
            Range: range ? `bytes=${range.start}-${range.end}` : undefined,
          }),
        );
      } catch (error) {
        if (isMissing(error)) return null;
        // 416: the range starts at or after the end of the object.
        if (hasName(error, "InvalidRange")) {
          throw new StorageError("range_not_satisfiable", "The range is outside the object.");
        }
        throw error;
      }
      if (!response.Body) throw new Error("The store answered without a body.");
      const body = response.Body.transformToWebStream() as ReadableStream<Uint8Array>;
      try {
        const size = range
          ? checkRange(response.ContentRange, range)
          : requireLength(response.ContentLength);
        return { body, size, range: range ?? null };
      } catch (error) {
        await body.cancel().catch(() => undefined);
        throw error;
      }
    },

    async delete(Key) {
      assertStorageKey(Key);
      try {
        await client.send(new DeleteObjectCommand({ Bucket, Key }));
      } catch (error) {
        // S3 answers 204 for a missing key; some compatible stores answer 404.
        if (!isMissing(error)) throw error;
      }
    },

    async signedUrl(Key, options: SignedUrlOptions) {
      assertStorageKey(Key);
      const expiresIn = Math.floor(options.expiresInSeconds);
      if (!(expiresIn >= 1 && expiresIn <= MAX_LINK_SECONDS)) {
        throw new RangeError(`A link lasts 1 to ${MAX_LINK_SECONDS} seconds.`);
      }
      // The response overrides are part of the signed query: nobody can change the name or type.
      return getSignedUrl(
        client,
        new GetObjectCommand({
          Bucket,
          Key,
          ResponseContentDisposition: attachmentDisposition(options.fileName),
          ResponseContentType: options.contentType,
        }),
        { expiresIn },
      );
    },
  };
}

/**
 * One client per store. The SDK's default checksums (CRC32 on every upload, since 2025) are
 * sent only when an operation requires them: OSS, COS, R2 and older MinIO reject or ignore the
 * new headers, and the sha256 we compute while streaming is the integrity record we keep.
 */
export function s3ClientFor(config: S3StorageConfig): S3Client {
  return new S3Client({
    region: config.region,
    endpoint: config.endpoint ?? undefined,
    forcePathStyle: config.forcePathStyle,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    // Fail fast when the endpoint is unreachable instead of holding an upload open.
    requestHandler: { connectionTimeout: 5_000 },
  });
}

async function createUpload(
  client: S3Client,
  input: { Bucket: string; Key: string; ContentType: string },
): Promise<string> {
  const { UploadId } = await client.send(new CreateMultipartUploadCommand(input));
  if (!UploadId) throw new Error("The store gave no upload id.");
  return UploadId;
}

/** The chunks read but not yet sent, taken off the front in exact part sizes. */
class PartBuffer {
  private chunks: Uint8Array[] = [];
  size = 0;

  push(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.byteLength;
  }

  take(count: number): Uint8Array {
    const out = new Uint8Array(count);
    let filled = 0;
    while (filled < count) {
      const chunk = this.chunks[0];
      if (!chunk) throw new Error("PartBuffer: not enough bytes.");
      const used = Math.min(chunk.byteLength, count - filled);
      out.set(used === chunk.byteLength ? chunk : chunk.subarray(0, used), filled);
      filled += used;
      if (used === chunk.byteLength) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(used);
    }
    this.size -= count;
    return out;
  }
}

/** The object's size from `Content-Range: bytes a-b/size`, checked against what was asked. */
function checkRange(contentRange: string | undefined, range: ByteRange): number {
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(contentRange ?? "");
  if (!match) throw new Error(`The store answered a range with "${contentRange}".`);
  const [start, end, size] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // Same rule as the local driver: a range must end inside the object (S3 itself would clamp).
  if (range.end >= size) {
    throw new StorageError("range_not_satisfiable", `The object has ${size} bytes.`);
  }
  if (start !== range.start || end !== range.end) {
    throw new Error(`The store served bytes ${start}-${end} for ${range.start}-${range.end}.`);
  }
  return size;
}

function requireLength(length: number | undefined): number {
  if (length === undefined) throw new Error("The store answered without Content-Length.");
  return length;
}

function hasName(error: unknown, name: string): boolean {
  return error instanceof S3ServiceException && error.name === name;
}

/** NoSuchKey (GET), NotFound (HEAD) — not NoSuchBucket: a missing bucket is a broken setup. */
function isMissing(error: unknown): boolean {
  return hasName(error, "NoSuchKey") || hasName(error, "NotFound");
}
