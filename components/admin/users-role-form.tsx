"use client";

import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { changeRoleAction } from "@/lib/admin/users-actions";
import type { RoleFormState } from "@/lib/admin/users-form-state";
import { CodeLabel } from "./code-label";

/**
 * The user's role with the one change it allows (buyer → admin, admin → buyer), behind a
 * confirmation box the server checks too. The server refuses an admin demoting themselves and
 * the last admin's demotion; the refusal shows here.
 */
export function UserRoleForm({
  userId,
  role,
  isSelf,
}: {
  userId: string;
  role: "buyer" | "admin";
  isSelf: boolean;
}) {
  const t = useTranslations("admin.catalog.users");
  const [state, action, pending] = useActionState<RoleFormState, FormData>(changeRoleAction, {});
  const target = role === "admin" ? "buyer" : "admin";
  return (
    <section className="space-y-3" data-testid="user-role">
      <h2 className="text-lg font-semibold">{t("roleTitle")}</h2>
      <p className="text-sm">
        {t("currentRole")} <CodeLabel group="userRole" code={role} />
      </p>
      {isSelf ? <p className="text-sm text-stone-600">{t("selfNote")}</p> : null}
      <form action={action} className="space-y-3 rounded-xl border border-stone-200 bg-white p-4">
        <input type="hidden" name="userId" value={userId} />
        <input type="hidden" name="role" value={target} />
        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" name="confirm" value="yes" className="mt-1" required />
          <span>{target === "admin" ? t("confirmAdmin") : t("confirmBuyer")}</span>
        </label>
        <Button
          type="submit"
          variant={target === "buyer" ? "secondary" : "primary"}
          disabled={pending}
          data-testid="user-role-submit"
        >
          {target === "admin" ? t("makeAdmin") : t("makeBuyer")}
        </Button>
        {state.error ? (
          <p role="alert" className="text-sm text-red-600" data-testid="user-role-error">
            {t(`errors.${state.error}`)}
          </p>
        ) : state.done ? (
          <p role="status" className="text-sm text-emerald-700">
            {t(state.done)}
          </p>
        ) : null}
      </form>
    </section>
  );
}
