import "server-only";
import type { Db } from "@/db/client";
import type { Clock } from "@/lib/clock";

/** Which business envelope an API answers in: `response`/`error_response`, or `code/success/data`. */
export type EnvelopeStyle = "legacy" | "v4";

/** Per-API envelope settings (spec §2.2: "configurable per api/version"). */
export interface EnvelopeOverride {
  /** Default: 3.0.0 → `legacy`, 4.x → `v4`. */
  style?: EnvelopeStyle;
  /** Text field of `gw_err_resp`; some APIs say `err_message` (Hanson `Api.php`). */
  gwErrorText?: "err_msg" | "err_message";
  /** Text field of `error_response`; some APIs say `message` (Hanson/youzan-sdk #10). */
  errorText?: "msg" | "message";
}

/** What a broken transport answers instead of an envelope (spec §6.4.3). */
export type BrokenResponse = "http500" | "http502" | "http503" | "empty" | "nonJson";

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
  /** Envelope settings keyed `api` or `api/version` (catalogue.ts); replaced as a whole. */
  envelopes: Record<string, EnvelopeOverride>;
  /** The caller's IP is not in the app's allow-list: every gateway call answers 4007. */
  ipBlocked: boolean;
  /** APIs (`api` or `api/version`) the app holds no permission for: 4204. */
  deniedApis: string[];
  /** A business refusal per API (`api` or `api/version`), answered in that API's envelope. */
  businessErrors: Record<string, { code: number; message: string }>;
  /** The next N gateway calls get `brokenResponse` instead of an answer (decremented atomically). */
  brokenNextCalls: number;
  brokenResponse: BrokenResponse;
  /** Token and gateway requests over `http:` are answered 301 to `https:`, as the live edge does. */
  httpRedirect: boolean;
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
  /**
   * Keeps the push delivery that pay()/scan() start alive after the caller has its answer
   * (route handlers pass Next's `after()`, tests a collector they drain). It receives a function,
   * so nothing starts unless somebody keeps it alive. Without it, pushes wait for tick().
   */
  background?: Background;
  /** The real-time wait of the `slowMs` fault; tests inject one that records instead of waiting. */
  sleep?: (ms: number) => Promise<void>;
  /** Push delivery timeout; Youzan's is 5 s (retry.ts PUSH_TIMEOUT_MS). */
  pushTimeoutMs?: number;
}

export type Background = (task: () => Promise<unknown>) => void;

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

export interface HeartbeatResult {
  /** HTTP 200 with `success` in the body, as for any push. */
  delivered: boolean;
  /** `HTTP <status>: <body snippet>`, a timeout or a network error. */
  result: string;
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
  /** Sends a `{"test":true}` heartbeat to the push URL now (not retried, listed in stats). */
  heartbeat(): Promise<HeartbeatResult>;
  revokeTokens(): Promise<void>;
  /** Closes expired trades (close pushes) and delivers every push due now on the clock. */
  tick(): Promise<TickResult>;
  stats(): Promise<SandboxStats>;
  /** Empties every Youzan sandbox table (not the shared clock). */
  reset(): Promise<void>;
}
