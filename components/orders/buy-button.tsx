"use client";

import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { buyAction } from "@/lib/orders/actions";

export function BuyButton({ productSlug }: { productSlug: string }) {
  const t = useTranslations("product");
  const [state, action, pending] = useActionState(buyAction, {});
  return (
    <form action={action} className="space-y-2">
      <input type="hidden" name="productSlug" value={productSlug} />
      <Button type="submit" disabled={pending} className="w-full py-3 text-base sm:w-auto sm:px-8">
        {pending ? t("buying") : t("buy")}
      </Button>
      {state.error ? (
        <p role="alert" className="text-sm text-red-600">
          {t(`buyError.${state.error}`)}
        </p>
      ) : null}
    </form>
  );
}
