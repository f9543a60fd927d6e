import "server-only";
import type { ParsedPush } from "@/lib/payments/youzan";

/** The fields of a verified push that event handlers use. */
export interface YouzanEvent {
  type: string;
  status: string | null;
  tid: string | null;
  qrId: string | null;
  /** The shop the push is about; another shop's pushes are ignored. */
  kdtId: string | null;
}

export function eventOfPush(push: Extract<ParsedPush, { kind: "message" }>): YouzanEvent {
  return {
    type: push.type,
    status: push.status,
    tid: push.tid,
    qrId: push.qrId,
    kdtId: push.kdtId,
  };
}
