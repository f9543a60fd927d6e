import type { RUN_STATUSES } from "./runs";

/** One job run (plain data: it crosses to the client and into JSON). */
export interface RunItem {
  id: string;
  job: string;
  status: (typeof RUN_STATUSES)[number];
  dryRun: boolean;
  claimed: number;
  succeeded: number;
  failed: number;
  unknown: number;
  postponed: number;
  summary: unknown;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}
