import "server-only";
import { createPrivateKey, createPublicKey, randomBytes, type KeyObject } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

/**
 * The only reader of process.env. Every variable is validated once; empty strings count as
 * missing. With no variables at all the shop runs in sandbox mode on PGlite. In live mode the
 * provider keys, the database and every secret are required, and start-up stops naming each one
 * that is missing.
 */

const blankToUndefined = (value: unknown) =>
  typeof value === "string" && value.trim() === "" ? undefined : value;

const optional = <T extends z.ZodType>(type: T) => z.preprocess(blankToUndefined, type.optional());

const httpUrl = z
  .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
  .transform((url) => url.replace(/\/+$/, ""));

const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL");

const schema = z.object({
  NODE_ENV: optional(z.enum(["development", "test", "production"])),
  PORT: optional(z.coerce.number().int().min(1).max(65535)),
  // Read by server.mjs before the app loads; validated here too so a bad value is named at start.
  LISTEN_HOST: optional(
    z.string().regex(/^[A-Za-z0-9.:[\]-]{1,253}$/, "must be a host name or address"),
  ),
  // Read by the shell of `npm start` (the server's heap, MB); validated here too.
  SERVER_HEAP_MB: optional(z.coerce.number().int().min(128).max(16_384)),
  // Read by glibc in the node that `npm start` starts (its malloc arenas, default 2); validated
  // here too.
  MALLOC_ARENA_MAX: optional(z.coerce.number().int().min(1).max(64)),
  // Read by server.mjs: whether it answers the status poll itself once Next has loaded the route
  // (lib/http/fast-routes.ts); validated here too.
  SERVER_FAST_PATH: optional(z.enum(["on", "off"], { error: "must be on or off" })),
  APP_URL: optional(httpUrl),
  PAYMENTS_MODE: optional(z.enum(["sandbox", "live"])),
  DATABASE_URL: optional(postgresUrl),
  // Migrations take a session-level advisory lock, which a pooler in transaction mode would hand
  // to whichever server connection it likes: the migrate step may use a direct connection.
  DATABASE_DIRECT_URL: optional(postgresUrl),
  PGLITE_DIR: optional(z.string()),
  // Connections per instance; serverless instances multiply it, so 1 behind a pooler there.
  DATABASE_POOL_MAX: optional(z.coerce.number().int().min(1).max(100)),
  // Named prepared statements (db/client.ts): false behind a pooler that cannot keep them.
  DATABASE_PREPARE: optional(z.enum(["true", "false"], { error: "must be true or false" })),
  AUTH_SECRET: optional(z.string().min(32, "must be at least 32 characters")),
  CRON_SECRET: optional(z.string().min(16, "must be at least 16 characters")),
  ADMIN_EMAIL: optional(z.email({ error: "must be an email address" })),
  ADMIN_PASSWORD: optional(z.string().min(8, "must be at least 8 characters")),
  LOG_LEVEL: optional(z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])),
  SIGNIN_MAX_FAILURES: optional(z.coerce.number().int().min(1).max(1000)),
  SIGNIN_WINDOW_MINUTES: optional(
    z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60),
  ),
  // Youzan closes an unpaid QR trade 30 minutes after the scan: our orders must close before.
  ORDER_TTL_MINUTES: optional(z.coerce.number().int().min(1).max(29)),
  // Reverse proxies in front of the shop that append the client to X-Forwarded-For
  // (lib/http/client-ip.ts, docs/OPERATIONS.md). 0: none, X-Forwarded-For is not read.
  TRUSTED_PROXY_HOPS: optional(z.coerce.number().int().min(0).max(10)),
  // Multiplies every request limit of lib/rate-limit.ts (sign-up, orders, subscriptions).
  RATE_LIMIT_SCALE: optional(z.coerce.number().int().min(1).max(1000)),
  // Set by Vercel on its deployments ("1"): the client address comes from Vercel's headers.
  VERCEL: optional(z.string()),
  YOUZAN_BASE_URL: optional(httpUrl),
  YOUZAN_CLIENT_ID: optional(z.string()),
  YOUZAN_CLIENT_SECRET: optional(z.string()),
  YOUZAN_KDT_ID: optional(z.string().regex(/^\d+$/, "must be the numeric shop id")),
  ALIPAY_GATEWAY_URL: optional(httpUrl),
  ALIPAY_APP_ID: optional(z.string()),
  ALIPAY_PRIVATE_KEY: optional(z.string()),
  ALIPAY_PUBLIC_KEY: optional(z.string()),
  // The merchant's PID: notifications naming another seller change nothing.
  ALIPAY_SELLER_ID: optional(
    z.string().regex(/^2088\d{12}$/, "must be the merchant's PID: 2088 and 12 more digits"),
  ),
  ALIPAY_PRODUCT_CODE: optional(z.enum(["GENERAL_WITHHOLDING", "CYCLE_PAY_AUTH"])),
  // No plan may charge more than this at once (fen); Alipay's own limit is 100,000,000 yuan.
  ALIPAY_SINGLE_CAP_FEN: optional(z.coerce.number().int().min(1).max(10_000_000_000)),
  // Billing runs (lib/billing): the kill switch and the knobs of every phase.
  BILLING_ENABLED: optional(z.enum(["true", "false"], { error: "must be true or false" })),
  BILLING_EARLY_DAYS: optional(z.coerce.number().int().min(3).max(5)),
  BILLING_MAX_ATTEMPTS: optional(z.coerce.number().int().min(1).max(10)),
  BILLING_CONCURRENCY: optional(z.coerce.number().int().min(1).max(64)),
  BILLING_BATCH_SIZE: optional(z.coerce.number().int().min(1).max(1000)),
  BILLING_TIME_BUDGET_MS: optional(z.coerce.number().int().min(1000).max(900_000)),
  ALERT_DINGTALK_WEBHOOK: optional(httpUrl),
  ALERT_DINGTALK_SECRET: optional(z.string().min(1)),
  // Digital delivery (lib/storage, lib/delivery). Local disk unless the S3 bucket is set.
  STORAGE_LOCAL_DIR: optional(z.string().min(1)),
  STORAGE_S3_ENDPOINT: optional(httpUrl),
  STORAGE_S3_BUCKET: optional(
    z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be a bucket name"),
  ),
  STORAGE_S3_REGION: optional(z.string().min(1)),
  STORAGE_S3_ACCESS_KEY_ID: optional(z.string().min(1)),
  STORAGE_S3_SECRET_ACCESS_KEY: optional(z.string().min(1)),
  // Path-style URLs (MinIO, s3rver); virtual-hosted style otherwise (OSS, COS, R2, AWS).
  STORAGE_S3_FORCE_PATH_STYLE: optional(
    z.enum(["true", "false"], { error: "must be true or false" }),
  ),
  UPLOAD_MAX_MB: optional(z.coerce.number().int().min(1).max(5000)),
  DOWNLOADS_PER_DAY: optional(z.coerce.number().int().min(1).max(10_000)),
  // Notices (lib/notices): SMTP for mail (smtp:// or smtps://, credentials in the URL), the sender.
  SMTP_URL: optional(z.url({ protocol: /^smtps?$/, error: "must be an smtp:// or smtps:// URL" })),
  MAIL_FROM: optional(z.string().min(3).max(200)),
  // Sandbox mode: whether this instance sends due notices every 5 s (default true).
  SANDBOX_NOTICES_TICKER: optional(z.enum(["true", "false"], { error: "must be true or false" })),
  // Days before each renewal charge that the buyer is reminded (1–14, default 3).
  NOTICE_REMIND_DAYS: optional(z.coerce.number().int().min(1).max(14)),
});

type RawEnv = z.infer<typeof schema>;

/** Every variable the shop reads; `.env.example` documents each (checked by a test). */
export const ENV_VARIABLES = Object.keys(schema.shape) as (keyof RawEnv)[];

/** Defaults of sandbox mode: printed at start-up and in the README, never valid in live mode. */
export const SANDBOX_ADMIN = { email: "admin@xiaopu.local", password: "xiaopu-admin" } as const;

/** The app the Youzan sandbox knows, used when no Youzan credentials are set in sandbox mode. */
export const SANDBOX_YOUZAN_APP = {
  clientId: "sandbox-youzan-client",
  clientSecret: "sandbox-youzan-secret",
  kdtId: "10001000",
} as const;

export const LIVE_YOUZAN_BASE_URL = "https://open.youzanyun.com";

const LIVE_REQUIRED = [
  "AUTH_SECRET",
  "CRON_SECRET",
  "DATABASE_URL",
  "APP_URL",
  "ADMIN_EMAIL",
  "ADMIN_PASSWORD",
  "YOUZAN_CLIENT_ID",
  "YOUZAN_CLIENT_SECRET",
  "YOUZAN_KDT_ID",
  "ALIPAY_APP_ID",
  "ALIPAY_PRIVATE_KEY",
  "ALIPAY_PUBLIC_KEY",
] as const satisfies readonly (keyof RawEnv)[];

export interface Env {
  nodeEnv: "development" | "test" | "production";
  port: number;
  appUrl: string;
  paymentsMode: "sandbox" | "live";
  isSandbox: boolean;
  database:
    | {
        kind: "postgres";
        url: string;
        /** Connections per instance (postgres.js pool). */
        poolMax: number;
        /** What `npm run db:migrate` connects to: DATABASE_DIRECT_URL, else DATABASE_URL. */
        migrationUrl: string;
        /** Named prepared statements (DATABASE_PREPARE, default true). */
        prepare: boolean;
      }
    | { kind: "pglite"; dir: string };
  authSecret: string;
  cronSecret: string;
  admin: { email: string; password: string; isSandboxDefault: boolean };
  logLevel: NonNullable<RawEnv["LOG_LEVEL"]>;
  signin: { maxFailures: number; windowMinutes: number };
  orderTtlMinutes: number;
  /** Reverse proxies trusted to append the client to X-Forwarded-For (0: none). */
  trustedProxyHops: number;
  /** Deployed on Vercel: its edge sets `x-vercel-forwarded-for` / `x-real-ip`. */
  onVercel: boolean;
  /** Multiplier of every limit in lib/rate-limit.ts (default 1). */
  rateLimitScale: number;
  /** Resolved: the local sandbox (mounted at APP_URL/sandbox/youzan) or the real gateway. */
  youzan: { baseUrl: string; clientId: string; clientSecret: string; kdtId: string };
  alipay: {
    gatewayUrl?: string;
    appId?: string;
    privateKey?: string;
    publicKey?: string;
    /** The merchant's PID (2088…), when set. */
    sellerId?: string;
    /** `GENERAL_WITHHOLDING` (商家扣款, default) or `CYCLE_PAY_AUTH` (周期扣款). */
    productCode: "GENERAL_WITHHOLDING" | "CYCLE_PAY_AUTH";
    /** `ALIPAY_SINGLE_CAP_FEN` (default 10000 fen = 100 yuan). */
    singleCapFen: number;
  };
  billing: {
    /** `BILLING_ENABLED=false`: every phase answers `{"skipped": "disabled"}`. */
    enabled: boolean;
    /** Alipay's early window in days (3–5, default 5). */
    earlyDays: number;
    /** Attempts per period before it is postponed (default 3). */
    maxAttempts: number;
    /** Alipay calls in flight at once per run (default 8). */
    concurrency: number;
    /** Agreements claimed per batch (default 100). */
    batchSize: number;
    /** A run stops claiming after this long (default 50 s, under Vercel's function limit). */
    timeBudgetMs: number;
  };
  /** Owner alerts: a DingTalk robot when set, else the log. */
  alerts: { dingTalkWebhook: string | null; dingTalkSecret: string | null };
  /** Where delivered files live (lib/storage): local disk, or an S3-compatible bucket. */
  storage:
    | { kind: "local"; dir: string }
    | {
        kind: "s3";
        endpoint: string | null;
        bucket: string;
        region: string;
        accessKeyId: string;
        secretAccessKey: string;
        forcePathStyle: boolean;
      };
  /** Largest file the admin may upload, in bytes (`UPLOAD_MAX_MB`, default 200 MB). */
  uploadMaxBytes: number;
  /** Downloads per buyer, file and day before 429 (`DOWNLOADS_PER_DAY`, default 20). */
  downloadsPerDay: number;
  /**
   * Notices (lib/notices). `transport`: SMTP when `SMTP_URL` is set; else the sandbox mailbox
   * (/sandbox/mail) in sandbox mode; else (live without SMTP) `hold`: notices wait in the outbox.
   */
  mail: {
    transport: "smtp" | "sandbox" | "hold";
    smtpUrl: string | null;
    /** `MAIL_FROM`, default `小铺 <noreply@` + the APP_URL's host + `>`. */
    from: string;
    /** `NOTICE_REMIND_DAYS` (default 3). */
    remindDays: number;
    /** Owner notices go to the admin's address (`ADMIN_EMAIL`). */
    ownerEmail: string;
    /**
     * Sandbox mode: this instance sends due notices every few seconds (lib/jobs/notices-ticker.ts).
     * `SANDBOX_NOTICES_TICKER=false` for an instance that only plays the providers for another
     * (the push bench's Youzan), which must not send that shop's mail.
     */
    sandboxTicker: boolean;
  };
}

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvError";
  }
}

export interface ResolveOptions {
  /** Where generated development secrets are kept (default `.data`). */
  dataDir?: string;
  /** Returns a secret stored under `name`, creating it once. Injected by tests. */
  loadOrCreateSecret?: (name: string) => string;
}

/** Pure apart from `loadOrCreateSecret`: validates `raw` and applies the documented defaults. */
export function resolveEnv(
  raw: Record<string, string | undefined>,
  options: ResolveOptions = {},
): Env {
  const parsed = schema.safeParse(raw);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  if (blankToUndefined(raw.PAYMENTS_MODE) === "live") {
    // Report what is missing together with what is invalid: one restart fixes everything.
    const missing = LIVE_REQUIRED.filter((name) => blankToUndefined(raw[name]) === undefined);
    problems.push(...missing.map((name) => `${name} is required when PAYMENTS_MODE=live`));
    if (raw.ADMIN_EMAIL?.trim().toLowerCase() === SANDBOX_ADMIN.email) {
      problems.push("ADMIN_EMAIL: the sandbox default is not allowed when PAYMENTS_MODE=live");
    }
    if (raw.ADMIN_PASSWORD === SANDBOX_ADMIN.password) {
      problems.push("ADMIN_PASSWORD: the sandbox default is not allowed when PAYMENTS_MODE=live");
    }
    problems.push(...alipayKeyProblems(raw));
  }
  if (blankToUndefined(raw.DATABASE_DIRECT_URL) && !blankToUndefined(raw.DATABASE_URL)) {
    // Without DATABASE_URL the shop runs on PGlite: a direct URL alone is a half-done setup.
    problems.push("DATABASE_DIRECT_URL: set DATABASE_URL too (the server's connection)");
  }
  problems.push(...storageProblems(raw));
  if (!parsed.success || problems.length > 0) throw new EnvError(problems);
  const v = parsed.data;
  const nodeEnv = v.NODE_ENV ?? "development";
  const paymentsMode = v.PAYMENTS_MODE ?? "sandbox";
  const isSandbox = paymentsMode === "sandbox";
  const dataDir = options.dataDir ?? ".data";
  const loadSecret =
    options.loadOrCreateSecret ?? ((name) => loadOrCreateSecretFile(dataDir, name));

  const port = v.PORT ?? 3000;
  return {
    nodeEnv,
    port,
    appUrl: v.APP_URL ?? `http://localhost:${port}`,
    paymentsMode,
    isSandbox,
    database: v.DATABASE_URL
      ? {
          kind: "postgres",
          url: v.DATABASE_URL,
          poolMax: v.DATABASE_POOL_MAX ?? 10,
          migrationUrl: v.DATABASE_DIRECT_URL ?? v.DATABASE_URL,
          prepare: v.DATABASE_PREPARE !== "false",
        }
      : { kind: "pglite", dir: v.PGLITE_DIR ?? path.join(dataDir, "pglite") },
    authSecret: v.AUTH_SECRET ?? loadSecret("auth-secret"),
    cronSecret: v.CRON_SECRET ?? loadSecret("cron-secret"),
    admin: {
      email: (v.ADMIN_EMAIL ?? SANDBOX_ADMIN.email).toLowerCase(),
      password: v.ADMIN_PASSWORD ?? SANDBOX_ADMIN.password,
      isSandboxDefault: v.ADMIN_EMAIL === undefined || v.ADMIN_PASSWORD === undefined,
    },
    logLevel: v.LOG_LEVEL ?? (nodeEnv === "test" ? "warn" : "info"),
    signin: {
      maxFailures: v.SIGNIN_MAX_FAILURES ?? 5,
      windowMinutes: v.SIGNIN_WINDOW_MINUTES ?? 15,
    },
    orderTtlMinutes: v.ORDER_TTL_MINUTES ?? 15,
    trustedProxyHops: v.TRUSTED_PROXY_HOPS ?? 0,
    onVercel: v.VERCEL !== undefined && v.VERCEL !== "0",
    rateLimitScale: v.RATE_LIMIT_SCALE ?? 1,
    youzan: {
      baseUrl:
        v.YOUZAN_BASE_URL ??
        (isSandbox
          ? `${v.APP_URL ?? `http://localhost:${port}`}/sandbox/youzan`
          : LIVE_YOUZAN_BASE_URL),
      clientId: v.YOUZAN_CLIENT_ID ?? SANDBOX_YOUZAN_APP.clientId,
      clientSecret: v.YOUZAN_CLIENT_SECRET ?? SANDBOX_YOUZAN_APP.clientSecret,
      kdtId: v.YOUZAN_KDT_ID ?? SANDBOX_YOUZAN_APP.kdtId,
    },
    alipay: {
      gatewayUrl: v.ALIPAY_GATEWAY_URL,
      appId: v.ALIPAY_APP_ID,
      privateKey: v.ALIPAY_PRIVATE_KEY,
      publicKey: v.ALIPAY_PUBLIC_KEY,
      sellerId: v.ALIPAY_SELLER_ID,
      productCode: v.ALIPAY_PRODUCT_CODE ?? "GENERAL_WITHHOLDING",
      singleCapFen: v.ALIPAY_SINGLE_CAP_FEN ?? DEFAULT_ALIPAY_SINGLE_CAP_FEN,
    },
    billing: {
      enabled: v.BILLING_ENABLED !== "false",
      earlyDays: v.BILLING_EARLY_DAYS ?? 5,
      maxAttempts: v.BILLING_MAX_ATTEMPTS ?? 3,
      concurrency: v.BILLING_CONCURRENCY ?? 8,
      batchSize: v.BILLING_BATCH_SIZE ?? 100,
      timeBudgetMs: v.BILLING_TIME_BUDGET_MS ?? 50_000,
    },
    alerts: {
      dingTalkWebhook: v.ALERT_DINGTALK_WEBHOOK ?? null,
      dingTalkSecret: v.ALERT_DINGTALK_SECRET ?? null,
    },
    storage:
      v.STORAGE_S3_BUCKET !== undefined
        ? {
            kind: "s3",
            endpoint: v.STORAGE_S3_ENDPOINT ?? null,
            bucket: v.STORAGE_S3_BUCKET,
            region: v.STORAGE_S3_REGION ?? "us-east-1",
            accessKeyId: v.STORAGE_S3_ACCESS_KEY_ID ?? "",
            secretAccessKey: v.STORAGE_S3_SECRET_ACCESS_KEY ?? "",
            forcePathStyle: v.STORAGE_S3_FORCE_PATH_STYLE === "true",
          }
        : { kind: "local", dir: v.STORAGE_LOCAL_DIR ?? path.join(dataDir, "files") },
    uploadMaxBytes: (v.UPLOAD_MAX_MB ?? 200) * 1024 * 1024,
    downloadsPerDay: v.DOWNLOADS_PER_DAY ?? 20,
    mail: {
      transport: v.SMTP_URL ? "smtp" : isSandbox ? "sandbox" : "hold",
      smtpUrl: v.SMTP_URL ?? null,
      from: v.MAIL_FROM ?? defaultMailFrom(v.APP_URL ?? `http://localhost:${port}`),
      remindDays: v.NOTICE_REMIND_DAYS ?? 3,
      ownerEmail: (v.ADMIN_EMAIL ?? SANDBOX_ADMIN.email).toLowerCase(),
      sandboxTicker: isSandbox && v.SANDBOX_NOTICES_TICKER !== "false",
    },
  };
}

/** `小铺 <noreply@host>`; a bare `localhost` gets `.local` so the address has a domain part. */
function defaultMailFrom(appUrl: string): string {
  const host = new URL(appUrl).hostname;
  return `小铺 <noreply@${host.includes(".") ? host : `${host}.local`}>`;
}

const STORAGE_S3_PARTS = [
  "STORAGE_S3_ENDPOINT",
  "STORAGE_S3_REGION",
  "STORAGE_S3_ACCESS_KEY_ID",
  "STORAGE_S3_SECRET_ACCESS_KEY",
] as const satisfies readonly (keyof RawEnv)[];

/**
 * A half-configured bucket is refused rather than silently falling back to the local disk (the
 * owner would lose every upload on the next deploy). Live mode on Vercel has no lasting disk:
 * the local driver is refused there, naming the variables to set.
 */
function storageProblems(raw: Record<string, string | undefined>): string[] {
  const set = (name: string) => blankToUndefined(raw[name]) !== undefined;
  const problems: string[] = [];
  if (set("STORAGE_S3_BUCKET")) {
    for (const name of ["STORAGE_S3_ACCESS_KEY_ID", "STORAGE_S3_SECRET_ACCESS_KEY"] as const) {
      if (!set(name)) problems.push(`${name} is required when STORAGE_S3_BUCKET is set`);
    }
  } else {
    const stray = STORAGE_S3_PARTS.filter(set);
    if (stray.length > 0) {
      problems.push(`STORAGE_S3_BUCKET: set it too (${stray.join(", ")} set without a bucket)`);
    }
    const onVercel = set("VERCEL") && raw.VERCEL?.trim() !== "0";
    if (blankToUndefined(raw.PAYMENTS_MODE) === "live" && onVercel) {
      problems.push(
        "STORAGE_S3_BUCKET is required when PAYMENTS_MODE=live on Vercel: its disk does not last, uploaded files would be lost (set the STORAGE_S3_* variables)",
      );
    }
  }
  return problems;
}

export const DEFAULT_ALIPAY_SINGLE_CAP_FEN = 10_000;

/*
 * Live Alipay keys must parse before the shop starts: a bad key would otherwise surface as the
 * first failed charge. The same checks as `validateAlipayKeys` of lib/payments/alipay (which
 * this module cannot import: that face reads this one), kept small: PKCS#1 or PKCS#8 private
 * key and SPKI or PKCS#1 public key, PEM or bare base64, RSA of 2048 bits or more, and not the
 * app's own public key in place of Alipay's.
 */
const KEY_PEM = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;

function keyDer(text: string): { label: string | null; der: Buffer } | null {
  const unescaped = text.trim().replace(/\\r\\n|\\n|\\r/g, "\n");
  const pem = KEY_PEM.exec(unescaped);
  const body = (pem ? (pem[2] ?? "") : unescaped).replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return null;
  return { label: pem ? (pem[1] ?? null) : null, der: Buffer.from(body, "base64") };
}

function rsaKey(make: () => KeyObject): KeyObject | null {
  try {
    const key = make();
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    return key.asymmetricKeyType === "rsa" && bits >= 2048 ? key : null;
  } catch {
    return null;
  }
}

function parsesAs<T extends string>(
  text: string,
  labels: Record<string, T>,
  make: (der: Buffer, type: T) => KeyObject,
): KeyObject | null {
  const parsed = keyDer(text);
  if (!parsed) return null;
  const types = parsed.label === null ? Object.values(labels) : [labels[parsed.label]];
  for (const type of types) {
    if (type === undefined) continue;
    const key = rsaKey(() => make(parsed.der, type));
    if (key) return key;
  }
  return null;
}

function alipayKeyProblems(raw: Record<string, string | undefined>): string[] {
  const privateText = blankToUndefined(raw.ALIPAY_PRIVATE_KEY);
  const publicText = blankToUndefined(raw.ALIPAY_PUBLIC_KEY);
  const problems: string[] = [];
  const privateKey =
    typeof privateText === "string"
      ? parsesAs(privateText, { "PRIVATE KEY": "pkcs8", "RSA PRIVATE KEY": "pkcs1" }, (key, type) =>
          createPrivateKey({ key, format: "der", type }),
        )
      : undefined;
  const publicKey =
    typeof publicText === "string"
      ? parsesAs(publicText, { "PUBLIC KEY": "spki", "RSA PUBLIC KEY": "pkcs1" }, (key, type) =>
          createPublicKey({ key, format: "der", type }),
        )
      : undefined;
  if (privateKey === null) {
    problems.push(
      "ALIPAY_PRIVATE_KEY does not parse as an RSA private key (2048-bit or more; PKCS#1 or PKCS#8, PEM or bare base64)",
    );
  }
  if (publicKey === null) {
    problems.push(
      "ALIPAY_PUBLIC_KEY does not parse as an RSA public key (2048-bit or more; PEM or bare base64)",
    );
  }
  if (privateKey && publicKey) {
    const spki = (key: KeyObject) => key.export({ type: "spki", format: "der" }).toString("base64");
    if (spki(createPublicKey(privateKey)) === spki(publicKey)) {
      problems.push(
        "ALIPAY_PUBLIC_KEY is the public half of ALIPAY_PRIVATE_KEY (the app's own key): set Alipay's public key, shown beside the app's on the open platform",
      );
    }
  }
  return problems;
}

/**
 * Development and sandbox secrets are generated once and kept on disk so that sessions survive
 * restarts and every process of one checkout agrees on them. The secret is written to a private
 * temporary file and hard-linked into place: the link either appears complete or fails with
 * EEXIST, so no process ever reads a half-written secret and the first writer wins.
 */
function loadOrCreateSecretFile(dataDir: string, name: string): string {
  const file = path.join(dataDir, name);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    writeFileSync(temp, randomBytes(32).toString("base64url"), { mode: 0o600 });
    try {
      linkSync(temp, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      rmSync(temp, { force: true });
    }
  }
  const secret = readFileSync(file, "utf8").trim();
  if (secret.length < 32) {
    throw new EnvError([`${file} holds no usable secret: delete it and start again`]);
  }
  return secret;
}

let cached: Env | undefined;

export function getEnv(): Env {
  cached ??= resolveEnv(process.env);
  return cached;
}
