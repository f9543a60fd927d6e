/*
 * Where the shop keeps files it hands out (e-books, course files, issue #12): one small
 * interface with a driver per backend — local disk (default, `.data/files`, local.ts) and
 * S3-compatible object storage (s3.ts); `getStorage()` of index.ts picks one from the env. Keys
 * are the shop's own (`files/<file id>`, `stamps/<file id>/<hex>`), checked by
 * `assertStorageKey` before any driver touches a path or a bucket.
 */

/** An inclusive byte range of a stored object (`Range: bytes=start-end`). */
export interface ByteRange {
  start: number;
  end: number;
}

export interface PutOptions {
  contentType: string;
  /** The most bytes accepted; more aborts the write, stores nothing and throws `too_large`. */
  maxBytes: number;
}

export interface Stored {
  size: number;
  /** SHA-256 of the bytes, hex, computed while they streamed in. */
  sha256: string;
}

export interface Fetched {
  body: ReadableStream<Uint8Array>;
  /** The whole object's size. */
  size: number;
  /** The range served, or null for the whole object. */
  range: ByteRange | null;
}

export interface SignedUrlOptions {
  /** How long the link works (S3 caps presigned links at 7 days). */
  expiresInSeconds: number;
  /** The name the browser saves the file under (`Content-Disposition: attachment`). */
  fileName: string;
  contentType: string;
}

export interface FileStorage {
  /** Streams `body` in under `key` (replacing what was there only once every byte arrived). */
  put(key: string, body: ReadableStream<Uint8Array>, options: PutOptions): Promise<Stored>;
  /** The object (or one range of it) as a stream; null when there is none. */
  get(key: string, range?: ByteRange): Promise<Fetched | null>;
  /** Removes the object; nothing when there is none. */
  delete(key: string): Promise<void>;
  /**
   * A short-lived link that downloads the object straight from the store, or null when the
   * store cannot make one (local disk: the download route streams the bytes itself). Only ever
   * handed to a buyer after the entitlement check: the link itself checks nothing else.
   */
  signedUrl(key: string, options: SignedUrlOptions): Promise<string | null>;
}

export type StorageErrorCode = "invalid_key" | "too_large" | "range_not_satisfiable";

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "StorageError";
  }
}

/** Keys: lower-case letters, digits, `_`, `-`, one `.` inside a segment, `/` between segments. */
const KEY = /^[a-z0-9_-]+(\.[a-z0-9]+)?(\/[a-z0-9_-]+(\.[a-z0-9]+)?){0,7}$/;

/**
 * Refuses any key that is not one of the shop's own shapes — `..`, absolute paths, backslashes,
 * empty segments, upper case, control characters — so no key can name a path outside the
 * storage's root (path traversal) or a different object than meant.
 */
export function assertStorageKey(key: string): void {
  if (key.length > 300 || !KEY.test(key)) {
    throw new StorageError("invalid_key", "Not a storage key.");
  }
}
