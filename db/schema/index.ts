import "server-only";

/*
 * The whole domain, one file per table group; `@/db/schema` and drizzle-kit (drizzle.config.ts)
 * read it through this index. Money is integer fen (`*_fen` columns, CHECKed non-negative);
 * business dates (next charge date) are `date` columns holding Asia/Shanghai calendar dates;
 * instants are `timestamptz`, and `created_at` / `updated_at` are written on the shop's clock
 * (shop-time.ts). Unique constraints carry the invariants of ARCHITECTURE.md; each is named
 * `*_uq` and tested in tests/integration/invariants.test.ts.
 *
 * Imports between these files form no cycle (a reference to another table is a lazy callback,
 * but a cycle would still tie the files together): enums and shop-time come first, then users
 * and catalogue, agreements, orders (orders, payments, entitlements), operations, and charges
 * (charge attempts and deduction logs, which reference agreements, orders and billing runs).
 */
export * from "./enums";
export * from "./users";
export * from "./catalogue";
export * from "./agreements";
export * from "./orders";
export * from "./refunds";
export * from "./delivery";
export * from "./credits";
export * from "./notices";
export * from "./charges";
export * from "./webhooks";
export * from "./operations";
export * from "./provider-tokens";
export * from "./rate-limits";
export * from "./sandbox";
