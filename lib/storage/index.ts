import "server-only";
import { getEnv, type Env } from "@/lib/env";
import { localStorage } from "./local";
import type { S3StorageConfig } from "./s3";
import type { FileStorage } from "./types";

export { parseRange } from "./range";
export type { S3StorageConfig } from "./s3";
export {
  assertStorageKey,
  StorageError,
  type ByteRange,
  type Fetched,
  type FileStorage,
  type PutOptions,
  type SignedUrlOptions,
  type StorageErrorCode,
  type Stored,
} from "./types";

/** The driver for a storage setting of the env (local disk or an S3-compatible bucket). */
export function storageFor(config: Env["storage"]): FileStorage {
  return config.kind === "s3" ? lazyS3Storage(config) : localStorage(config.dir);
}

/**
 * The S3 driver, its module (and the AWS SDK's, some hundreds of modules) loaded at its first
 * use: a shop on local disk never loads them, and the storage is built by every route that
 * reaches the library or the downloads. Errors of the load reach the caller like the driver's.
 */
export function lazyS3Storage(
  config: S3StorageConfig,
  load: () => Promise<FileStorage> = async () => (await import("./s3")).s3Storage(config),
): FileStorage {
  let driver: Promise<FileStorage> | undefined;
  const loaded = () =>
    (driver ??= load().catch((error: unknown) => {
      driver = undefined;
      throw error;
    }));
  return {
    put: async (key, body, options) => (await loaded()).put(key, body, options),
    get: async (key, range) => (await loaded()).get(key, range),
    delete: async (key) => (await loaded()).delete(key),
    signedUrl: async (key, options) => (await loaded()).signedUrl(key, options),
  };
}

let storage: FileStorage | undefined;

/**
 * The process's storage, built on first use from `getEnv().storage`. One per process: the S3
 * driver holds a client with its connection pool, which every request should share.
 */
export function getStorage(): FileStorage {
  storage ??= storageFor(getEnv().storage);
  return storage;
}

/** Forgets the process's storage (tests that change the env). */
export function resetStorageForTests(): void {
  storage = undefined;
}
