import "server-only";
import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  check,
  index,
  integer,
  pgTable,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { userRole } from "./enums";
import { createdAt, updatedAt } from "./shop-time";

export const users = pgTable(
  "users",
  {
    id: text("id").primaryKey(),
    /** Stored lower-cased; the unique index is the duplicate-sign-up guard. */
    email: text("email").notNull(),
    name: text("name"),
    passwordHash: text("password_hash").notNull(),
    role: userRole("role").notNull().default("buyer"),
    locale: text("locale"),
    /**
     * Carried in the session JWT at sign-in; bumping it (sign-out, password or role change) ends
     * every session cookie issued before, since JWT sessions cannot be revoked one by one.
     */
    sessionVersion: integer("session_version").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("users_email_uq").on(t.email),
    // The admin's search by email prefix (LIKE 'zhou%' needs pattern ops).
    index("users_email_pattern_idx").on(t.email.op("text_pattern_ops")),
    check("users_email_lowercase", sql`${t.email} = lower(${t.email})`),
  ],
);

/**
 * Every sign-in attempt that reached the password check (throttled attempts are not recorded, so
 * they cannot extend a delay); lib/auth/authenticate.ts derives its delays from the failures.
 */
export const signinAttempts = pgTable(
  "signin_attempts",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    email: text("email").notNull(),
    ip: text("ip").notNull(),
    /** The client's known-device id (signed cookie), if it sent a valid one. */
    device: text("device"),
    /** The device had signed in to this email before: its failures never slow anyone else. */
    known: boolean("known").notNull().default(false),
    succeeded: boolean("succeeded").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index("signin_attempts_email_idx").on(t.email, t.createdAt),
    index("signin_attempts_ip_idx").on(t.ip, t.createdAt),
    index("signin_attempts_device_idx").on(t.email, t.device),
  ],
);

export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
