import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { rowOf, saveBench } from "./bench-report";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { assertLocalDatabaseUrl } from "../tests/helpers/local-database";
import { serverEnv, serverNodeArgs } from "./server-command";

/*
 * `npm run bench:upload` (issue #12, acceptance 4): the admin uploads a 150 MB file to the
 * production server (`next build` output, started as `npm start` starts it: migrate, then
 * server.mjs) and the server's memory stays under 300 MB. The file is a generated PDF-headed
 * stream, made on the fly and never whole in this process either; the multipart body goes out
 * with backpressure. The SERVER's resident memory is sampled from /proc/<pid>/status (VmRSS
 * every 50 ms, VmHWM at the end). Then an upload over the limit (201 MB with the default
 * 200 MB) must get 413 and store nothing — once with its Content-Length (refused before
 * reading) and once chunked (refused while streaming).
 *
 * Exits 1 when the upload fails, the SHA-256 the server stored differs from the one sent, the
 * bytes on disk differ in size, the peak RSS is 300 MB or more, or an over-limit upload is not
 * refused or leaves something behind.
 *
 * Database: local PostgreSQL (BENCH_DATABASE_URL, default `bench_upload`, emptied first), or
 * BENCH_DATABASE=pglite. BENCH_UPLOAD_MB (150) for another size.
 */

const root = path.resolve(import.meta.dirname, "..");
const SIZE_MB = Number(process.env.BENCH_UPLOAD_MB ?? 150);
if (!Number.isFinite(SIZE_MB) || SIZE_MB <= 0) throw new Error("BENCH_UPLOAD_MB must be > 0");
const SIZE = Math.round(SIZE_MB * 1024 * 1024);
const OVER_LIMIT = 201 * 1024 * 1024;
const RSS_LIMIT_MB = 300;
const ADMIN = { email: "admin@xiaopu.local", password: "xiaopu-admin" };

if (!existsSync(path.join(root, ".next", "BUILD_ID"))) {
  console.error("bench:upload needs a production build: run `npx next build` first.");
  process.exit(1);
}
/*
 * PostgreSQL by default, as the shop runs on one machine (`next start` + PostgreSQL): a database
 * of its own, emptied first. BENCH_DATABASE=pglite runs on the embedded database instead, which
 * lives inside the server process (a few hundred MB of its own): there the measure is what the
 * upload adds to the idle server, since the absolute figure is mostly the database.
 */
const onPglite = process.env.BENCH_DATABASE === "pglite";
const databaseUrl = onPglite
  ? undefined
  : (process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/bench_upload");
if (databaseUrl) {
  assertLocalDatabaseUrl(databaseUrl);
  await freshDatabase(databaseUrl);
}
/** On PGlite: the most the upload may add to the idle server's RSS. */
const PGLITE_GROWTH_LIMIT_MB = 64;

const work = mkdtempSync(path.join(tmpdir(), "xiaopu-bench-upload-"));
const filesDir = path.join(work, "files");
const port = 20_000 + Math.floor(Math.random() * 12_000);
const baseUrl = `http://127.0.0.1:${port}`;
const env: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  NODE_ENV: "production",
  NEXT_TELEMETRY_DISABLED: "1",
  PAYMENTS_MODE: "sandbox",
  LOG_LEVEL: "warn",
  PORT: String(port),
  LISTEN_HOST: "127.0.0.1",
  APP_URL: baseUrl,
  DATABASE_URL: databaseUrl ?? "",
  DATABASE_DIRECT_URL: "",
  PGLITE_DIR: path.join(work, "pglite"),
  STORAGE_LOCAL_DIR: filesDir,
};

let server: ChildProcess | undefined;
const failures: string[] = [];
const mb = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1);

try {
  const migrate = spawnSync("npm", ["run", "--silent", "db:migrate"], {
    cwd: root,
    env,
    stdio: "inherit",
  });
  if (migrate.status !== 0) throw new Error("db:migrate failed");
  server = await startServer();
  const pid = server.pid!;
  const cookie = await signIn();
  const before = listFiles(filesDir);
  const idle = memory(pid);
  console.log(
    `server pid ${pid}, idle RSS ${mb(idle.rss)} MB (high-water so far ${mb(idle.hwm)} MB)`,
  );

  // ---- 150 MB through the real server --------------------------------------------------------
  let peak = idle.rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, memory(pid).rss);
  }, 50);
  const started = performance.now();
  const upload = await streamUpload(cookie, SIZE, "bench-150mb.pdf", true);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const after = memory(pid);
  peak = Math.max(peak, after.rss);
  const file = (upload.body as { file?: { id: string; sha256: string; byteSize: number } }).file;
  const storedPath = file ? path.join(filesDir, "files", file.id) : "";
  const onDisk = storedPath && existsSync(storedPath) ? statSync(storedPath).size : -1;
  console.log(
    [
      `upload ${mb(SIZE)} MB: HTTP ${upload.status} in ${seconds.toFixed(2)} s (${(SIZE_MB / seconds).toFixed(1)} MB/s)`,
      `  sha256 sent    ${upload.sha256}`,
      `  sha256 stored  ${file?.sha256 ?? "-"}  ${file?.sha256 === upload.sha256 ? "match" : "MISMATCH"}`,
      `  bytes on disk  ${onDisk}`,
      `  server RSS: peak sampled ${mb(peak)} MB, VmHWM ${mb(after.hwm)} MB, idle before ${mb(idle.rss)} MB, after ${mb(after.rss)} MB`,
    ].join("\n"),
  );
  if (upload.status !== 201)
    failures.push(`upload answered ${upload.status}: ${JSON.stringify(upload.body)}`);
  if (file?.sha256 !== upload.sha256) failures.push("the stored SHA-256 differs from the one sent");
  if (file && file.byteSize !== SIZE) failures.push(`stored ${file.byteSize} bytes, sent ${SIZE}`);
  if (onDisk !== SIZE) failures.push(`${onDisk} bytes on disk, sent ${SIZE}`);
  const growth = Math.max(peak, after.hwm) - idle.rss;
  console.log(`  the upload added ${mb(growth)} MB to the server's idle RSS`);
  if (onPglite) {
    if (growth >= PGLITE_GROWTH_LIMIT_MB * 1024 * 1024) {
      failures.push(`the upload added ${mb(growth)} MB ≥ ${PGLITE_GROWTH_LIMIT_MB} MB (PGlite)`);
    }
  } else if (Math.max(peak, after.hwm) >= RSS_LIMIT_MB * 1024 * 1024) {
    failures.push(`server peak RSS ${mb(Math.max(peak, after.hwm))} MB ≥ ${RSS_LIMIT_MB} MB`);
  }

  // ---- over the limit: 413, nothing stored ---------------------------------------------------
  const withFile = listFiles(filesDir);
  for (const declared of [true, false]) {
    const overStarted = performance.now();
    const refused = await streamUpload(cookie, OVER_LIMIT, "too-big.pdf", declared);
    const code = (refused.body as { error?: { code?: string; message?: string } }).error;
    const left = listFiles(filesDir).filter((name) => !withFile.includes(name));
    console.log(
      `over the limit (${mb(OVER_LIMIT)} MB, ${declared ? "Content-Length" : "chunked"}): HTTP ${refused.status} ${code?.code ?? ""} "${code?.message ?? ""}" in ${((performance.now() - overStarted) / 1000).toFixed(2)} s; left behind: ${left.length === 0 ? "nothing" : left.join(", ")}`,
    );
    if (refused.status !== 413) failures.push(`over-limit upload answered ${refused.status}`);
    if (left.length > 0) failures.push(`over-limit upload left ${left.join(", ")}`);
  }
  const final = memory(pid);
  console.log(`server VmHWM after everything: ${mb(final.hwm)} MB`);
  if (!onPglite && final.hwm >= RSS_LIMIT_MB * 1024 * 1024) {
    failures.push(`server VmHWM ${mb(final.hwm)} MB ≥ ${RSS_LIMIT_MB} MB`);
  }
  if (before.length + 1 !== withFile.length) {
    failures.push(`expected one new stored file, found ${withFile.length - before.length}`);
  }
} catch (error) {
  failures.push(error instanceof Error ? error.message : String(error));
} finally {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server!.once("exit", resolve));
    server.kill("SIGTERM");
    await exited;
  }
  rmSync(work, { recursive: true, force: true });
}

saveBench("upload", "Uploads: 150 MB through the real server", [
  rowOf(
    "150 MB upload: stored whole, hash matches, over-limit refused (413), RSS bounded",
    failures.length === 0 ? "yes" : `${failures.length} problem(s)`,
    "yes",
    failures.length === 0 ? "ok" : "MISSED",
  ),
  ...failures.map((failure) => rowOf(failure, "", "", "MISSED")),
]);
if (failures.length > 0) {
  console.error(`bench:upload FAILED:\n- ${failures.join("\n- ")}`);
  process.exit(1);
}
console.log("bench:upload OK");

// ---- helpers ----------------------------------------------------------------------------------

/** The bench's own database, created when missing and emptied (db:migrate builds it again). */
async function freshDatabase(url: string): Promise<void> {
  const { default: postgres } = await import("postgres");
  const target = new URL(url);
  const name = target.pathname.slice(1);
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unexpected database name "${name}"`);
  const server = new URL(url);
  server.pathname = "/postgres";
  const admin = postgres(server.toString(), { max: 1, onnotice: () => {} });
  try {
    const found = await admin`select 1 from pg_database where datname = ${name}`;
    if (found.length === 0) await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(
      "drop schema if exists drizzle cascade; drop schema if exists sandbox cascade; drop schema if exists public cascade; create schema public;",
    );
  } finally {
    await sql.end();
  }
}

function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  return { rss: kb("VmRSS") * 1024, hwm: kb("VmHWM") * 1024 };
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory()
      ? listFiles(full).map((inner) => path.join(name, inner))
      : [name];
  });
}

async function startServer(): Promise<ChildProcess> {
  const child = spawn(process.execPath, serverNodeArgs(), {
    cwd: root,
    env: serverEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  for (let attempt = 0; attempt < 300; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`server exited:\n${output}`);
    const ok = await fetch(`${baseUrl}/api/health`).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ok) return child;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`server did not start:\n${output}`);
}

/** The next-auth credentials flow, as a browser does it; answers the Cookie header to send. */
async function signIn(): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const at = pair!.indexOf("=");
      jar.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
  };
  const header = () => [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
  const csrf = await fetch(`${baseUrl}/api/auth/csrf`);
  keep(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const callback = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: header() },
    body: new URLSearchParams({ email: ADMIN.email, password: ADMIN.password, csrfToken }),
  });
  keep(callback);
  const session = (await (
    await fetch(`${baseUrl}/api/auth/session`, { headers: { cookie: header() } })
  ).json()) as { user?: { role?: string } };
  if (session.user?.role !== "admin") throw new Error("could not sign in as the sandbox admin");
  return header();
}

/**
 * POSTs a multipart upload of `size` generated bytes (a PDF header, then random 1 MB blocks) to
 * the members' area, writing only as fast as the socket takes them; with `declared`, a
 * Content-Length, else chunked. Answers the status, the JSON body and the SHA-256 sent.
 */
function streamUpload(
  cookie: string,
  size: number,
  filename: string,
  declared: boolean,
): Promise<{ status: number; body: unknown; sha256: string }> {
  const boundary = `----xiaopu-bench-${randomBytes(8).toString("hex")}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
      `Content-Type: application/pdf\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const hash = createHash("sha256");
  const block = randomBytes(1024 * 1024);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      `${baseUrl}/api/admin/uploads/members`,
      {
        method: "POST",
        headers: {
          cookie,
          "content-type": `multipart/form-data; boundary=${boundary}`,
          ...(declared ? { "content-length": String(head.length + size + tail.length) } : {}),
        },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON: kept as text
          }
          resolve({ status: response.statusCode ?? 0, body, sha256: hash.digest("hex") });
        });
      },
    );
    request.on("error", reject);
    const write = (chunk: Buffer) =>
      request.write(chunk) ? Promise.resolve() : new Promise((done) => request.once("drain", done));
    void (async () => {
      await write(head);
      let sent = 0;
      let counter = 0;
      while (sent < size && !request.destroyed) {
        const chunk =
          sent === 0
            ? Buffer.concat([Buffer.from("%PDF-1.7\n"), block.subarray(9)])
            : Buffer.from(block);
        // Each block differs (a counter in its first bytes), so no two megabytes are the same.
        if (sent > 0) chunk.writeUInt32LE(counter++, 0);
        const part = chunk.subarray(0, Math.min(chunk.length, size - sent));
        hash.update(part);
        sent += part.length;
        await write(part);
      }
      request.end(tail);
    })().catch(reject);
  });
}
