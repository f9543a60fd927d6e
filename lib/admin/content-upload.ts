import "server-only";
import { Readable } from "node:stream";
import type { ReadableStream as NodeWebStream } from "node:stream/web";
import busboy from "busboy";
import type { DeliveryContentType } from "@/db/schema";
import { sniffDeliveryType, SNIFF_BYTES } from "@/lib/delivery/file-type";
import { AppError } from "@/lib/errors";
import type { FileStorage, Stored } from "@/lib/storage";

/*
 * One file out of a multipart upload, streamed into storage (issue #12): never whole in memory.
 * The request body flows request → busboy → the file part → `storage.put`, each step pulling
 * only as fast as the next one writes (backpressure), so the server holds a few chunks at a
 * time whatever the file's size. The type is decided by the first bytes (PDF, EPUB, ZIP), not by
 * the name or the declared type; the size cap is the storage's, enforced while streaming.
 *
 * A refusal (wrong type, too large, a broken or cut-off body) leaves nothing stored: the storage
 * drivers write to a temporary object and only keep it once every byte arrived. The rest of a
 * refused body is read and thrown away (up to a bound) so that the browser receives the answer
 * instead of a reset connection.
 */

/** Room for the multipart envelope (boundaries, part headers, a name field) above the file. */
export const MULTIPART_SLACK_BYTES = 64 * 1024;

/** The part carrying the file, and the optional text field naming it. */
export const FILE_PART = "file";
export const NAME_FIELD = "name";

export interface ReceivedUpload {
  stored: Stored;
  contentType: DeliveryContentType;
  /** The browser's filename of the part, as sent (decoded as UTF-8). */
  filename: string | undefined;
  /** The text fields of the form (at most a few, each short). */
  fields: Record<string, string>;
}

const refusal = (code: "bad_request" | "validation_failed", reason: string, message: string) =>
  new AppError(code, message, { file: [reason] });

export function tooLarge(maxBytes: number): AppError {
  const mb = Math.floor(maxBytes / (1024 * 1024));
  return new AppError("payload_too_large", `The file is larger than the limit of ${mb} MB.`, {
    file: ["file.too_large"],
  });
}

export function unsupportedType(): AppError {
  return new AppError(
    "unsupported_media_type",
    "The file is not a PDF, EPUB or ZIP (checked by its content, not its name).",
    { file: ["file.type"] },
  );
}

/**
 * Reads the multipart body of `request`, stores its one file part under `key` and answers what
 * was stored. Throws AppErrors: 400 (`file.multipart`: not multipart, malformed, cut off, more
 * than one file; `file.missing`), 413 (`file.too_large`: Content-Length or the bytes over
 * `maxBytes`), 415 (`file.type`), 422 (`file.empty`). Nothing is stored when it throws.
 */
export async function receiveUpload(
  request: Request,
  storage: FileStorage,
  key: string,
  maxBytes: number,
): Promise<ReceivedUpload> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data\s*;/i.test(type)) {
    throw refusal("bad_request", "file.multipart", "Send the file as multipart/form-data.");
  }
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes + MULTIPART_SLACK_BYTES) throw tooLarge(maxBytes);
  if (!request.body) throw refusal("bad_request", "file.missing", "The form has no file.");

  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { "content-type": type },
      // Browsers send UTF-8 file names (Chinese names arrive intact); busboy's default is latin1.
      defParamCharset: "utf8",
      limits: { files: 1, fields: 4, parts: 5, fieldSize: 1024 },
    });
  } catch {
    throw refusal("bad_request", "file.multipart", "The multipart body has no boundary.");
  }
  const source = Readable.fromWeb(request.body as NodeWebStream<Uint8Array>);
  return pump(source, parser, storage, key, maxBytes);
}

function pump(
  source: Readable,
  parser: busboy.Busboy,
  storage: FileStorage,
  key: string,
  maxBytes: number,
): Promise<ReceivedUpload> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    let stored: Promise<Omit<ReceivedUpload, "fields">> | undefined;
    let fileStream: Readable | undefined;
    let failed = false;

    /** Stops parsing, waits for the storage to have cleaned up, drains the rest, then refuses. */
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      source.unpipe(parser);
      fileStream?.destroy();
      parser.destroy();
      void Promise.allSettled([stored, drain(source, maxBytes + MULTIPART_SLACK_BYTES)])
        // A file stored whole before the form went wrong (a second file after it) goes again.
        .then(([file]) => (file.status === "fulfilled" && file.value ? storage.delete(key) : null))
        .catch(() => null)
        .then(() => reject(error));
    };
    const malformed = () =>
      refusal("bad_request", "file.multipart", "The upload was cut off or is not valid multipart.");

    parser.on("field", (name, value, info) => {
      if (!info.valueTruncated && !info.nameTruncated) fields[name] = value;
    });
    parser.on("file", (name, stream, info) => {
      if (name !== FILE_PART || stored) {
        stream.resume();
        return;
      }
      fileStream = stream;
      stored = storeFile(stream, info.filename, storage, key, maxBytes);
      stored.catch(fail);
    });
    const limit = () =>
      fail(refusal("bad_request", "file.multipart", "Send one file and at most a name."));
    parser.on("filesLimit", limit);
    parser.on("partsLimit", limit);
    parser.on("fieldsLimit", limit);
    parser.on("error", () => fail(malformed()));
    source.on("error", () => fail(malformed()));
    parser.on("close", () => {
      if (failed) return;
      if (!stored) {
        fail(refusal("bad_request", "file.missing", "The form has no file part named `file`."));
        return;
      }
      stored.then((file) => {
        if (!failed) resolve({ ...file, fields });
      }, fail);
    });
    source.pipe(parser);
  });
}

/** Reads and discards what is left of a refused body, at most `bound` bytes, then gives up. */
function drain(source: Readable, bound: number): Promise<void> {
  return new Promise((resolve) => {
    if (source.destroyed || source.readableEnded) return resolve();
    let read = 0;
    const done = () => resolve();
    source.on("data", (chunk: Buffer) => {
      read += chunk.byteLength;
      if (read > bound) {
        source.destroy();
        done();
      }
    });
    source.once("end", done);
    source.once("close", done);
    source.once("error", done);
    source.resume();
  });
}

async function storeFile(
  stream: Readable,
  filename: string | undefined,
  storage: FileStorage,
  key: string,
  maxBytes: number,
): Promise<Omit<ReceivedUpload, "fields">> {
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let headBytes = 0;
  let ended = false;
  while (headBytes < SNIFF_BYTES) {
    const next = await readPart(chunks);
    if (next.done) {
      ended = true;
      break;
    }
    head.push(next.value);
    headBytes += next.value.byteLength;
  }
  const first = Buffer.concat(head);
  if (first.byteLength === 0) {
    throw refusal("validation_failed", "file.empty", "The file is empty.");
  }
  const contentType = sniffDeliveryType(new Uint8Array(first));
  if (!contentType) throw unsupportedType();
  if (first.byteLength > maxBytes) throw tooLarge(maxBytes);

  // Pulled by the storage as it writes: one chunk asked for, one chunk read.
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(new Uint8Array(first));
        if (ended) controller.close();
      },
      async pull(controller) {
        const next = await readPart(chunks);
        if (next.done) controller.close();
        else {
          const chunk = next.value;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        }
      },
    },
    { highWaterMark: 0 },
  );
  try {
    const stored = await storage.put(key, body, { contentType, maxBytes });
    return { stored, contentType, filename };
  } catch (error) {
    if (isStorageError(error, "too_large")) throw tooLarge(maxBytes);
    throw error;
  }
}

/** The part's next chunk; the part breaking off (a cut or malformed body) is the client's fault. */
async function readPart(chunks: AsyncIterator<Buffer>): Promise<IteratorResult<Buffer>> {
  try {
    return await chunks.next();
  } catch {
    throw refusal(
      "bad_request",
      "file.multipart",
      "The upload was cut off or is not valid multipart.",
    );
  }
}

/** By name and code: the class may come from another bundle's copy of lib/storage. */
function isStorageError(error: unknown, code: string): boolean {
  return (
    error instanceof Error &&
    error.name === "StorageError" &&
    (error as { code?: unknown }).code === code
  );
}
