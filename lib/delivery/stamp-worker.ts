import { parentPort } from "node:worker_threads";
import { stampPdf } from "./pdf-stamp";

/*
 * The worker thread a PDF is stamped in (lib/delivery/stamp-in-worker.ts starts it, one job per
 * worker): pdf-lib holds the whole document while it stamps, so that work runs in a heap of its
 * own, limited apart from the server's. It gets the bytes (moved, not copied) and the line, and
 * answers with the stamped bytes (moved back) or null when the PDF cannot be stamped.
 */

export interface StampJob {
  bytes: Uint8Array;
  line: string;
}

export type StampAnswer = { stamped: Uint8Array | null } | { error: string };

const port = parentPort;
if (!port) throw new Error("lib/delivery/stamp-worker.ts runs as a worker thread only");

port.once("message", (job: StampJob) => {
  stampPdf(job.bytes, job.line).then(
    (stamped) => {
      const answer: StampAnswer = { stamped };
      port.postMessage(answer, stamped ? [stamped.buffer as ArrayBuffer] : []);
    },
    (error: unknown) => {
      const answer: StampAnswer = { error: error instanceof Error ? error.message : String(error) };
      port.postMessage(answer);
    },
  );
});
