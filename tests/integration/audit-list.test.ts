import { describe, expect, it } from "vitest";
import { insertAudit, listAudit } from "@/db/queries/audit";
import { withTestDatabase } from "../helpers/db";
import { makeUser } from "../helpers/factories";

/* db/queries/audit.ts listAudit: the admin's audit page (issue #11, "Audit log"). */

const t = withTestDatabase();

describe("the audit log's pages", () => {
  it("newest first, a page at a time by the last id, with the acting admin's email", async () => {
    const db = t.db();
    const admin = await makeUser(db, { role: "admin", email: "owner@example.com" });
    for (let i = 1; i <= 5; i++) {
      await insertAudit(db, {
        actorKind: i % 2 ? "user" : "cron",
        actorUserId: i % 2 ? admin.id : null,
        action: i === 5 ? "user.password_changed" : `export.step_${i}`,
        targetType: "export",
        targetId: String(i),
        details: { i },
      });
    }
    const first = await listAudit(db, { limit: 2 });
    expect(first.map((row) => row.targetId)).toEqual(["5", "4"]);
    expect(first[0]).toMatchObject({ actorEmail: "owner@example.com", details: { i: 5 } });
    expect(first[1]).toMatchObject({ actorEmail: null, actorKind: "cron" });
    const second = await listAudit(db, { limit: 2, before: first.at(-1)!.id });
    expect(second.map((row) => row.targetId)).toEqual(["3", "2"]);
    const last = await listAudit(db, { limit: 2, before: second.at(-1)!.id });
    expect(last.map((row) => row.targetId)).toEqual(["1"]);
  });

  it("one action, or every action under a prefix (LIKE's wildcards taken literally)", async () => {
    const db = t.db();
    for (const action of ["export.orders", "export.deductions", "ex_port.a", "exXport.b"]) {
      await insertAudit(db, { actorKind: "system", action });
    }
    const only = await listAudit(db, { limit: 10, action: "export.orders" });
    expect(only.map((row) => row.action)).toEqual(["export.orders"]);
    const prefix = await listAudit(db, { limit: 10, action: "export." });
    expect(prefix.map((row) => row.action).sort()).toEqual(["export.deductions", "export.orders"]);
    // "_" is LIKE's any-character: the prefix "ex_port." must not match "exXport.b".
    const underscore = await listAudit(db, { limit: 10, action: "ex_port." });
    expect(underscore.map((row) => row.action)).toEqual(["ex_port.a"]);
  });
});
