import path from "node:path";
import { describe, expect, it } from "vitest";
import { EnvError, resolveEnv } from "./env";
import { MigrationsBehindError } from "@/db/errors";
import {
  configOrExit,
  mailSummary,
  openDatabaseOrExit,
  storageSummary,
  type StartupIo,
} from "./startup";

class Exited extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

function fakeIo() {
  const lines: string[] = [];
  const io: StartupIo = {
    error: (message) => void lines.push(message),
    exit: (code) => {
      throw new Exited(code);
    },
  };
  return { io, lines };
}

describe("configOrExit", () => {
  it("returns the configuration when it is valid", () => {
    const { io, lines } = fakeIo();
    const env = configOrExit(
      () => resolveEnv({}, { loadOrCreateSecret: () => "s".repeat(32) }),
      io,
    );
    expect(env.isSandbox).toBe(true);
    expect(lines).toEqual([]);
  });

  it("exits with 1 and names every problem of an invalid live configuration", () => {
    const { io, lines } = fakeIo();
    let exited: unknown;
    try {
      configOrExit(() => resolveEnv({ PAYMENTS_MODE: "live", PORT: "nope" }), io);
    } catch (error) {
      exited = error;
    }
    expect(exited).toBeInstanceOf(Exited);
    expect((exited as Exited).code).toBe(1);
    expect(lines).toHaveLength(1);
    for (const name of ["PORT", "AUTH_SECRET", "DATABASE_URL", "YOUZAN_CLIENT_ID", "APP_URL"]) {
      expect(lines[0]).toContain(name);
    }
  });

  it("exits on an error from another bundle's EnvError (by shape) and on any other error", () => {
    const { io, lines } = fakeIo();
    const foreign = Object.assign(new Error("x"), { problems: ["CRON_SECRET: too short"] });
    expect(() =>
      configOrExit(() => {
        throw foreign;
      }, io),
    ).toThrow(Exited);
    expect(() =>
      configOrExit(() => {
        throw new EnvError(["a"]);
      }, io),
    ).toThrow(Exited);
    expect(() =>
      configOrExit(() => {
        throw new Error("disk full");
      }, io),
    ).toThrow(Exited);
    expect(lines[0]).toContain("CRON_SECRET: too short");
    expect(lines[2]).toContain("disk full");
  });
});

describe("storageSummary", () => {
  const resolve = (raw: Record<string, string>) =>
    resolveEnv(raw, { loadOrCreateSecret: () => "s".repeat(32) });

  it("names the local directory, absolute", () => {
    expect(storageSummary(resolve({ STORAGE_LOCAL_DIR: "/srv/xiaopu/files" }).storage)).toBe(
      "files: local disk at /srv/xiaopu/files",
    );
    expect(storageSummary(resolve({}).storage)).toBe(
      `files: local disk at ${path.resolve(".data", "files")}`,
    );
  });

  it("names the endpoint and bucket of S3, never the keys", () => {
    const line = storageSummary(
      resolve({
        STORAGE_S3_BUCKET: "xiaopu-files",
        STORAGE_S3_ENDPOINT: "https://user:hunter2@oss-cn-hangzhou.aliyuncs.com",
        STORAGE_S3_REGION: "oss-cn-hangzhou",
        STORAGE_S3_ACCESS_KEY_ID: "LTAI5tAccessKeyId",
        STORAGE_S3_SECRET_ACCESS_KEY: "very-secret-access-key",
        STORAGE_S3_FORCE_PATH_STYLE: "true",
      }).storage,
    );
    expect(line).toBe(
      "files: S3 bucket xiaopu-files at https://oss-cn-hangzhou.aliyuncs.com (region oss-cn-hangzhou, path-style)",
    );
    for (const secret of ["LTAI5tAccessKeyId", "very-secret-access-key", "hunter2", "user"]) {
      expect(line).not.toContain(secret);
    }
    expect(
      storageSummary(
        resolve({
          STORAGE_S3_BUCKET: "xiaopu-files",
          STORAGE_S3_ACCESS_KEY_ID: "a",
          STORAGE_S3_SECRET_ACCESS_KEY: "b",
        }).storage,
      ),
    ).toBe("files: S3 bucket xiaopu-files at AWS S3 (region us-east-1)");
  });
});

describe("mailSummary", () => {
  const resolve = (raw: Record<string, string>) =>
    resolveEnv(raw, { loadOrCreateSecret: () => "s".repeat(32) });

  it("names the SMTP host without its credentials, the sandbox mailbox, or that mail is held", () => {
    const smtp = mailSummary(
      resolve({
        SMTP_URL: "smtps://shop:s3cret-pass@smtp.exmail.qq.com:465",
        MAIL_FROM: "小铺 <a@b.cn>",
      }).mail,
    );
    expect(smtp).toBe("mail: SMTP smtps://smtp.exmail.qq.com:465 (from 小铺 <a@b.cn>)");
    expect(smtp).not.toContain("s3cret");
    expect(mailSummary(resolve({}).mail)).toContain("/sandbox/mail");
    const held = { ...resolve({}).mail, transport: "hold" as const, smtpUrl: null };
    expect(mailSummary(held)).toContain("SMTP_URL is not set");
  });
});

describe("openDatabaseOrExit", () => {
  function fakeLog() {
    const seen: string[] = [];
    return {
      seen,
      log: {
        warn: (_: unknown, message: string) => void seen.push(`warn: ${message}`),
        error: (_: unknown, message: string) => void seen.push(`error: ${message}`),
      },
    };
  }
  const refusing = (error: unknown) => () => Promise.reject(error);

  it("opens the database", async () => {
    const { io, lines } = fakeIo();
    const { log, seen } = fakeLog();
    expect(await openDatabaseOrExit(async () => ({}), log, io)).toBe("open");
    expect([...lines, ...seen]).toEqual([]);
  });

  it("serves when the database is unreachable (503 until it is back)", async () => {
    const { io, lines } = fakeIo();
    const { log, seen } = fakeLog();
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), {
      code: "ECONNREFUSED",
    });
    expect(await openDatabaseOrExit(refusing(refused), log, io)).toBe("unavailable");
    expect(seen).toEqual(["warn: database unavailable at start-up"]);
    expect(lines).toEqual([]);
  });

  it("serves when the database is behind this build (503 until migrated), logged as an error", async () => {
    const { io, lines } = fakeIo();
    const { log, seen } = fakeLog();
    const behind = new MigrationsBehindError(["0016_stamped_copies"]);
    expect(await openDatabaseOrExit(refusing(behind), log, io)).toBe("behind");
    expect(seen).toEqual([
      "error: database behind this build: answering 503 until `npm run db:migrate` has run",
    ]);
    expect(lines).toEqual([]);
  });

  it("stops with status 1 and the reason when the database refuses the configuration", async () => {
    const { io, lines } = fakeIo();
    const { log } = fakeLog();
    const wrongRole = Object.assign(new Error('role "nobody" does not exist'), { code: "28000" });
    const failed = openDatabaseOrExit(
      refusing(new Error("Failed query: select 1", { cause: wrongRole })),
      log,
      io,
    );
    await expect(failed).rejects.toEqual(new Exited(1));
    expect(lines).toEqual([
      'The database cannot be opened, the server stops: Failed query: select 1 (28000: role "nobody" does not exist)',
    ]);
  });
});
