import "server-only";
import { z } from "zod";
import { isApiKey } from "./catalogue";
import { SandboxError } from "./errors";
import type { YouzanFaults } from "./types";

/** Defaults follow the spec's "sandbox default" wherever sources disagree. */
export const DEFAULT_FAULTS: YouzanFaults = {
  pushLost: false,
  pushDuplicates: 0,
  pushOutOfOrder: false,
  tradeVisibleAfterSeconds: 0,
  tokenExpiredEarly: false,
  rateLimitNextCalls: 0,
  slowMs: 0,
  subscription: "v3",
  pushStatusStyle: "TRADE_PAID",
  msgEncoding: "form",
  envelopes: {},
  ipBlocked: false,
  deniedApis: [],
  businessErrors: {},
  brokenNextCalls: 0,
  brokenResponse: "http503",
  httpRedirect: false,
};

/** `api` or `api/version` of an implemented API; anything else would silently match nothing. */
const apiKey = z.string().refine(isApiKey, {
  error: (issue) => `${JSON.stringify(issue.input)} is not an implemented api or api/version`,
});

const envelopeOverride = z.strictObject({
  style: z.enum(["legacy", "v4"]).optional(),
  gwErrorText: z.enum(["err_msg", "err_message"]).optional(),
  errorText: z.enum(["msg", "message"]).optional(),
});

const businessError = z.strictObject({
  // Not 200: that is the success code of the 4.x envelope.
  code: z
    .number()
    .int()
    .min(1)
    .max(2_147_483_647)
    .refine((code) => code !== 200, "200 is the success code"),
  message: z.string().min(1).max(200),
});

const faultsShape = {
  pushLost: z.boolean(),
  pushDuplicates: z.number().int().min(0).max(20),
  pushOutOfOrder: z.boolean(),
  tradeVisibleAfterSeconds: z
    .number()
    .min(0)
    .max(7 * 24 * 60 * 60),
  tokenExpiredEarly: z.boolean(),
  rateLimitNextCalls: z.number().int().min(0).max(1_000_000),
  slowMs: z.number().int().min(0).max(120_000),
  subscription: z.enum(["v3", "v2", "both"]),
  pushStatusStyle: z.enum(["TRADE_PAID", "PAID"]),
  msgEncoding: z.enum(["form", "uri"]),
  envelopes: z.record(apiKey, envelopeOverride),
  ipBlocked: z.boolean(),
  deniedApis: z.array(apiKey).max(50),
  businessErrors: z.record(apiKey, businessError),
  brokenNextCalls: z.number().int().min(0).max(1_000_000),
  brokenResponse: z.enum(["http500", "http502", "http503", "empty", "nonJson"]),
  httpRedirect: z.boolean(),
} satisfies Record<keyof YouzanFaults, z.ZodType>;

export const faultsPatchSchema = z.strictObject(faultsShape).partial();

/** Validates a patch from the outside world: unknown keys or wrong types → SandboxError 400. */
export function parseFaultsPatch(patch: unknown): Partial<YouzanFaults> {
  const parsed = faultsPatchSchema.safeParse(patch);
  if (!parsed.success) {
    const reasons = parsed.error.issues.map((issue) => {
      const where = issue.path.length > 0 ? issue.path.join(".") : "faults";
      return `${where}: ${issue.message}`;
    });
    throw new SandboxError(400, `invalid faults: ${reasons.join("; ")}`);
  }
  return parsed.data;
}

/** Reads the stored JSON tolerantly: a missing or damaged knob falls back to its default. */
export function faultsFromStored(stored: unknown): YouzanFaults {
  const faults: YouzanFaults = { ...DEFAULT_FAULTS };
  if (typeof stored !== "object" || stored === null) return faults;
  const record = stored as Record<string, unknown>;
  for (const key of Object.keys(faultsShape) as (keyof YouzanFaults)[]) {
    const parsed = faultsShape[key].safeParse(record[key]);
    if (parsed.success) Object.assign(faults, { [key]: parsed.data });
  }
  return faults;
}
