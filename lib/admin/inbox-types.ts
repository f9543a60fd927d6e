import type { INBOX_STATUSES } from "./inbox-codes";
import type { RedactedPayload } from "./redact";

/** One delivery in the inbox list (plain data: it crosses to the client and into JSON). */
export interface InboxItem {
  id: string;
  provider: "youzan" | "alipay";
  eventType: string | null;
  signatureValid: boolean;
  status: (typeof INBOX_STATUSES)[number];
  outcome: string | null;
  attempts: number;
  deliveries: number;
  /** The start of the last error, with anything secret-looking masked. */
  lastError: string | null;
  receivedAt: string;
  processedAt: string | null;
  bodyBytes: number | null;
}

/** One delivery, whole, as the admin may see it. */
export interface InboxDetail extends InboxItem {
  eventKey: string | null;
  bodySha256: string | null;
  clientAddress: string | null;
  headers: unknown;
  payload: RedactedPayload;
  /** Failed or dead, and verified: "process again" applies. */
  canReprocess: boolean;
}
