import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { once } from "node:events";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { finished } from "node:stream/promises";
import {
  assertStorageKey,
  StorageError,
  type ByteRange,
  type FileStorage,
  type PutOptions,
  type Stored,
} from "./types";

/**
 * Files on the local disk under `root` (default `.data/files`, never under `public/`: every
 * download goes through the shop's entitlement check). A write goes to a temporary file beside
 * the target and is renamed over it once complete, so a reader never sees half a file and an
 * aborted upload leaves nothing. The size cap is enforced while streaming.
 */
export function localStorage(root: string): FileStorage {
  const absoluteRoot = path.resolve(root);
  const pathOf = (key: string): string => {
    assertStorageKey(key);
    const full = path.resolve(absoluteRoot, key);
    // The key's shape already forbids it; a second fence costs nothing.
    if (!full.startsWith(absoluteRoot + path.sep)) {
      throw new StorageError("invalid_key", "Not a storage key.");
    }
    return full;
  };

  return {
    async put(key, body, options: PutOptions): Promise<Stored> {
      const target = pathOf(key);
      await mkdir(path.dirname(target), { recursive: true });
      const temporary = `${target}.${randomUUID()}.part`;
      const hash = createHash("sha256");
      const out = createWriteStream(temporary, { flags: "wx" });
      // A write error (disk full) may come while we wait for the next chunk: kept, then thrown.
      let writeError: unknown;
      out.on("error", (error) => (writeError ??= error));
      const reader = body.getReader();
      let size = 0;
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (writeError) throw writeError;
          if (done) break;
          size += value.byteLength;
          if (size > options.maxBytes) {
            throw new StorageError(
              "too_large",
              `The file is larger than ${options.maxBytes} bytes.`,
            );
          }
          hash.update(value);
          // once() rejects on "error": a failed write never leaves us waiting for "drain".
          if (!out.write(value)) await once(out, "drain");
        }
        out.end();
        await finished(out);
        await rename(temporary, target);
      } catch (error) {
        // Stop the source (an upload still streaming in), then wait until the file is closed
        // (it may not even be open yet) before removing it, so no write lands after the rm.
        await reader.cancel(error).catch(() => undefined);
        out.destroy();
        await finished(out).catch(() => undefined);
        await rm(temporary, { force: true });
        throw error;
      }
      return { size, sha256: hash.digest("hex") };
    },

    async get(key, range?: ByteRange) {
      const file = pathOf(key);
      const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT" || error.code === "ENOTDIR") return null;
        throw error;
      });
      if (!info?.isFile()) return null;
      if (range && (range.start > range.end || range.end >= info.size)) {
        throw new StorageError("range_not_satisfiable", `The object has ${info.size} bytes.`);
      }
      const stream = createReadStream(file, range ? { start: range.start, end: range.end } : {});
      return {
        body: Readable.toWeb(stream) as ReadableStream<Uint8Array>,
        size: info.size,
        range: range ?? null,
      };
    },

    async delete(key) {
      await rm(pathOf(key), { force: true });
    },

    async signedUrl(key) {
      // No link can reach the disk: the download route streams the bytes after its checks.
      pathOf(key);
      return null;
    },
  };
}
