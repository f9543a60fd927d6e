import "server-only";
import { createHash } from "node:crypto";
import type { Db } from "@/db/client";
import {
  contentGrantState,
  countDownload,
  findDeliveryFile,
  membershipState,
} from "@/db/queries/delivery";
import type { ProductFile } from "@/db/schema";
import { recordStampedCopy } from "@/db/queries/stamped-copies";
import { shanghaiDate, startOfShanghaiDate } from "@/lib/clock";
import { AppError, isAppError } from "@/lib/errors";
import { attachmentDisposition } from "@/lib/http/content-disposition";
import type { ModuleLogger } from "@/lib/logger";
import { parseRange } from "@/lib/storage/range";
import { StorageError, type FileStorage } from "@/lib/storage/types";
import { isShopId, membersAccess, productAccess, REFUSAL_MESSAGES, type Access } from "./access";
import { STAMP_MAX_BYTES, stampLine } from "./stamp-line";
import { reserveStamp, type StampTicket } from "./stamp-in-worker";

/*
 * GET /api/downloads/{fileId}: the entitlement is checked at this moment, the download counted
 * against the daily limit, a PDF stamped with the buyer's account (cached per buyer, file and
 * version), then either a redirect to a 5-minute signed URL (S3) or the bytes streamed with
 * Range support (local disk).
 */

export const SIGNED_URL_SECONDS = 300;

export interface DownloadDeps {
  db: Db;
  storage: FileStorage;
  now: Date;
  downloadsPerDay: number;
  log: ModuleLogger;
}

export interface Downloader {
  id: string;
  email: string;
  role: "buyer" | "admin";
}

const PRIVATE = {
  "cache-control": "private, no-store",
  "x-content-type-options": "nosniff",
} as const;

export async function serveDownload(
  deps: DownloadDeps,
  user: Downloader,
  fileId: string,
  rangeHeader: string | null,
): Promise<Response> {
  if (!isShopId(fileId, "fil")) throw notFound();
  const found = await findDeliveryFile(deps.db, fileId);
  if (!found) throw notFound();
  const { file, product } = found;
  const access: Access = product
    ? productAccess(user, await contentGrantState(deps.db, user.id, product.id))
    : membersAccess(user, await membershipState(deps.db, user.id, deps.now));
  if (access.kind === "refused") {
    throw new AppError("forbidden", REFUSAL_MESSAGES[access.reason], { reason: [access.reason] });
  }

  const stamp =
    !access.owner &&
    file.contentType === "application/pdf" &&
    (product?.stampPdfs ?? true) &&
    file.byteSize <= STAMP_MAX_BYTES;
  // Before the download is counted: a copy that must be stamped while the stamping queue is full
  // is refused (503, try again) and uses none of the day's downloads.
  const prepared = stamp
    ? await prepareStampedCopy(
        deps,
        file,
        stampLine({ email: user.email, orderNo: access.orderNo ?? "" }),
      )
    : null;

  // A download is counted when it starts at the first byte; the further ranges a reader or a
  // download manager asks for (resuming, seeking) belong to the same download.
  if (!access.owner && startsAtZero(rangeHeader)) {
    let counted;
    try {
      counted = await countDownload(deps.db, {
        userId: user.id,
        fileId,
        day: shanghaiDate(deps.now),
        at: deps.now,
        limit: deps.downloadsPerDay,
      });
    } catch (error) {
      prepared?.release();
      throw error;
    }
    if (counted === null) {
      prepared?.release();
      throw new AppError(
        "rate_limited",
        `This file was downloaded ${deps.downloadsPerDay} times today; the limit resets at midnight (Asia/Shanghai).`,
        undefined,
        { retryAfterSeconds: secondsToShanghaiMidnight(deps.now) },
      );
    }
  }

  const key = prepared ? await prepared.key() : file.storageKey;

  const signed = await deps.storage.signedUrl(key, {
    expiresInSeconds: SIGNED_URL_SECONDS,
    fileName: file.fileName,
    contentType: file.contentType,
  });
  if (signed !== null) {
    return new Response(null, { status: 302, headers: { location: signed, ...PRIVATE } });
  }
  return streamObject(deps, key, file, rangeHeader);
}

/** Seconds a buyer refused with "busy" is asked to wait: about one large PDF's stamp. */
export const STAMP_BUSY_RETRY_SECONDS = 30;

interface PreparedCopy {
  /** The key to serve: the stamped copy, stamped now if need be, or the original if unstampable. */
  key(): Promise<string>;
  /** The download will not be served (refused after all): give back the queue place, if any. */
  release(): void;
}

/** Stamps being made now, by key: a second request for the same copy waits for the first. */
const making = new Map<string, Promise<string | null>>();

/**
 * The stamped copy's key is per file version (its SHA-256) and stamp text (buyer and order), so
 * a replaced file or a changed e-mail makes a new copy and a buyer never gets another's. Made
 * once, then served from storage; each serving is recorded (`stamped_copies`), and the sweep
 * deletes copies unused for long or of a replaced file (made again at the next download). A PDF
 * pdf-lib cannot open (encrypted, damaged) is served as it is, and logged. A copy not made yet
 * needs a place in the stamping queue (stamp-in-worker.ts): none free, 503 `busy`.
 */
async function prepareStampedCopy(
  deps: DownloadDeps,
  file: ProductFile,
  line: string,
): Promise<PreparedCopy> {
  const digest = createHash("sha256").update(`${file.sha256}\n${line}`).digest("hex");
  const key = `stamps/${file.id}/${digest.slice(0, 40)}`;
  const served = { key, fileId: file.id, fileSha256: file.sha256, at: deps.now };
  const cached = await deps.storage.get(key);
  if (cached) {
    await cached.body.cancel();
    return {
      key: async () => {
        await recordStampedCopy(deps.db, { ...served, byteSize: cached.size });
        return key;
      },
      release: () => {},
    };
  }
  // Another request (a double click, a download manager's second connection) is making this
  // copy: wait for it instead of stamping it twice. Null: it was refused after all; look again.
  const joined = making.get(key);
  if (joined) {
    return {
      key: async () => (await joined) ?? (await prepareStampedCopy(deps, file, line)).key(),
      release: () => {},
    };
  }
  const ticket = reserveStamp();
  if (!ticket) {
    // The owner should know the stamping is the bottleneck (large PDFs, a launch-day rush).
    deps.log.warn({ fileId: file.id }, "stamping queue full: a download was refused (503 busy)");
    throw new AppError(
      "service_unavailable",
      "Many PDFs are being prepared for their buyers right now; try again in a minute.",
      { reason: ["busy"] },
      { retryAfterSeconds: STAMP_BUSY_RETRY_SECONDS },
    );
  }
  // Registered now, before this request is counted, so that a request arriving meanwhile joins.
  let settle: (made: Promise<string> | null) => void = () => {};
  const entry = new Promise<Promise<string> | null>((resolve) => (settle = resolve)).then(
    (made) => made,
  );
  making.set(key, entry);
  const done = () => {
    if (making.get(key) === entry) making.delete(key);
  };
  entry.then(done, done);
  return {
    release: () => {
      ticket.release();
      settle(null);
    },
    key: () => {
      const made = makeStampedCopy(deps, file, line, served, ticket);
      settle(made);
      return made;
    },
  };
}

async function makeStampedCopy(
  deps: DownloadDeps,
  file: ProductFile,
  line: string,
  served: { key: string; fileId: string; fileSha256: string; at: Date },
  ticket: StampTicket,
): Promise<string> {
  // The original is read when the stamp's turn comes, not while it waits.
  const stamped = await ticket.stamp(async () => {
    const original = await deps.storage.get(file.storageKey);
    if (!original) throw missingObject(deps, file);
    return new Uint8Array(await new Response(original.body).arrayBuffer());
  }, line);
  if (!stamped.ok) {
    const { reason, detail } = stamped;
    deps.log.warn(
      { fileId: file.id, reason, detail },
      "PDF could not be stamped; served as uploaded",
    );
    return file.storageKey;
  }
  await deps.storage.put(served.key, new Blob([new Uint8Array(stamped.bytes)]).stream(), {
    contentType: "application/pdf",
    maxBytes: stamped.bytes.byteLength,
  });
  // Recorded once stored: the sweep (sweep-stamps.ts) deletes it when unused for long.
  await recordStampedCopy(deps.db, { ...served, byteSize: stamped.bytes.byteLength });
  return served.key;
}

async function streamObject(
  deps: DownloadDeps,
  key: string,
  file: ProductFile,
  rangeHeader: string | null,
): Promise<Response> {
  const whole = await deps.storage.get(key);
  if (!whole) throw missingObject(deps, file);
  const headers: Record<string, string> = {
    ...PRIVATE,
    "content-type": file.contentType,
    "content-disposition": attachmentDisposition(file.fileName),
    "accept-ranges": "bytes",
  };
  let range;
  try {
    range = parseRange(rangeHeader, whole.size);
  } catch (error) {
    await whole.body.cancel();
    if (error instanceof StorageError && error.code === "range_not_satisfiable") {
      return new Response(null, {
        status: 416,
        headers: { ...headers, "content-range": `bytes */${whole.size}` },
      });
    }
    throw error;
  }
  if (!range) {
    return new Response(whole.body, {
      status: 200,
      headers: { ...headers, "content-length": String(whole.size) },
    });
  }
  await whole.body.cancel();
  const part = await deps.storage.get(key, range);
  if (!part) throw missingObject(deps, file);
  return new Response(part.body, {
    status: 206,
    headers: {
      ...headers,
      "content-length": String(range.end - range.start + 1),
      "content-range": `bytes ${range.start}-${range.end}/${whole.size}`,
    },
  });
}

function startsAtZero(rangeHeader: string | null): boolean {
  if (rangeHeader === null) return true;
  return /^\s*bytes=0-/.test(rangeHeader);
}

function secondsToShanghaiMidnight(now: Date): number {
  const tomorrow = new Date(startOfShanghaiDate(shanghaiDate(now)).getTime() + 86_400_000);
  return Math.max(1, Math.ceil((tomorrow.getTime() - now.getTime()) / 1000));
}

function notFound(): AppError {
  return new AppError("not_found", "No such file.");
}

function missingObject(deps: DownloadDeps, file: ProductFile): AppError {
  deps.log.error({ fileId: file.id, key: file.storageKey }, "stored file is missing");
  return new AppError("not_found", "The file is not available right now.");
}

/** What the library page says about a refused download (`/account/library?download=…`). */
export const DOWNLOAD_NOTICES = [
  "refunded",
  "not_owned",
  "not_member",
  "membership_expired",
  "limit",
  "missing",
  "busy",
] as const;
export type DownloadNotice = (typeof DOWNLOAD_NOTICES)[number];

/**
 * A refused download the buyer's browser navigated to (a link in the library, `Accept:
 * text/html`) goes back to the library with a notice in their language instead of a bare JSON
 * error; signed out, to the sign-in page and back. Scripts and download managers (no text/html)
 * get the JSON error and its status. Null: not a refusal this applies to.
 */
export function refusalRedirect(error: unknown, request: Request, fileId: string): Response | null {
  if (!isAppError(error) || !(request.headers.get("accept") ?? "").includes("text/html")) {
    return null;
  }
  const to = (path: string) =>
    new Response(null, { status: 303, headers: { location: path, ...PRIVATE } });
  if (error.code === "unauthorized") {
    return to(`/signin?callbackUrl=${encodeURIComponent("/account/library")}`);
  }
  const reason = error.fields?.reason?.[0];
  const notice: DownloadNotice | null =
    error.code === "forbidden" && DOWNLOAD_NOTICES.includes(reason as DownloadNotice)
      ? (reason as DownloadNotice)
      : error.code === "rate_limited"
        ? "limit"
        : error.code === "not_found" && isShopId(fileId, "fil")
          ? "missing"
          : error.code === "service_unavailable" && reason === "busy"
            ? "busy"
            : null;
  return notice ? to(`/account/library?download=${notice}`) : null;
}
