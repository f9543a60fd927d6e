// @ts-check
/*
 * `npm install` / `npm ci` run this (package.json "postinstall"): it repairs postgres.js 3.4.9's
 * connection handling in node_modules, in each of its three builds (src/ for ESM and Next's server,
 * cjs/src/, cf/src/). No release carries the fixes yet (upstream porsager/postgres #1066, #1154,
 * #1208, #1189; pull requests #1168, #1176, #1209, #1218).
 *
 * The defects. A statement shorter than 1 KiB is written on the next turn of the event loop
 * (`setImmediate(nextWrite)`), and `nextWrite` is the only place that forgets the timer and the
 * buffered bytes. A connection that closes in between (PostgreSQL restarted, a backend
 * terminated, a network blip) keeps a cancelled timer that looks armed, so every later write on
 * that pool slot waits forever — CONNECT_TIMEOUT on every statement until the process restarts —
 * and a statement written after the close (the ROLLBACK that ends a transaction whose backend
 * died) throws `TypeError: Cannot read properties of null (reading 'write')` from the timer,
 * outside every promise: it ends a process that does not catch such errors (the billing CLI;
 * Next's server logs them). The error PostgreSQL sends as it closes a connection (57P01
 * "terminating connection") outlived it and failed the first statement of the next one. And a
 * connection closed while it asked for the array types left an unhandled rejection. And two
 * ways let other requests' statements run inside a transaction: a BEGIN that filled a
 * connection's pipeline did not take the connection (upstream #823, #1189), and a socket that
 * drained between a transaction's statements handed its connection to the pool. The repair (EDITS): both
 * teardown paths forget the timer and the bytes, a write with no socket fails the connection's
 * statements with CONNECTION_CLOSED instead of throwing, a closed connection settles and forgets
 * its statement in flight and that error (its setup's too), the types' promise is held, a
 * BEGIN takes its connection whenever it is written, and a socket that drains does not give a
 * transaction's connection back to the pool. tests/reliability/fault-matrix.test.ts has
 * rows for these (they fail without this), and scripts/patch-postgres.test.ts checks the edit.
 *
 * Idempotent, edit by edit. Any other version of postgres fails the install with a message: whoever upgrades
 * checks whether upstream fixed it, then updates or removes this script.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const PATCHED_VERSION = "3.4.9";
const MARK = "/* xiaopu: scripts/patch-postgres.mjs */";

/** Each edit: the text 3.4.9 has, how many times, and what it becomes. */
export const EDITS = [
  {
    // closed() and terminate(): the timer cancelled is forgotten, and so are the bytes.
    from: "    clearImmediate(nextWriteTimer)\n",
    times: 2,
    to: `    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null ${MARK}\n`,
  },
  {
    // A write with no socket fails the connection's statements instead of throwing.
    from: "  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)\n",
    times: 1,
    to: [
      "  function nextWrite(fn) {",
      `    if (!socket) { ${MARK}`,
      "      chunk = nextWriteTimer = null",
      "      error(Errors.connection('CONNECTION_CLOSED', options))",
      "      return false",
      "    }",
      "    const x = socket.write(chunk, fn)",
      "",
    ].join("\n"),
  },
  {
    // execute(): a transaction's BEGIN takes its connection (sql.begin's hook) whenever it is
    // written. The hook was the last term of the "may more be pipelined here" chain, so a BEGIN
    // that filled the pipeline, or met a full socket buffer, reached PostgreSQL on a connection
    // the pool still handed out: the transaction failed with a TypeError (or UNSAFE_TRANSACTION)
    // and the connection stayed "idle in transaction", unrelated statements running inside it
    // (upstream #823, #1189). The answer is the hook's, as before (it never allows more).
    from: [
      "      return write(toBuffer(q))",
      "        && !q.describeFirst",
      "        && !q.cursorFn",
      "        && sent.length < max_pipeline",
      "        && (!q.options.onexecute || q.options.onexecute(connection))",
      "",
    ].join("\n"),
    times: 1,
    to: [
      `      const more = write(toBuffer(q)) ${MARK}`,
      "      if (q.options.onexecute)",
      "        return q.options.onexecute(connection)",
      "      return more",
      "        && !q.describeFirst",
      "        && !q.cursorFn",
      "        && sent.length < max_pipeline",
      "",
    ].join("\n"),
  },
  {
    // drain(): a socket that drains while a transaction waits between statements gave the
    // transaction's connection back to the pool, and statements of other requests ran inside
    // the transaction (upstream #823, pull request #1207). A reserved connection stays reserved.
    from: "    !query && onopen(connection)\n",
    times: 1,
    to: `    !query && !connection.reserved && onopen(connection) ${MARK}\n`,
  },
  {
    // closed() during the connection's setup: its own statement (the array types it asks for)
    // is settled and forgotten, and so is an error that came with the close; the next
    // connection asks again. Left, the next connection's first answer went to that statement
    // and a later connect failure rejected it a second time, with nobody to hear it.
    from: "    if (initial)\n      return reconnect()\n",
    times: 1,
    to: [
      `    if (initial) { ${MARK}`,
      "      query && queryError(query, Errors.connection('CONNECTION_CLOSED', options))",
      "      query = errorResponse = null",
      "      return reconnect()",
      "    }",
      "",
    ].join("\n"),
  },
  {
    // closed(): the statement in flight and the error PostgreSQL sent before closing (57P01
    // "terminating connection") are settled and forgotten, or that stale error fails the first
    // statement of the next connection.
    from: "    !hadError && (query || sent.length) && error(Errors.connection('CONNECTION_CLOSED', options, socket))\n",
    times: 1,
    to: [
      "    ;(query || sent.length) && error(Errors.connection('CONNECTION_CLOSED', options, socket))",
      `    query = errorResponse = null ${MARK}`,
      "",
    ].join("\n"),
  },
  {
    // The array types a new connection asks for: a connection closed before they came rejected
    // a promise nobody held (an unhandled rejection; it reconnects and asks again, and a failed
    // statement has already failed the statement that waited for the connection).
    from: "        return fetchArrayTypes()\n",
    times: 1,
    to: `        return fetchArrayTypes().catch(() => {}) ${MARK}\n`,
  },
];

/**
 * The repaired text of one build's connection.js: `changed` false when it was repaired before.
 * Throws when the text is not 3.4.9's (the edit would not be the one that was tested).
 * @param {string} source
 * @returns {{ source: string, changed: boolean }}
 */
export function patchConnectionSource(source) {
  let patched = source;
  for (const edit of EDITS) {
    // Each edit on its own: a copy repaired by an earlier version of this script gets the rest.
    if (patched.split(edit.to).length - 1 === edit.times) continue;
    const found = patched.split(edit.from).length - 1;
    if (found !== edit.times) {
      throw new Error(
        "postgres.js connection.js is not the text this patch was written for " +
          `(${JSON.stringify(edit.from.trim())}: ${found} times, not ${edit.times})`,
      );
    }
    patched = patched.split(edit.from).join(edit.to);
  }
  return { source: patched, changed: patched !== source };
}

/**
 * Repairs node_modules/postgres under `root`; returns the files it changed.
 * @param {string} root
 */
export function patchPostgres(root) {
  const dir = path.join(root, "node_modules", "postgres");
  const { version } = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
  if (version !== PATCHED_VERSION) {
    throw new Error(
      `postgres ${version} is installed; scripts/patch-postgres.mjs repairs ${PATCHED_VERSION}. ` +
        "Check whether this version fixes nextWrite after a closed socket (upstream #1208), " +
        "then update or remove the script.",
    );
  }
  const changed = [];
  for (const build of ["src", "cjs/src", "cf/src"]) {
    const file = path.join(dir, build, "connection.js");
    const result = patchConnectionSource(readFileSync(file, "utf8"));
    if (result.changed) {
      writeFileSync(file, result.source);
      changed.push(path.relative(root, file));
    }
  }
  return changed;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  try {
    const changed = patchPostgres(root);
    if (changed.length > 0) console.log(`patch-postgres: repaired ${changed.join(", ")}`);
  } catch (error) {
    console.error(`patch-postgres: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
