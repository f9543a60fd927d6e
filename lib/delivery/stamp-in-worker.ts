import { Worker, type ResourceLimits } from "node:worker_threads";
import type { StampAnswer, StampJob } from "./stamp-worker";

/*
 * Stamping a PDF outside the server's heap. pdf-lib parses the whole document and writes it anew;
 * for a large e-book that takes far more heap than serving requests does, and the production
 * server runs with a small heap (`npm start`, docs/PERFORMANCE.md "Memory"). So each stamp runs in
 * a worker thread of its own with its own heap limit, one at a time: a PDF that needs more than
 * that limit ends its worker (served unstamped, and said why), never the server.
 */

/** The worker's heap: a 64 MB PDF of 20,000 text pages needs about 300 MB of it. */
export const STAMP_WORKER_LIMITS: ResourceLimits = {
  maxOldGenerationSizeMb: 512,
  maxYoungGenerationSizeMb: 32,
};

/** A stamp that has not finished by then is given up (the worker ended, the PDF served as is). */
export const STAMP_TIMEOUT_MS = 120_000;

export type StampResult =
  | { ok: true; bytes: Uint8Array }
  | {
      ok: false;
      reason: "unstampable" | "out_of_memory" | "timeout" | "worker_failed";
      detail?: string;
    };

export interface StampOptions {
  timeoutMs?: number;
  resourceLimits?: ResourceLimits;
}

// One stamp at a time: two large PDFs at once would double the memory a download can take.
let queue: Promise<unknown> = Promise.resolve();

/**
 * Stamps running or waiting, at most: a download past them is refused with "busy" before it is
 * counted (download.ts), so a burst of buyers cannot queue an hour of stamping behind one
 * another, each request waiting for it. A waiting stamp holds no bytes: its PDF is read only
 * when its turn comes, so the server holds one document (and the worker's copy) at a time.
 */
export const STAMP_QUEUE_MAX = 4;
let admitted = 0;

/** A place in the stamping queue: used once (`stamp`) or given back (`release`). */
export interface StampTicket {
  /** Reads the PDF with `load` when this stamp's turn comes, then stamps it. */
  stamp(
    load: () => Promise<Uint8Array>,
    line: string,
    options?: StampOptions,
  ): Promise<StampResult>;
  /** Gives the place back unused (idempotent; `stamp` gives it back itself when done). */
  release(): void;
}

/** A place in the queue, or null while STAMP_QUEUE_MAX stamps are running or waiting. */
export function reserveStamp(max: number = STAMP_QUEUE_MAX): StampTicket | null {
  if (admitted >= max) return null;
  admitted++;
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    admitted--;
  };
  return {
    release,
    stamp(load, line, options = {}) {
      if (!held) return Promise.reject(new Error("this stamp ticket was already used"));
      return enqueue(load, line, options).finally(release);
    },
  };
}

/** Stamps running or waiting now (tests check every place is given back). */
export function stampsAdmitted(): number {
  return admitted;
}

/**
 * `bytes` with `line` at the foot of every page. When `bytes` is the whole of its buffer, the
 * buffer is moved to the worker (unusable here afterwards); a view on part of a buffer (a pooled
 * Buffer) is copied first, so that nothing else sharing that buffer is cut off. Not bounded:
 * downloads go through `reserveStamp`.
 */
export function stampInWorker(
  bytes: Uint8Array,
  line: string,
  options: StampOptions = {},
): Promise<StampResult> {
  return enqueue(async () => bytes, line, options);
}

function enqueue(
  load: () => Promise<Uint8Array>,
  line: string,
  options: StampOptions,
): Promise<StampResult> {
  const run = queue.then(async (): Promise<StampResult> => {
    // A loader that fails (the original gone from storage) fails this stamp's promise.
    const bytes = await load();
    const own =
      bytes.buffer instanceof ArrayBuffer &&
      bytes.byteOffset === 0 &&
      bytes.byteLength === bytes.buffer.byteLength
        ? bytes
        : bytes.slice();
    return runWorker(own, line, options);
  });
  queue = run.catch(() => undefined);
  return run;
}

function runWorker(bytes: Uint8Array, line: string, options: StampOptions): Promise<StampResult> {
  return new Promise<StampResult>((resolve) => {
    let worker: Worker;
    try {
      worker = startWorker(options.resourceLimits ?? STAMP_WORKER_LIMITS);
    } catch (error) {
      resolve({ ok: false, reason: "worker_failed", detail: messageOf(error) });
      return;
    }
    let settled = false;
    const finish = (result: StampResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
      void worker.terminate();
    };
    const timer = setTimeout(
      () => finish({ ok: false, reason: "timeout" }),
      options.timeoutMs ?? STAMP_TIMEOUT_MS,
    );
    worker.once("message", (answer: StampAnswer) => {
      if ("error" in answer) finish({ ok: false, reason: "worker_failed", detail: answer.error });
      else if (answer.stamped) finish({ ok: true, bytes: answer.stamped });
      else finish({ ok: false, reason: "unstampable" });
    });
    worker.once("error", (error: Error & { code?: string }) =>
      finish({
        ok: false,
        reason: error.code === "ERR_WORKER_OUT_OF_MEMORY" ? "out_of_memory" : "worker_failed",
        detail: error.message,
      }),
    );
    worker.once("exit", (code) =>
      finish({ ok: false, reason: "worker_failed", detail: `worker exited with code ${code}` }),
    );
    const job: StampJob = { bytes, line };
    worker.postMessage(job, [bytes.buffer as ArrayBuffer]);
  });
}

function startWorker(resourceLimits: ResourceLimits): Worker {
  // eslint-disable-next-line no-restricted-properties -- set by Next itself, not configuration
  if (process.env.NEXT_RUNTIME) {
    // The production build: Turbopack bundles the worker's module from this exact expression.
    return new Worker(new URL("./stamp-worker.ts", import.meta.url), { resourceLimits });
  }
  // From source (tests, scripts run by tsx): Node 20 does not run TypeScript itself, so the
  // worker loads the module through tsx, as its parent was.
  // (Not `new URL(…, import.meta.url)`: the bundler would ship the source as a static asset.)
  const entry = import.meta.url.replace(/stamp-in-worker\.ts$/, "stamp-worker.ts");
  return new Worker(
    `import("tsx/esm/api").then((tsx) => tsx.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(import.meta.url)}));`,
    { eval: true, resourceLimits },
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
