import "server-only";
import {
  is,
  Param,
  Placeholder,
  sql,
  type Column,
  type DriverValueEncoder,
  type SQL,
} from "drizzle-orm";
import type { Db } from "./client";

/*
 * Statements built once per process. drizzle builds a query's SQL text from its builder objects
 * every time it runs (about a quarter of the billing run's CPU in the shop, measured in
 * docs/PERFORMANCE.md). A `statement` builds it once, with placeholders where the values go,
 * and then only binds values and runs it on the database or transaction it is given: the same
 * SQL, the same result mapping (drizzle's own prepared query of that session), one builder.
 *
 * drizzle's own `.prepare()` does this for one session only (the pool or one transaction); the
 * SQL here outlives a transaction, so it is kept and handed to each session's `prepareQuery`.
 * On PostgreSQL, postgres.js still plans each text once per connection (db/client.ts
 * `preparedStatements`), so this saves the shop's CPU, not the server's.
 *
 * Column defaults and `$onUpdate` are built into the text once: they must be SQL evaluated by the
 * server (db/schema/shop-time.ts `shopNow()`), never a JS value, which would be frozen.
 */

/** The placeholders a statement's builder puts where its values go: `slot.orderId`. */
export type Slots<Values> = { readonly [K in keyof Values & string]: Placeholder<K, Values[K]> };

/**
 * A placeholder whose value is encoded as `column`'s values are (a Date as a timestamp, an object
 * as JSON), where drizzle's types take no placeholder: `.set({ paidAt: bind(slot.paidAt,
 * orders.paidAt) })`. In `.values()` and `eq()` a bare placeholder is enough.
 */
export function bind<C extends Column>(slot: Placeholder, column: C): SQL<C["_"]["data"]> {
  return sql`${new Param(slot, column)}`;
}

/** A builder drizzle can prepare (select, insert, update, delete, relational queries). */
interface Preparable<Result> {
  prepare(name: string): { execute(values?: Record<string, unknown>): Promise<Result> };
}

/**
 * What a drizzle prepared query keeps on both drivers (postgres-js and PGlite): the base class's
 * `query` and the drivers' result-mapping fields. drizzle marks them internal, so they are read
 * through this shape; tests/integration/db-statement.test.ts runs every kind on both drivers.
 */
interface PreparedInternals {
  query: { sql: string; params: unknown[] };
  fields?: unknown;
  customResultMapper?: unknown;
  joinsNotNullableMap?: unknown;
  isResponseInArrayMode(): boolean;
  execute(values?: Record<string, unknown>): Promise<unknown>;
}

interface SessionInternals {
  prepareQuery(
    query: { sql: string; params: unknown[] },
    fields: unknown,
    name: string | undefined,
    isResponseInArrayMode: boolean,
    customResultMapper: unknown,
  ): PreparedInternals;
}

/** The session a database or transaction runs its statements on. */
function sessionOf(db: Db): SessionInternals {
  return (db as unknown as { _: { session: SessionInternals } })._.session;
}

type Template = Pick<
  PreparedInternals,
  "query" | "fields" | "customResultMapper" | "joinsNotNullableMap"
> & { arrayMode: boolean };

/**
 * A placeholder bound to a column is encoded by the column (drizzle's `fillPlaceholders`), null
 * included: a null Date would throw and a null JSON value would be stored as JSON `null`. drizzle
 * sends a null literal for a null written in a builder; so does this.
 */
function nullSafe(param: unknown): unknown {
  if (!is(param, Param) || !is(param.value, Placeholder)) return param;
  const { encoder } = param;
  if (!encoder) return param;
  const safe: DriverValueEncoder<unknown, unknown> = {
    mapToDriverValue: (value) => (value === null ? null : encoder.mapToDriverValue(value)),
  };
  return new Param(param.value, safe);
}

export interface Statement<Values, Result> {
  /** Runs on `db` (the pool, or a transaction: its own connection) with these values. */
  run(db: Db, values: Values): Promise<Result>;
  /** The SQL text (built on first use), for tests and logs. */
  text(db: Db): string;
}

const slots = new Proxy({} as Record<string, Placeholder>, {
  get: (_target, name) => (typeof name === "string" ? sql.placeholder(name) : undefined),
});

/**
 * A statement whose SQL is built on first use and kept. `build` gets a database to build on
 * (only its dialect matters; nothing runs) and the placeholders; every value must be one of
 * them, never a constant read at build time. A value may be null but not undefined: a column
 * left to its default is left out of the builder instead.
 *
 *     const byId = statement((db, slot: Slots<{ id: string }>) =>
 *       db.select().from(orders).where(eq(orders.id, slot.id)));
 *     const [order] = await byId.run(tx, { id });
 */
export function statement<Values extends Record<string, unknown>, Result>(
  build: (db: Db, slot: Slots<Values>) => Preparable<Result>,
): Statement<Values, Result> {
  let template: Template | undefined;
  const templateOn = (db: Db): Template => {
    if (!template) {
      const prepared = build(db, slots as Slots<Values>).prepare(
        "built",
      ) as unknown as PreparedInternals;
      template = {
        query: { sql: prepared.query.sql, params: prepared.query.params.map(nullSafe) },
        fields: prepared.fields,
        customResultMapper: prepared.customResultMapper,
        joinsNotNullableMap: prepared.joinsNotNullableMap,
        arrayMode: prepared.isResponseInArrayMode(),
      };
    }
    return template;
  };
  return {
    async run(db, values) {
      const { query, fields, arrayMode, customResultMapper, joinsNotNullableMap } = templateOn(db);
      // postgres.js refuses undefined values; a forgotten one must name itself. (A plain loop:
      // `Object.entries` made an array per value on every run of the hottest statements.)
      for (const name in values) {
        if (values[name] === undefined) throw new TypeError(`statement: no value for "${name}"`);
      }
      // No name: the session prepares it or not as it prepares every query (DATABASE_PREPARE).
      const prepared = sessionOf(db).prepareQuery(
        query,
        fields,
        undefined,
        arrayMode,
        customResultMapper,
      );
      if (joinsNotNullableMap !== undefined) prepared.joinsNotNullableMap = joinsNotNullableMap;
      return (await prepared.execute(values)) as Result;
    },
    text: (db) => templateOn(db).query.sql,
  };
}
