import "server-only";
import { getEnv, type Env } from "@/lib/env";
import { localStorage } from "./local";
import { s3Storage } from "./s3";
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
  return config.kind === "s3" ? s3Storage(config) : localStorage(config.dir);
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
