import "server-only";
import { z } from "zod";
import { SandboxError } from "@/lib/sandbox/youzan/errors";

/*
 * Fault knobs (spec §9.13–9.17). Settings apply until changed; an injection applies to the
 * next `count` calls of one method and is used up one call at a time.
 */

export const METHODS = [
  "alipay.trade.pay",
  "alipay.trade.query",
  "alipay.trade.close",
  "alipay.trade.refund",
  "alipay.user.agreement.query",
  "alipay.user.agreement.unsign",
  "alipay.user.agreement.executionplan.modify",
] as const;
export type GatewayMethod = (typeof METHODS)[number];

export const INJECTION_KINDS = [
  /** ACQ.BUYER_BALANCE_NOT_ENOUGH */
  "balance_insufficient",
  /** ACQ.BUYER_BANKCARD_BALANCE_NOT_ENOUGH */
  "bankcard_insufficient",
  /** ACQ.PAYMENT_FAIL */
  "payment_fail",
  /** ACQ.PAYMENT_REQUEST_HAS_RISK */
  "risk",
  /** The user unsigned in the wallet just before this call (`notify`: the unsign notify too). */
  "unsigned",
  /** The agreement is paused (STOP) just before this call. */
  "paused",
  /** 40004 ACQ.SYSTEM_ERROR (`committed`: the call took effect anyway). */
  "system_error",
  /** 20000 isp.unknow-error (`committed` as above). */
  "unknown_error",
  /** The call takes effect, then the answer waits `slowMs` (beyond the client timeout). */
  "slow",
  /** HTTP 502 with an HTML page; nothing happens. */
  "http502",
  /** HTTP 200 with an HTML body; nothing happens. */
  "html",
  /** 40002 isv.invalid-signature, as if the request were signed with another key. */
  "wrong_app_key",
  /** 40002 isv.invalid-app-id. */
  "unknown_app",
  /** 40006 isv.insufficient-isv-permissions (product not signed). */
  "forbidden",
  /** 40005 isv.app-call-limited. */
  "rate_limited",
] as const;
export type InjectionKind = (typeof INJECTION_KINDS)[number];

export interface Injection {
  kind: InjectionKind;
  remaining: number;
  committed: boolean;
  notify: boolean;
}

export interface AlipayFaults {
  /** Days before next_deduct_date a deduction may run (5; older docs say 3). */
  windowDays: number;
  /** 3 immediate notify retries before the 4m… schedule. */
  immediateRetries: boolean;
  /** Pay then sign: the sign notify is sent before the trade notify. */
  signBeforeTrade: boolean;
  /** A delivered notification is sent once more (same notify_id). */
  duplicateAfterSuccess: boolean;
  /** `application/x-www-form-urlencoded; text/html; charset=utf-8`. */
  oddContentType: boolean;
  /** `fund_bill_list` in trade notifies HTML-escaped (`&quot;`), as some captures show. */
  fundBillListQuot: boolean;
  /** Sign notifications over `sign_type` too (生活号 style; default: excluded). */
  notifySignIncludesSignType: boolean;
  /** A new `notify_time` (and signature) on every attempt; false: the first attempt's. */
  refreshNotifyTime: boolean;
  /** Gateway-level errors carry a `sign` too (default: unsigned, like the real gateway). */
  signGatewayErrors: boolean;
  /** Real-time delay of the `slow` injection. */
  slowMs: number;
  /** At most this many agreements per buyer per merchant (NORMAL or STOP). */
  maxAgreementsPerUser: number;
  /** At most this many executionplan.modify per agreement (2020 docs: 10); null = no limit. */
  modifyLimit: number | null;
  /** Per method: the next calls' fault. */
  injections: Partial<Record<GatewayMethod, Injection>>;
}

export const DEFAULT_FAULTS: AlipayFaults = {
  windowDays: 5,
  immediateRetries: true,
  signBeforeTrade: false,
  duplicateAfterSuccess: false,
  oddContentType: false,
  fundBillListQuot: false,
  notifySignIncludesSignType: false,
  refreshNotifyTime: true,
  signGatewayErrors: false,
  slowMs: 6_000,
  maxAgreementsPerUser: 10,
  modifyLimit: null,
  injections: {},
};

const injectionSchema = z.strictObject({
  kind: z.enum(INJECTION_KINDS),
  remaining: z.number().int().min(0).max(1000),
  committed: z.boolean(),
  notify: z.boolean(),
});

const settingsShape = {
  windowDays: z.number().int().min(0).max(30),
  immediateRetries: z.boolean(),
  signBeforeTrade: z.boolean(),
  duplicateAfterSuccess: z.boolean(),
  oddContentType: z.boolean(),
  fundBillListQuot: z.boolean(),
  notifySignIncludesSignType: z.boolean(),
  refreshNotifyTime: z.boolean(),
  signGatewayErrors: z.boolean(),
  slowMs: z.number().int().min(0).max(120_000),
  maxAgreementsPerUser: z.number().int().min(1).max(100),
  modifyLimit: z.number().int().min(1).max(1000).nullable(),
} satisfies Record<Exclude<keyof AlipayFaults, "injections">, z.ZodType>;

/** What POST control/faults accepts: settings, plus `inject` for the next calls of a method. */
export const faultsPatchSchema = z
  .strictObject({
    ...settingsShape,
    inject: z
      .strictObject({
        method: z.enum(METHODS),
        kind: z.enum(INJECTION_KINDS),
        count: z.number().int().min(0).max(1000).default(1),
        committed: z.boolean().default(false),
        notify: z.boolean().default(true),
      })
      .optional(),
    clearInjections: z.boolean().optional(),
  })
  .partial();

export type FaultsPatch = z.infer<typeof faultsPatchSchema>;

export function parseFaultsPatch(patch: unknown): FaultsPatch {
  const parsed = faultsPatchSchema.safeParse(patch);
  if (!parsed.success) {
    const reasons = parsed.error.issues.map(
      (issue) => `${issue.path.length > 0 ? issue.path.join(".") : "faults"}: ${issue.message}`,
    );
    throw new SandboxError(400, `invalid faults: ${reasons.join("; ")}`);
  }
  return parsed.data;
}

/** Applies a validated patch to the current knobs. */
export function applyPatch(current: AlipayFaults, patch: FaultsPatch): AlipayFaults {
  const { inject, clearInjections, ...settings } = patch;
  const next: AlipayFaults = {
    ...current,
    ...settings,
    injections: clearInjections ? {} : { ...current.injections },
  };
  if (inject) {
    next.injections[inject.method] = {
      kind: inject.kind,
      remaining: inject.count,
      committed: inject.committed,
      notify: inject.notify,
    };
  }
  return next;
}

/** Reads the stored JSON tolerantly: a damaged knob falls back to its default. */
export function faultsFromStored(stored: unknown): AlipayFaults {
  const faults: AlipayFaults = { ...DEFAULT_FAULTS, injections: {} };
  if (typeof stored !== "object" || stored === null) return faults;
  const record = stored as Record<string, unknown>;
  for (const key of Object.keys(settingsShape) as (keyof typeof settingsShape)[]) {
    const parsed = settingsShape[key].safeParse(record[key]);
    if (parsed.success) Object.assign(faults, { [key]: parsed.data });
  }
  const injections = record.injections;
  if (typeof injections === "object" && injections !== null) {
    for (const method of METHODS) {
      const parsed = injectionSchema.safeParse((injections as Record<string, unknown>)[method]);
      if (parsed.success && parsed.data.remaining > 0) faults.injections[method] = parsed.data;
    }
  }
  return faults;
}
