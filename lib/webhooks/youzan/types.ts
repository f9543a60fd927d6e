import type { OrderDeps } from "@/lib/orders/deps";
import type { ApplyStatus } from "../inbox";

export interface YouzanWebhookDeps extends OrderDeps {
  credentials: { clientId: string; clientSecret: string; kdtId: string };
  /** How long the webhook waits for the effect before acknowledging anyway (Youzan allows 5 s). */
  applyBudgetMs: number;
}

/** The fields of a verified push that event handlers use. */
export interface YouzanEvent {
  type: string;
  status: string | null;
  tid: string | null;
  qrId: string | null;
  /** The shop the push is about; another shop's pushes are ignored. */
  kdtId: string | null;
}

export interface ApplyResult {
  status: ApplyStatus;
  outcome: string;
}
