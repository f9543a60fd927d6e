import "server-only";
import type { Db } from "@/db/client";
import type { Clock } from "@/lib/clock";

/** What every part of one sandbox instance shares. */
export interface SandboxContext {
  db: Db;
  clock: Clock;
  app: { clientId: string; clientSecret: string; kdtId: string };
  publicBaseUrl: string;
  pushUrl: string;
  fetch: typeof fetch;
  /** Real time a push receiver has to answer (Youzan: 5 s). */
  pushTimeoutMs: number;
}
