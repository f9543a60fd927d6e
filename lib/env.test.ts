import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EnvError, resolveEnv, SANDBOX_ADMIN, SANDBOX_YOUZAN_APP, type Env } from "@/lib/env";

type Raw = Record<string, string | undefined>;

/** A fake secret store that records which secrets were asked for. */
function fakeSecrets() {
  const asked: string[] = [];
  return {
    asked,
    loadOrCreateSecret: (name: string) => {
      asked.push(name);
      return `generated-${name}`;
    },
  };
}

function resolve(raw: Raw): Env {
  return resolveEnv(raw, { loadOrCreateSecret: fakeSecrets().loadOrCreateSecret });
}

/** The EnvError thrown by `fn`, failing the test if it returns or throws something else. */
function envErrorOf(fn: () => unknown): EnvError {
  try {
    fn();
  } catch (error) {
    if (error instanceof EnvError) return error;
    throw error;
  }
  return expect.fail("expected an EnvError");
}

/** Real RSA-2048 keys: live mode checks that they parse. */
const APP_KEYS = generateKeyPairSync("rsa", { modulusLength: 2048 });
const ALIPAY_KEYS = generateKeyPairSync("rsa", { modulusLength: 2048 });
const APP_PRIVATE_PEM = APP_KEYS.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const ALIPAY_PUBLIC_PEM = ALIPAY_KEYS.publicKey.export({ type: "spki", format: "pem" }).toString();

const LIVE: Raw = {
  PAYMENTS_MODE: "live",
  NODE_ENV: "production",
  AUTH_SECRET: "a".repeat(32),
  CRON_SECRET: "c".repeat(16),
  DATABASE_URL: "postgres://shop:pw@db.example.com:5432/xiaopu",
  APP_URL: "https://shop.example.com",
  ADMIN_EMAIL: "Owner@Example.com",
  ADMIN_PASSWORD: "correct horse battery",
  YOUZAN_CLIENT_ID: "yz-client",
  YOUZAN_CLIENT_SECRET: "yz-secret",
  YOUZAN_KDT_ID: "123456",
  ALIPAY_APP_ID: "2021000000000000",
  ALIPAY_PRIVATE_KEY: APP_PRIVATE_PEM,
  ALIPAY_PUBLIC_KEY: ALIPAY_PUBLIC_PEM,
};

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
];

describe("resolveEnv with nothing set", () => {
  it("runs the sandbox on PGlite with the documented defaults", () => {
    const secrets = fakeSecrets();
    const env = resolveEnv({}, { loadOrCreateSecret: secrets.loadOrCreateSecret });
    expect(env.paymentsMode).toBe("sandbox");
    expect(env.isSandbox).toBe(true);
    expect(env.nodeEnv).toBe("development");
    expect(env.port).toBe(3000);
    expect(env.appUrl).toBe("http://localhost:3000");
    expect(env.database).toEqual({ kind: "pglite", dir: path.join(".data", "pglite") });
    expect(env.authSecret).toBe("generated-auth-secret");
    expect(env.cronSecret).toBe("generated-cron-secret");
    expect(secrets.asked.sort()).toEqual(["auth-secret", "cron-secret"]);
    expect(env.admin).toEqual({
      email: SANDBOX_ADMIN.email,
      password: SANDBOX_ADMIN.password,
      isSandboxDefault: true,
    });
    expect(env.logLevel).toBe("info");
    expect(env.signin).toEqual({ maxFailures: 5, windowMinutes: 15 });
    // Sandbox mode talks to its own Youzan sandbox, mounted inside the app.
    expect(env.youzan).toEqual({
      baseUrl: "http://localhost:3000/sandbox/youzan",
      clientId: SANDBOX_YOUZAN_APP.clientId,
      clientSecret: SANDBOX_YOUZAN_APP.clientSecret,
      kdtId: SANDBOX_YOUZAN_APP.kdtId,
    });
    expect(env.orderTtlMinutes).toBe(15);
    expect(env.alipay).toEqual({
      gatewayUrl: undefined,
      appId: undefined,
      privateKey: undefined,
      publicKey: undefined,
      sellerId: undefined,
      productCode: "GENERAL_WITHHOLDING",
      singleCapFen: 10000,
    });
  });

  it("points the Youzan sandbox at APP_URL and bounds ORDER_TTL_MINUTES below Youzan's 30", () => {
    const env = resolve({ APP_URL: "https://demo.example.com/", ORDER_TTL_MINUTES: "10" });
    expect(env.youzan.baseUrl).toBe("https://demo.example.com/sandbox/youzan");
    expect(env.orderTtlMinutes).toBe(10);
    expect(envErrorOf(() => resolve({ ORDER_TTL_MINUTES: "30" })).problems[0]).toMatch(
      /^ORDER_TTL_MINUTES/,
    );
  });

  it("derives the default APP_URL from PORT", () => {
    const env = resolve({ PORT: "4123" });
    expect(env.port).toBe(4123);
    expect(env.appUrl).toBe("http://localhost:4123");
  });

  it("prefers an explicit APP_URL over the PORT default", () => {
    expect(resolve({ PORT: "4123", APP_URL: "https://shop.test" }).appUrl).toBe(
      "https://shop.test",
    );
  });

  it("puts PGlite under the dataDir option and honours PGLITE_DIR", () => {
    const options = { dataDir: "/var/xiaopu", loadOrCreateSecret: () => "s" };
    expect(resolveEnv({}, options).database).toEqual({
      kind: "pglite",
      dir: path.join("/var/xiaopu", "pglite"),
    });
    expect(resolveEnv({ PGLITE_DIR: "/tmp/pg" }, options).database).toEqual({
      kind: "pglite",
      dir: "/tmp/pg",
    });
  });

  it("uses postgres when DATABASE_URL is set, with a pool of 10 connections by default", () => {
    for (const url of ["postgres://u@h/db", "postgresql://u:p@h:5433/db?sslmode=require"]) {
      expect(resolve({ DATABASE_URL: url }).database).toEqual({
        kind: "postgres",
        url,
        poolMax: 10,
        migrationUrl: url,
        prepare: true,
      });
    }
  });

  it.each([
    ["1", 1],
    ["25", 25],
    ["100", 100],
    [" 7 ", 7],
    ["", 10],
  ])("DATABASE_POOL_MAX=%j gives a pool of %d", (value, poolMax) => {
    const env = resolve({ DATABASE_URL: "postgres://u@h/db", DATABASE_POOL_MAX: value });
    expect(env.database).toMatchObject({ kind: "postgres", poolMax });
  });

  it.each([
    ["", true],
    ["true", true],
    ["false", false],
  ])("DATABASE_PREPARE=%j: prepared statements %s", (value, prepare) => {
    const env = resolve({ DATABASE_URL: "postgres://u@h/db", DATABASE_PREPARE: value });
    expect(env.database).toMatchObject({ kind: "postgres", prepare });
  });

  it("migrates through DATABASE_DIRECT_URL when set (a pooler cannot hold the migration lock)", () => {
    const env = resolve({
      DATABASE_URL: "postgres://u@pooler.example.com:6543/db",
      DATABASE_DIRECT_URL: "postgres://u@db.example.com:5432/db",
    });
    expect(env.database).toEqual({
      kind: "postgres",
      url: "postgres://u@pooler.example.com:6543/db",
      poolMax: 10,
      migrationUrl: "postgres://u@db.example.com:5432/db",
      prepare: true,
    });
  });

  it("refuses DATABASE_DIRECT_URL without DATABASE_URL", () => {
    expect(
      envErrorOf(() => resolve({ DATABASE_DIRECT_URL: "postgres://u@h/db" })).problems,
    ).toEqual(["DATABASE_DIRECT_URL: set DATABASE_URL too (the server's connection)"]);
    const invalid = envErrorOf(() =>
      resolve({ DATABASE_URL: "postgres://u@h/db", DATABASE_DIRECT_URL: "mysql://u@h/db" }),
    );
    expect(invalid.problems).toEqual([
      "DATABASE_DIRECT_URL: must be a postgres:// or postgresql:// URL",
    ]);
  });

  it("defaults the log level to warn under NODE_ENV=test", () => {
    expect(resolve({ NODE_ENV: "test" }).logLevel).toBe("warn");
    expect(resolve({ NODE_ENV: "production" }).logLevel).toBe("info");
    expect(resolve({ NODE_ENV: "test", LOG_LEVEL: "debug" }).logLevel).toBe("debug");
  });
});

describe("empty strings count as missing", () => {
  it("treats empty and blank values like unset ones", () => {
    const secrets = fakeSecrets();
    const env = resolveEnv(
      {
        PAYMENTS_MODE: "",
        PORT: "",
        APP_URL: "  ",
        DATABASE_URL: "",
        AUTH_SECRET: "",
        CRON_SECRET: " ",
        ADMIN_EMAIL: "",
        ADMIN_PASSWORD: "",
        LOG_LEVEL: "",
        NODE_ENV: "",
        YOUZAN_KDT_ID: "",
        SIGNIN_MAX_FAILURES: "",
      },
      { loadOrCreateSecret: secrets.loadOrCreateSecret },
    );
    expect(env.paymentsMode).toBe("sandbox");
    expect(env.port).toBe(3000);
    expect(env.appUrl).toBe("http://localhost:3000");
    expect(env.database.kind).toBe("pglite");
    expect(env.authSecret).toBe("generated-auth-secret");
    expect(env.cronSecret).toBe("generated-cron-secret");
    expect(env.admin.isSandboxDefault).toBe(true);
    expect(env.youzan.kdtId).toBe(SANDBOX_YOUZAN_APP.kdtId);
    expect(env.signin.maxFailures).toBe(5);
  });

  it("reports an empty required variable as missing in live mode", () => {
    const error = envErrorOf(() => resolve({ ...LIVE, AUTH_SECRET: "", YOUZAN_KDT_ID: "   " }));
    expect(error.problems).toHaveLength(2);
    expect(error.problems[0]).toMatch(/^AUTH_SECRET is required/);
    expect(error.problems[1]).toMatch(/^YOUZAN_KDT_ID is required/);
  });
});

describe("live mode", () => {
  it("with nothing else set names every missing variable", () => {
    const error = envErrorOf(() => resolve({ PAYMENTS_MODE: "live" }));
    expect(error.name).toBe("EnvError");
    expect(error.problems).toHaveLength(LIVE_REQUIRED.length);
    for (const name of LIVE_REQUIRED) {
      const problem = error.problems.find((p) => p.startsWith(`${name} `));
      expect(problem, name).toBeDefined();
      expect(problem).toContain("PAYMENTS_MODE=live");
      expect(error.message).toContain(name);
    }
  });

  it("names only the one variable that is missing", () => {
    for (const name of LIVE_REQUIRED) {
      const error = envErrorOf(() => resolve({ ...LIVE, [name]: undefined }));
      expect(error.problems).toEqual([`${name} is required when PAYMENTS_MODE=live`]);
    }
  });

  it("reports missing and invalid variables together", () => {
    const error = envErrorOf(() =>
      resolve({ ...LIVE, AUTH_SECRET: "short", YOUZAN_KDT_ID: undefined, PORT: "abc" }),
    );
    const names = error.problems.map((p) => p.split(/[: ]/)[0]).sort();
    expect(names).toEqual(["AUTH_SECRET", "PORT", "YOUZAN_KDT_ID"]);
  });

  it("refuses the sandbox admin defaults", () => {
    const email = envErrorOf(() =>
      resolve({ ...LIVE, ADMIN_EMAIL: SANDBOX_ADMIN.email.toUpperCase() }),
    );
    expect(email.problems).toEqual([
      "ADMIN_EMAIL: the sandbox default is not allowed when PAYMENTS_MODE=live",
    ]);
    const password = envErrorOf(() => resolve({ ...LIVE, ADMIN_PASSWORD: SANDBOX_ADMIN.password }));
    expect(password.problems).toEqual([
      "ADMIN_PASSWORD: the sandbox default is not allowed when PAYMENTS_MODE=live",
    ]);
  });

  it("succeeds with everything set and never generates secrets", () => {
    const secrets = fakeSecrets();
    const env = resolveEnv(LIVE, { loadOrCreateSecret: secrets.loadOrCreateSecret });
    expect(secrets.asked).toEqual([]);
    expect(env.paymentsMode).toBe("live");
    expect(env.isSandbox).toBe(false);
    expect(env.nodeEnv).toBe("production");
    expect(env.appUrl).toBe("https://shop.example.com");
    expect(env.database).toEqual({
      kind: "postgres",
      url: LIVE.DATABASE_URL,
      poolMax: 10,
      migrationUrl: LIVE.DATABASE_URL,
      prepare: true,
    });
    expect(env.authSecret).toBe("a".repeat(32));
    expect(env.cronSecret).toBe("c".repeat(16));
    expect(env.admin).toEqual({
      email: "owner@example.com",
      password: "correct horse battery",
      isSandboxDefault: false,
    });
    expect(env.youzan).toEqual({
      baseUrl: "https://open.youzanyun.com",
      clientId: "yz-client",
      clientSecret: "yz-secret",
      kdtId: "123456",
    });
    expect(env.alipay).toEqual({
      gatewayUrl: undefined,
      appId: "2021000000000000",
      privateKey: APP_PRIVATE_PEM,
      publicKey: ALIPAY_PUBLIC_PEM,
      sellerId: undefined,
      productCode: "GENERAL_WITHHOLDING",
      singleCapFen: 10000,
    });
  });

  it.each([
    ["PKCS#1 PEM", APP_KEYS.privateKey.export({ type: "pkcs1", format: "pem" }).toString()],
    [
      "PKCS#8 bare base64",
      APP_KEYS.privateKey.export({ type: "pkcs8", format: "der" }).toString("base64"),
    ],
    [
      "PKCS#1 bare base64",
      APP_KEYS.privateKey.export({ type: "pkcs1", format: "der" }).toString("base64"),
    ],
    ["PKCS#8 PEM on one line with \\n escapes", APP_PRIVATE_PEM.trim().replaceAll("\n", "\\n")],
  ])("accepts an Alipay private key as %s", (_form, key) => {
    expect(resolve({ ...LIVE, ALIPAY_PRIVATE_KEY: key }).alipay.privateKey).toBe(key);
  });

  it("accepts Alipay's public key as bare base64 or PKCS#1", () => {
    for (const key of [
      ALIPAY_KEYS.publicKey.export({ type: "spki", format: "der" }).toString("base64"),
      ALIPAY_KEYS.publicKey.export({ type: "pkcs1", format: "pem" }).toString(),
    ]) {
      expect(resolve({ ...LIVE, ALIPAY_PUBLIC_KEY: key }).alipay.publicKey).toBe(key);
    }
  });

  it("names Alipay keys that do not parse", () => {
    const error = envErrorOf(() =>
      resolve({
        ...LIVE,
        ALIPAY_PRIVATE_KEY: "-----BEGIN PRIVATE KEY-----",
        ALIPAY_PUBLIC_KEY: APP_PRIVATE_PEM,
      }),
    );
    expect(error.problems).toEqual([
      "ALIPAY_PRIVATE_KEY does not parse as an RSA private key (2048-bit or more; PKCS#1 or PKCS#8, PEM or bare base64)",
      "ALIPAY_PUBLIC_KEY does not parse as an RSA public key (2048-bit or more; PEM or bare base64)",
    ]);
  });

  it("refuses the app's own public key in place of Alipay's", () => {
    const own = APP_KEYS.publicKey.export({ type: "spki", format: "pem" }).toString();
    const error = envErrorOf(() => resolve({ ...LIVE, ALIPAY_PUBLIC_KEY: own }));
    expect(error.problems).toEqual([
      expect.stringMatching(/^ALIPAY_PUBLIC_KEY is the public half of ALIPAY_PRIVATE_KEY/),
    ]);
  });

  it("does not check Alipay keys in sandbox mode (the sandbox has its own)", () => {
    expect(resolve({ ALIPAY_PRIVATE_KEY: "junk" }).alipay.privateKey).toBe("junk");
  });

  it("reads the Alipay seller, product code and single cap", () => {
    const env = resolve({
      ...LIVE,
      ALIPAY_SELLER_ID: "2088123456789012",
      ALIPAY_PRODUCT_CODE: "CYCLE_PAY_AUTH",
      ALIPAY_SINGLE_CAP_FEN: "5000",
    });
    expect(env.alipay).toMatchObject({
      sellerId: "2088123456789012",
      productCode: "CYCLE_PAY_AUTH",
      singleCapFen: 5000,
    });
  });

  it("billing defaults, settings and the kill switch; alerts to the log unless a robot is set", () => {
    expect(resolve({})).toMatchObject({
      billing: {
        enabled: true,
        earlyDays: 5,
        maxAttempts: 3,
        concurrency: 8,
        batchSize: 100,
        timeBudgetMs: 50_000,
      },
      alerts: { dingTalkWebhook: null, dingTalkSecret: null },
    });
    const env = resolve({
      BILLING_ENABLED: "false",
      BILLING_EARLY_DAYS: "3",
      BILLING_MAX_ATTEMPTS: "5",
      BILLING_CONCURRENCY: "16",
      BILLING_BATCH_SIZE: "200",
      BILLING_TIME_BUDGET_MS: "20000",
      ALERT_DINGTALK_WEBHOOK: "https://oapi.dingtalk.com/robot/send?access_token=abc",
      ALERT_DINGTALK_SECRET: "SECxyz",
    });
    expect(env.billing).toEqual({
      enabled: false,
      earlyDays: 3,
      maxAttempts: 5,
      concurrency: 16,
      batchSize: 200,
      timeBudgetMs: 20_000,
    });
    expect(env.alerts).toEqual({
      dingTalkWebhook: "https://oapi.dingtalk.com/robot/send?access_token=abc",
      dingTalkSecret: "SECxyz",
    });
  });

  it("keeps provider base URLs without their trailing slash", () => {
    const env = resolve({
      ...LIVE,
      YOUZAN_BASE_URL: "https://open.youzanyun.com/",
      ALIPAY_GATEWAY_URL: "https://openapi.alipay.com/gateway.do",
    });
    expect(env.youzan.baseUrl).toBe("https://open.youzanyun.com");
    expect(env.alipay.gatewayUrl).toBe("https://openapi.alipay.com/gateway.do");
  });
});

describe("invalid values", () => {
  it.each([
    ["APP_URL", "not a url"],
    ["APP_URL", "ftp://shop.example.com"],
    ["APP_URL", "javascript:alert(1)"],
    ["YOUZAN_BASE_URL", "open.youzanyun.com"],
    ["ALIPAY_GATEWAY_URL", "file:///etc/passwd"],
    ["AUTH_SECRET", "x".repeat(31)],
    ["CRON_SECRET", "x".repeat(15)],
    ["ADMIN_PASSWORD", "1234567"],
    ["ADMIN_EMAIL", "not-an-email"],
    ["PORT", "abc"],
    ["PORT", "0"],
    ["PORT", "65536"],
    ["PORT", "80.5"],
    ["DATABASE_URL", "mysql://u:p@h/db"],
    ["DATABASE_URL", "db.example.com:5432"],
    ["PAYMENTS_MODE", "production"],
    ["NODE_ENV", "staging"],
    ["LOG_LEVEL", "verbose"],
    ["YOUZAN_KDT_ID", "shop-1"],
    ["SIGNIN_MAX_FAILURES", "0"],
    ["SIGNIN_WINDOW_MINUTES", "1441"],
    ["DATABASE_POOL_MAX", "0"],
    ["DATABASE_POOL_MAX", "101"],
    ["DATABASE_POOL_MAX", "2.5"],
    ["DATABASE_POOL_MAX", "ten"],
    ["DATABASE_PREPARE", "yes"],
    ["ALIPAY_SELLER_ID", "2088123"],
    ["ALIPAY_SELLER_ID", "1088123456789012"],
    ["ALIPAY_PRODUCT_CODE", "QUICK_MSECURITY_PAY"],
    ["ALIPAY_SINGLE_CAP_FEN", "0"],
    ["ALIPAY_SINGLE_CAP_FEN", "99.5"],
    ["BILLING_ENABLED", "no"],
    ["BILLING_EARLY_DAYS", "2"],
    ["BILLING_EARLY_DAYS", "6"],
    ["BILLING_MAX_ATTEMPTS", "0"],
    ["BILLING_CONCURRENCY", "65"],
    ["BILLING_BATCH_SIZE", "0"],
    ["BILLING_TIME_BUDGET_MS", "999"],
    ["ALERT_DINGTALK_WEBHOOK", "oapi.dingtalk.com/robot/send"],
  ])("%s=%j is rejected naming the variable", (name, value) => {
    const error = envErrorOf(() => resolve({ [name]: value }));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(new RegExp(`^${name}: `));
    expect(error.message).toContain(name);
  });

  it("names every invalid variable at once", () => {
    const error = envErrorOf(() =>
      resolve({ PORT: "abc", AUTH_SECRET: "short", DATABASE_URL: "mysql://x" }),
    );
    const names = error.problems.map((p) => p.split(":")[0]).sort();
    expect(names).toEqual(["AUTH_SECRET", "DATABASE_URL", "PORT"]);
  });

  it("uses the documented messages", () => {
    expect(envErrorOf(() => resolve({ AUTH_SECRET: "short" })).problems).toEqual([
      "AUTH_SECRET: must be at least 32 characters",
    ]);
    expect(envErrorOf(() => resolve({ DATABASE_URL: "mysql://x" })).problems).toEqual([
      "DATABASE_URL: must be a postgres:// or postgresql:// URL",
    ]);
    expect(envErrorOf(() => resolve({ APP_URL: "ftp://x.example" })).problems).toEqual([
      "APP_URL: must be an http(s) URL",
    ]);
  });

  it("rejects invalid values in live mode too", () => {
    const error = envErrorOf(() => resolve({ ...LIVE, AUTH_SECRET: "too-short" }));
    expect(error.problems).toEqual(["AUTH_SECRET: must be at least 32 characters"]);
  });
});

describe("values that are accepted", () => {
  it("strips trailing slashes from APP_URL", () => {
    expect(resolve({ APP_URL: "https://shop.example.com/" }).appUrl).toBe(
      "https://shop.example.com",
    );
    expect(resolve({ APP_URL: "https://shop.example.com///" }).appUrl).toBe(
      "https://shop.example.com",
    );
    expect(resolve({ APP_URL: "http://localhost:8080/shop/" }).appUrl).toBe(
      "http://localhost:8080/shop",
    );
  });

  it("reads TRUSTED_PROXY_HOPS (default 0, integer 0–10), VERCEL and RATE_LIMIT_SCALE", () => {
    expect(resolve({})).toMatchObject({ trustedProxyHops: 0, onVercel: false });
    expect(resolve({ TRUSTED_PROXY_HOPS: "2", VERCEL: "1" })).toMatchObject({
      trustedProxyHops: 2,
      onVercel: true,
    });
    expect(resolve({}).rateLimitScale).toBe(1);
    expect(resolve({ RATE_LIMIT_SCALE: "50" }).rateLimitScale).toBe(50);
    expect(envErrorOf(() => resolve({ RATE_LIMIT_SCALE: "0" })).problems[0]).toMatch(
      /^RATE_LIMIT_SCALE/,
    );
    for (const bad of ["-1", "1.5", "eleven", "11"]) {
      expect(envErrorOf(() => resolve({ TRUSTED_PROXY_HOPS: bad })).problems[0]).toMatch(
        /^TRUSTED_PROXY_HOPS/,
      );
    }
  });

  it("coerces numeric variables", () => {
    const env = resolve({ PORT: "8080", SIGNIN_MAX_FAILURES: "10", SIGNIN_WINDOW_MINUTES: "60" });
    expect(env.port).toBe(8080);
    expect(env.signin).toEqual({ maxFailures: 10, windowMinutes: 60 });
  });

  it("uses explicit secrets instead of generating them", () => {
    const secrets = fakeSecrets();
    const env = resolveEnv(
      { AUTH_SECRET: "s".repeat(40), CRON_SECRET: "t".repeat(20) },
      { loadOrCreateSecret: secrets.loadOrCreateSecret },
    );
    expect(env.authSecret).toBe("s".repeat(40));
    expect(env.cronSecret).toBe("t".repeat(20));
    expect(secrets.asked).toEqual([]);
  });
});

describe("admin account", () => {
  it("uses the sandbox defaults when nothing is set", () => {
    expect(resolve({}).admin).toEqual({
      email: "admin@xiaopu.local",
      password: "xiaopu-admin",
      isSandboxDefault: true,
    });
  });

  it("is still a sandbox default when only one of email and password is set", () => {
    const onlyEmail = resolve({ ADMIN_EMAIL: "me@example.com" }).admin;
    expect(onlyEmail).toEqual({
      email: "me@example.com",
      password: SANDBOX_ADMIN.password,
      isSandboxDefault: true,
    });
    const onlyPassword = resolve({ ADMIN_PASSWORD: "my-own-password" }).admin;
    expect(onlyPassword).toEqual({
      email: SANDBOX_ADMIN.email,
      password: "my-own-password",
      isSandboxDefault: true,
    });
  });

  it("is not a default when both are set, and the email is lower-cased", () => {
    expect(
      resolve({ ADMIN_EMAIL: "Me@Example.COM", ADMIN_PASSWORD: "my-own-password" }).admin,
    ).toEqual({ email: "me@example.com", password: "my-own-password", isSandboxDefault: false });
  });
});

describe("the default secret-file loader", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function tempDataDir(): string {
    const root = mkdtempSync(path.join(tmpdir(), "xiaopu-env-"));
    dirs.push(root);
    // A directory that does not exist yet: the loader must create it.
    return path.join(root, "nested", ".data");
  }

  it("creates each secret file once and returns the same value afterwards", () => {
    const dataDir = tempDataDir();
    const first = resolveEnv({}, { dataDir });
    const authFile = path.join(dataDir, "auth-secret");
    const cronFile = path.join(dataDir, "cron-secret");
    const stored = readFileSync(authFile, "utf8");

    expect(first.authSecret).toBe(stored.trim());
    expect(first.authSecret.length).toBeGreaterThanOrEqual(32);
    expect(first.authSecret).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(first.cronSecret).toBe(readFileSync(cronFile, "utf8").trim());
    expect(first.cronSecret).not.toBe(first.authSecret);
    expect(statSync(authFile).mode & 0o777).toBe(0o600);
    expect(first.database).toEqual({ kind: "pglite", dir: path.join(dataDir, "pglite") });

    const second = resolveEnv({}, { dataDir });
    expect(second.authSecret).toBe(first.authSecret);
    expect(second.cronSecret).toBe(first.cronSecret);
    expect(readFileSync(authFile, "utf8")).toBe(stored);
  });

  it("reads an existing secret file, trimming a trailing newline", () => {
    const dataDir = tempDataDir();
    resolveEnv({}, { dataDir }); // creates the directory
    writeFileSync(path.join(dataDir, "auth-secret"), "an-operator-provided-secret-value-0123\n");
    expect(resolveEnv({}, { dataDir }).authSecret).toBe("an-operator-provided-secret-value-0123");
  });

  it("refuses an empty or truncated secret file instead of using it", () => {
    const dataDir = tempDataDir();
    resolveEnv({}, { dataDir });
    writeFileSync(path.join(dataDir, "auth-secret"), "");
    expect(envErrorOf(() => resolveEnv({}, { dataDir })).problems[0]).toContain("auth-secret");
    writeFileSync(path.join(dataDir, "auth-secret"), "too-short\n");
    expect(envErrorOf(() => resolveEnv({}, { dataDir })).problems[0]).toContain("no usable secret");
  });

  it("leaves no temporary files behind", () => {
    const dataDir = tempDataDir();
    resolveEnv({}, { dataDir });
    resolveEnv({}, { dataDir });
    expect(readdirSync(dataDir).sort()).toEqual(["auth-secret", "cron-secret"]);
  });

  it("gives different secrets to different data directories", () => {
    const a = resolveEnv({}, { dataDir: tempDataDir() });
    const b = resolveEnv({}, { dataDir: tempDataDir() });
    expect(a.authSecret).not.toBe(b.authSecret);
  });
});

describe("storage of delivered files", () => {
  const BUCKET: Raw = {
    STORAGE_S3_BUCKET: "xiaopu-files",
    STORAGE_S3_ACCESS_KEY_ID: "AKID",
    STORAGE_S3_SECRET_ACCESS_KEY: "s3-secret",
  };

  it("keeps files on the local disk under the data directory unless told otherwise", () => {
    expect(resolve({}).storage).toEqual({ kind: "local", dir: path.join(".data", "files") });
    const options = { dataDir: "/var/xiaopu", loadOrCreateSecret: () => "s".repeat(32) };
    expect(resolveEnv({}, options).storage).toEqual({
      kind: "local",
      dir: path.join("/var/xiaopu", "files"),
    });
    expect(resolveEnv({ STORAGE_LOCAL_DIR: "/srv/xiaopu-files" }, options).storage).toEqual({
      kind: "local",
      dir: "/srv/xiaopu-files",
    });
    // Blank counts as unset, as everywhere.
    expect(resolve({ STORAGE_LOCAL_DIR: " ", STORAGE_S3_BUCKET: "" }).storage.kind).toBe("local");
  });

  it("uses the bucket when one is set with its keys, in us-east-1 and virtual-hosted style by default", () => {
    expect(resolve(BUCKET).storage).toEqual({
      kind: "s3",
      endpoint: null,
      bucket: "xiaopu-files",
      region: "us-east-1",
      accessKeyId: "AKID",
      secretAccessKey: "s3-secret",
      forcePathStyle: false,
    });
    expect(
      resolve({
        ...BUCKET,
        STORAGE_S3_ENDPOINT: "https://oss-cn-hangzhou.aliyuncs.com/",
        STORAGE_S3_REGION: "oss-cn-hangzhou",
        STORAGE_S3_FORCE_PATH_STYLE: "true",
      }).storage,
    ).toMatchObject({
      kind: "s3",
      endpoint: "https://oss-cn-hangzhou.aliyuncs.com",
      region: "oss-cn-hangzhou",
      forcePathStyle: true,
    });
  });

  it("refuses a bucket without its keys, naming each missing variable", () => {
    const problems = envErrorOf(() => resolve({ STORAGE_S3_BUCKET: "xiaopu-files" })).problems;
    expect(problems).toEqual([
      "STORAGE_S3_ACCESS_KEY_ID is required when STORAGE_S3_BUCKET is set",
      "STORAGE_S3_SECRET_ACCESS_KEY is required when STORAGE_S3_BUCKET is set",
    ]);
    const one = envErrorOf(() => resolve({ ...BUCKET, STORAGE_S3_SECRET_ACCESS_KEY: "" })).problems;
    expect(one).toEqual(["STORAGE_S3_SECRET_ACCESS_KEY is required when STORAGE_S3_BUCKET is set"]);
  });

  it("refuses S3 settings without a bucket instead of silently using the local disk", () => {
    const problems = envErrorOf(() =>
      resolve({
        STORAGE_S3_ENDPOINT: "https://cos.ap-shanghai.myqcloud.com",
        STORAGE_S3_ACCESS_KEY_ID: "AKID",
      }),
    ).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^STORAGE_S3_BUCKET: set it too/);
    expect(problems[0]).toContain("STORAGE_S3_ENDPOINT");
    expect(problems[0]).toContain("STORAGE_S3_ACCESS_KEY_ID");
  });

  it("refuses live mode on Vercel without a bucket (its disk does not last), accepts it with one", () => {
    const problems = envErrorOf(() => resolveEnv({ ...LIVE, VERCEL: "1" })).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^STORAGE_S3_BUCKET is required when PAYMENTS_MODE=live on Vercel/);
    expect(resolveEnv({ ...LIVE, VERCEL: "1", ...BUCKET }).storage.kind).toBe("s3");
    // Off Vercel (or VERCEL=0), and the sandbox on Vercel, may keep the local disk.
    expect(resolveEnv(LIVE).storage.kind).toBe("local");
    expect(resolveEnv({ ...LIVE, VERCEL: "0" }).storage.kind).toBe("local");
    expect(resolve({ VERCEL: "1" }).storage.kind).toBe("local");
  });

  it("refuses a malformed bucket name or path-style flag", () => {
    const problems = envErrorOf(() =>
      resolve({ ...BUCKET, STORAGE_S3_BUCKET: "My_Bucket", STORAGE_S3_FORCE_PATH_STYLE: "yes" }),
    ).problems;
    expect(problems.map((p) => p.split(":")[0]).sort()).toEqual([
      "STORAGE_S3_BUCKET",
      "STORAGE_S3_FORCE_PATH_STYLE",
    ]);
  });

  it("reads UPLOAD_MAX_MB as bytes (default 200 MB) and DOWNLOADS_PER_DAY (default 20), bounded", () => {
    const defaults = resolve({});
    expect(defaults.uploadMaxBytes).toBe(200 * 1024 * 1024);
    expect(defaults.downloadsPerDay).toBe(20);
    const set = resolve({ UPLOAD_MAX_MB: "1", DOWNLOADS_PER_DAY: "10000" });
    expect(set.uploadMaxBytes).toBe(1024 * 1024);
    expect(set.downloadsPerDay).toBe(10_000);
    expect(resolve({ UPLOAD_MAX_MB: "5000" }).uploadMaxBytes).toBe(5000 * 1024 * 1024);
    for (const raw of [
      { UPLOAD_MAX_MB: "0" },
      { UPLOAD_MAX_MB: "5001" },
      { UPLOAD_MAX_MB: "1.5" },
      { DOWNLOADS_PER_DAY: "0" },
      { DOWNLOADS_PER_DAY: "10001" },
      { DOWNLOADS_PER_DAY: "many" },
    ]) {
      const [name] = Object.keys(raw);
      expect(envErrorOf(() => resolve(raw)).problems[0], JSON.stringify(raw)).toMatch(
        new RegExp(`^${name}:`),
      );
    }
  });
});

describe("mail (notices)", () => {
  it("sandbox without SMTP_URL: the sandbox mailbox; live without it: held; with it: SMTP", () => {
    expect(resolve({}).mail).toEqual({
      transport: "sandbox",
      smtpUrl: null,
      from: "小铺 <noreply@localhost.local>",
      remindDays: 3,
      ownerEmail: "admin@xiaopu.local",
      sandboxTicker: true,
    });
    const secrets = fakeSecrets();
    const live = resolveEnv(LIVE, { loadOrCreateSecret: secrets.loadOrCreateSecret });
    expect(live.mail).toMatchObject({ transport: "hold", from: "小铺 <noreply@shop.example.com>" });
    const smtp = resolveEnv(
      { ...LIVE, SMTP_URL: "smtps://u:p@smtp.exmail.qq.com:465", MAIL_FROM: "Shop <a@b.cn>" },
      { loadOrCreateSecret: secrets.loadOrCreateSecret },
    );
    expect(smtp.mail).toMatchObject({
      transport: "smtp",
      smtpUrl: "smtps://u:p@smtp.exmail.qq.com:465",
      from: "Shop <a@b.cn>",
    });
    expect(resolve({ NOTICE_REMIND_DAYS: "5" }).mail.remindDays).toBe(5);
  });

  it("ticks in sandbox mode unless SANDBOX_NOTICES_TICKER=false; never in live mode", () => {
    expect(resolve({ SANDBOX_NOTICES_TICKER: "true" }).mail.sandboxTicker).toBe(true);
    expect(resolve({ SANDBOX_NOTICES_TICKER: "false" }).mail.sandboxTicker).toBe(false);
    const secrets = fakeSecrets();
    const live = resolveEnv(
      { ...LIVE, SANDBOX_NOTICES_TICKER: "true" },
      { loadOrCreateSecret: secrets.loadOrCreateSecret },
    );
    expect(live.mail.sandboxTicker).toBe(false);
    expect(envErrorOf(() => resolve({ SANDBOX_NOTICES_TICKER: "off" })).problems).toEqual([
      "SANDBOX_NOTICES_TICKER: must be true or false",
    ]);
  });

  it("refuses an SMTP_URL that is not smtp(s), and reminder days out of 1–14", () => {
    expect(envErrorOf(() => resolve({ SMTP_URL: "http://mail.example.com" })).problems).toEqual([
      "SMTP_URL: must be an smtp:// or smtps:// URL",
    ]);
    expect(envErrorOf(() => resolve({ NOTICE_REMIND_DAYS: "0" })).problems[0]).toContain(
      "NOTICE_REMIND_DAYS",
    );
    expect(envErrorOf(() => resolve({ NOTICE_REMIND_DAYS: "15" })).problems[0]).toContain(
      "NOTICE_REMIND_DAYS",
    );
  });
});
