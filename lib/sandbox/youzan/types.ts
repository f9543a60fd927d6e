import type { Db } from "@/db/client";
import type { Clock } from "@/lib/clock";

/** Fault knobs; see docs/SANDBOX.md. Defaults in `DEFAULT_FAULTS`. */
export interface YouzanFaults {
  /** Pushes are recorded as lost and never delivered. */
  pushLost: boolean;
  /** Each push is delivered this many extra times (same msg_id, sendCount rising). */
  pushDuplicates: number;
  /** Deliver the pushes of one trade event in reverse order (TradeSuccess before TradePaid). */
  pushOutOfOrder: boolean;
  /** A new/paid trade is invisible to trade.get / trades.qr.get for this long. */
  tradeVisibleAfterSeconds: number;
  /** Every issued token is treated as revoked (4203) until a new token is minted. */
  tokenExpiredEarly: boolean;
  /** The next N gateway calls answer 4101 (decrements). */
  rateLimitNextCalls: number;
  /** Every gateway (and token endpoint) response is delayed this long, in real time. */
  slowMs: number;
  /** Which push generations are sent. */
  subscription: "v3" | "v2" | "both";
  /** Top-level `status` of trade_TradePaid. */
  pushStatusStyle: "TRADE_PAID" | "PAID";
  /** `msg` encoding: 2021 form style with `+`, or the 2018 encodeURI-like style. */
  msgEncoding: "form" | "uri";
}

export interface YouzanSandboxOptions {
  db: Db;
  /** The one virtual clock (lib/clock offsetClock in the app). */
  clock: Clock;
  /** The one app + shop the sandbox knows. */
  app: { clientId: string; clientSecret: string; kdtId: string };
  /** Where the sandbox is mounted, e.g. http://localhost:3000/sandbox/youzan. */
  publicBaseUrl: string;
  /** Default push target (the shop's webhook); overridable via settings.push_url. */
  pushUrl: string;
  /** For delivering pushes. */
  fetch?: typeof fetch;
}

export interface SandboxQr {
  qrId: string;
  name: string;
  priceFen: number | null;
  qrType: string;
  paid: boolean;
}

export interface SandboxPushSummary {
  id: number;
  type: string;
  tid: string | null;
  msgId: string | null;
  status: string;
  sendCount: number;
  lastResult: string | null;
}

export interface SandboxStats {
  apiCalls: Record<string, number>;
  apiCallsByQr: Record<string, number>;
  tokensIssued: number;
  pushes: SandboxPushSummary[];
}

export interface PayInput {
  qrId: string;
  payType?: string;
  payerNick?: string;
  amountFen?: number;
  /**
   * Extension: pay this particular scan (trade) of the QR instead of the newest open one.
   * Refused (409) when that trade is paid or closed.
   */
  tid?: string;
}

export interface TickResult {
  delivered: number;
  failed: number;
  closed: number;
}

export interface YouzanSandbox {
  /** POST /auth/token */
  handleToken(request: Request): Promise<Response>;
  /** /api/<...path> — path after /api/, e.g. ["youzan.trade.get","4.0.2"]. */
  handleApi(request: Request, path: string[]): Promise<Response>;
  getQr(qrId: string): Promise<SandboxQr | null>;
  /** Creates a WAIT_RECEIVED trade and emits the create pushes. */
  scan(qrId: string): Promise<{ tid: string }>;
  /** Scan + pay in one (reuses an open unpaid trade of this QR); 409 for a paid dynamic code. */
  pay(input: PayInput): Promise<{ tid: string }>;
  getFaults(): Promise<YouzanFaults>;
  /** Validated; unknown keys or bad types → SandboxError 400. */
  setFaults(patch: Partial<YouzanFaults>): Promise<YouzanFaults>;
  setPushUrl(url: string | null): Promise<void>;
  revokeTokens(): Promise<void>;
  /** Closes expired trades (close pushes) and delivers every push due now on the clock. */
  tick(): Promise<TickResult>;
  stats(): Promise<SandboxStats>;
  /** Empties every Youzan sandbox table (not the shared clock). */
  reset(): Promise<void>;
}
