import "server-only";
import { randomBytes } from "node:crypto";
import type { Db } from "@/db/client";
import {
  deleteFile as deleteFileRow,
  findContentProduct,
  findFile,
  insertFile,
  listFiles,
  lockContentProduct,
  lockFile,
  lockMembersArea,
  nextFilePosition,
  setFilePositions,
  updateFile,
  type FileOwner,
} from "@/db/queries/admin-content";
import { insertAudit } from "@/db/queries/audit";
import type { ProductFile } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { moduleLogger } from "@/lib/logger";
import type { FileStorage } from "@/lib/storage";
import { checkFileName, idListSchema, sameIdSet, uploadFileName } from "./content-input";
import { NAME_FIELD, receiveUpload } from "./content-upload";

/*
 * A product's files and the members' area's (issue #12): upload, replace, rename, delete,
 * reorder, each audited `file.<verb>` in the transaction that changes the row.
 *
 * Bytes first, row second: an upload is streamed into storage under a key no row names yet,
 * then the row and its audit are inserted in one transaction; if that fails the object is
 * deleted again. A crash between the two leaves an object nobody points at (wasted bytes, never
 * a row without its file). The same holds for a replacement (new key, then the row moves to it,
 * then the old object goes) and a deletion (row first, object after the commit).
 */

const log = moduleLogger("admin-content");

export interface FileDeps {
  db: Db;
  storage: FileStorage;
  /** `UPLOAD_MAX_MB` in bytes. */
  maxBytes: number;
}

const ID = /^[a-z]{3}_[0-9a-z]{1,40}$/;

/** What the audit keeps of a file. */
function factsOf(file: ProductFile) {
  return {
    fileName: file.fileName,
    contentType: file.contentType,
    byteSize: file.byteSize,
    sha256: file.sha256,
    storageKey: file.storageKey,
  };
}

/** A new storage key for a file's bytes: `files/<id>` first, `files/<id>-<random>` after. */
function replacementKey(fileId: string): string {
  return `files/${fileId}-${randomBytes(6).toString("hex")}`;
}

/** 404 unless the product exists, 409 unless it is a one-off product (files need one). */
export async function assertFileOwner(db: Db, owner: FileOwner): Promise<void> {
  if (owner === null) return;
  const product = ID.test(owner) ? await findContentProduct(db, owner) : undefined;
  checkOwnerProduct(product);
}

function checkOwnerProduct(product: { kind: string } | undefined): void {
  if (!product) throw new AppError("not_found", "No product with this id.");
  if (product.kind !== "one_off") {
    throw new AppError("conflict", "Files and lessons belong to one-off products only.", {
      product: ["product.not_one_off"],
    });
  }
}

/** Locks what orders the owner's files: the product row, or the members' area's lock. */
async function lockOwner(tx: Db, owner: FileOwner): Promise<void> {
  if (owner === null) await lockMembersArea(tx);
  else checkOwnerProduct(await lockContentProduct(tx, owner));
}

function nameFrom(raw: string | undefined, fallback: string): string {
  if (raw === undefined) return fallback;
  const checked = checkFileName(raw);
  if ("error" in checked) {
    throw new AppError("validation_failed", "The file name is not valid.", {
      fileName: [checked.error],
    });
  }
  return checked.name;
}

async function deleteObject(storage: FileStorage, key: string): Promise<void> {
  try {
    await storage.delete(key);
  } catch (error) {
    // An object nobody points at: wasted bytes, nothing a buyer can reach.
    log.error({ err: error, key }, "stored object could not be deleted");
  }
}

/**
 * `POST /api/admin/uploads/…`: a new file for a one-off product (or the members' area, `null`),
 * last in its order. The name is the form's `name` field, else the upload's filename.
 */
export async function uploadFile(
  deps: FileDeps,
  actorUserId: string,
  owner: FileOwner,
  request: Request,
): Promise<ProductFile> {
  await assertFileOwner(deps.db, owner);
  const id = newId("fil");
  const key = `files/${id}`;
  const received = await receiveUpload(request, deps.storage, key, deps.maxBytes);
  try {
    const fileName = nameFrom(
      received.fields[NAME_FIELD],
      uploadFileName(received.filename) ?? "file",
    );
    return await deps.db.transaction(async (tx) => {
      await lockOwner(tx, owner);
      const row = await insertFile(tx, {
        id,
        productId: owner,
        productKind: owner === null ? null : "one_off",
        storageKey: key,
        fileName,
        contentType: received.contentType,
        byteSize: received.stored.size,
        sha256: received.stored.sha256,
        position: await nextFilePosition(tx, owner),
      });
      await insertAudit(tx, {
        actorKind: "user",
        actorUserId,
        action: "file.upload",
        targetType: "product_file",
        targetId: id,
        details: { productId: owner, before: null, after: factsOf(row) },
      });
      return row;
    });
  } catch (error) {
    await deleteObject(deps.storage, key);
    throw error;
  }
}

/**
 * `POST /api/admin/uploads/files/<id>`: new bytes for a file; its id, position and name stay
 * (unless the form names it anew). The old object is deleted once the row points at the new one.
 */
export async function replaceFile(
  deps: FileDeps,
  actorUserId: string,
  fileId: string,
  request: Request,
): Promise<ProductFile> {
  const existing = ID.test(fileId) ? await findFile(deps.db, fileId) : undefined;
  if (!existing) throw new AppError("not_found", "No file with this id.");
  const key = replacementKey(fileId);
  const received = await receiveUpload(request, deps.storage, key, deps.maxBytes);
  let oldKey: string;
  let replaced: ProductFile;
  try {
    const name = received.fields[NAME_FIELD];
    const fileName = name === undefined || name === "" ? undefined : nameFrom(name, "");
    [replaced, oldKey] = await deps.db.transaction(async (tx) => {
      const before = await lockFile(tx, fileId);
      if (!before) throw new AppError("not_found", "No file with this id.");
      const after = await updateFile(tx, fileId, {
        storageKey: key,
        contentType: received.contentType,
        byteSize: received.stored.size,
        sha256: received.stored.sha256,
        ...(fileName ? { fileName } : {}),
      });
      await insertAudit(tx, {
        actorKind: "user",
        actorUserId,
        action: "file.replace",
        targetType: "product_file",
        targetId: fileId,
        details: { productId: before.productId, before: factsOf(before), after: factsOf(after!) },
      });
      return [after!, before.storageKey] as const;
    });
  } catch (error) {
    await deleteObject(deps.storage, key);
    throw error;
  }
  await deleteObject(deps.storage, oldKey);
  return replaced;
}

/** Renames a file (what buyers' downloads are called). Same name → nothing written. */
export async function renameFile(
  db: Db,
  actorUserId: string,
  fileId: string,
  rawName: unknown,
): Promise<{ file: ProductFile; changed: boolean }> {
  if (typeof rawName !== "string") {
    throw new AppError("validation_failed", "The file name is not valid.", {
      fileName: ["fileName.required"],
    });
  }
  const fileName = nameFrom(rawName, "");
  return db.transaction(async (tx) => {
    const before = ID.test(fileId) ? await lockFile(tx, fileId) : undefined;
    if (!before) throw new AppError("not_found", "No file with this id.");
    if (before.fileName === fileName) return { file: before, changed: false };
    const after = await updateFile(tx, fileId, { fileName });
    await insertAudit(tx, {
      actorKind: "user",
      actorUserId,
      action: "file.rename",
      targetType: "product_file",
      targetId: fileId,
      details: {
        productId: before.productId,
        before: { fileName: before.fileName },
        after: { fileName },
      },
    });
    return { file: after!, changed: true };
  });
}

/** Deletes the row (buyers lose the file at once), then the object after the commit. */
export async function deleteFile(
  deps: Pick<FileDeps, "db" | "storage">,
  actorUserId: string,
  fileId: string,
): Promise<ProductFile> {
  const removed = await deps.db.transaction(async (tx) => {
    const before = ID.test(fileId) ? await lockFile(tx, fileId) : undefined;
    if (!before) throw new AppError("not_found", "No file with this id.");
    await deleteFileRow(tx, fileId);
    await insertAudit(tx, {
      actorKind: "user",
      actorUserId,
      action: "file.delete",
      targetType: "product_file",
      targetId: fileId,
      details: { productId: before.productId, before: factsOf(before), after: null },
    });
    return before;
  });
  await deleteObject(deps.storage, removed.storageKey);
  return removed;
}

/**
 * Puts the owner's files in the order of `ids` (positions 0…n-1), which must name exactly its
 * files (a stale page that misses a new upload is refused, 400). Same order → nothing written.
 */
export async function reorderFiles(
  db: Db,
  actorUserId: string,
  owner: FileOwner,
  rawIds: unknown,
): Promise<{ files: ProductFile[]; changed: boolean }> {
  const parsed = idListSchema.safeParse(rawIds);
  if (!parsed.success) {
    throw new AppError("bad_request", "`ids` must be a list of distinct file ids.", {
      ids: ["ids.invalid"],
    });
  }
  const ids = parsed.data;
  if (owner !== null && !ID.test(owner))
    throw new AppError("not_found", "No product with this id.");
  return db.transaction(async (tx) => {
    await lockOwner(tx, owner);
    const current = await listFiles(tx, owner);
    const before = current.map((file) => file.id);
    if (!sameIdSet(ids, before)) {
      throw new AppError("bad_request", "`ids` must list exactly the files there are now.", {
        ids: ["ids.mismatch"],
      });
    }
    const unchanged =
      ids.every((id, index) => id === before[index]) &&
      current.every((file, index) => file.position === index);
    if (unchanged) return { files: current, changed: false };
    await setFilePositions(tx, ids);
    await insertAudit(tx, {
      actorKind: "user",
      actorUserId,
      action: "file.reorder",
      targetType: owner === null ? "members_area" : "product",
      targetId: owner ?? "members",
      details: { before: { order: before }, after: { order: ids } },
    });
    return { files: await listFiles(tx, owner), changed: true };
  });
}
