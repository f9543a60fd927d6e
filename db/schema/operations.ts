import "server-only";
import { bigserial, boolean, index, integer, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { actorKind, billingRunStatus } from "./enums";
import { createdAt, insertedAt, tstz } from "./shop-time";
import { users } from "./users";

/** One summary row per scheduled job run (billing and reconcile alike). */
export const billingRuns = pgTable(
  "billing_runs",
  {
    id: text("id").primaryKey(),
    job: text("job").notNull(),
    status: billingRunStatus("status").notNull().default("running"),
    dryRun: boolean("dry_run").notNull().default(false),
    claimed: integer("claimed").notNull().default(0),
    succeeded: integer("succeeded").notNull().default(0),
    failed: integer("failed").notNull().default(0),
    unknown: integer("unknown").notNull().default(0),
    postponed: integer("postponed").notNull().default(0),
    summary: jsonb("summary"),
    error: text("error"),
    startedAt: insertedAt("started_at"),
    finishedAt: tstz("finished_at"),
  },
  (t) => [
    index("billing_runs_job_idx").on(t.job, t.startedAt),
    // The admin's runs newest first (keyset pages on (started_at, id)).
    index("billing_runs_started_idx").on(t.startedAt, t.id),
  ],
);

export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    actorKind: actorKind("actor_kind").notNull(),
    actorUserId: text("actor_user_id").references(() => users.id),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    details: jsonb("details"),
    createdAt: createdAt(),
  },
  (t) => [
    index("audit_log_created_idx").on(t.createdAt),
    index("audit_log_target_idx").on(t.targetType, t.targetId),
  ],
);

export type BillingRun = typeof billingRuns.$inferSelect;
export type AuditLogRow = typeof auditLog.$inferSelect;
