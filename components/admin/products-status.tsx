"use client";

import { useTranslations } from "next-intl";
import { useActionState, useState } from "react";
import { Button } from "@/components/ui/button";
import { setProductActiveAction } from "@/lib/admin/products-actions";
import type { ProductStatusState } from "@/lib/admin/products-form-state";

/**
 * On sale or not: taking a product off sale asks first (it leaves the catalogue at once);
 * putting it back is one click. The server action checks the role and writes the audit row.
 */
export function ProductStatusControl({
  productId,
  active,
}: {
  productId: string;
  active: boolean;
}) {
  const t = useTranslations("admin.catalog.status");
  const tErrors = useTranslations("admin.catalog.errors");
  const [confirming, setConfirming] = useState(false);
  const [state, action, pending] = useActionState<ProductStatusState, FormData>(
    async (previous: ProductStatusState, form: FormData) => {
      const next = await setProductActiveAction(previous, form);
      setConfirming(false);
      return next;
    },
    {},
  );
  return (
    <section className="space-y-3" data-testid="product-status">
      <h2 className="text-lg font-semibold">{t("title")}</h2>
      <p className="text-sm text-stone-600">{active ? t("onSale") : t("offSale")}</p>
      <form action={action} className="space-y-3">
        <input type="hidden" name="productId" value={productId} />
        <input type="hidden" name="active" value={active ? "false" : "true"} />
        {active && !confirming ? (
          <Button type="button" variant="secondary" onClick={() => setConfirming(true)}>
            {t("deactivate")}
          </Button>
        ) : active ? (
          <div className="space-y-3 rounded-xl border border-amber-300 bg-amber-50 p-3">
            <p className="text-sm text-amber-900">{t("deactivateConfirm")}</p>
            <div className="flex flex-wrap gap-3">
              <Button type="submit" disabled={pending} data-testid="product-deactivate-confirm">
                {t("deactivateYes")}
              </Button>
              <Button type="button" variant="ghost" onClick={() => setConfirming(false)}>
                {t("cancel")}
              </Button>
            </div>
          </div>
        ) : (
          <Button type="submit" disabled={pending}>
            {t("reactivate")}
          </Button>
        )}
      </form>
      {state.error ? (
        <p role="alert" className="text-sm text-red-600">
          {tErrors(state.error)}
        </p>
      ) : state.done === "deactivated" || state.done === "reactivated" ? (
        <p role="status" className="text-sm text-emerald-700">
          {t(state.done)}
        </p>
      ) : null}
    </section>
  );
}
