"use client";

import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { subscribeAction } from "@/lib/subscriptions/actions";

export function SubscribeButton({ productSlug }: { productSlug: string }) {
  const t = useTranslations("membership");
  const [state, action, pending] = useActionState(subscribeAction, {});
  return (
    <form action={action} className="space-y-2">
      <input type="hidden" name="productSlug" value={productSlug} />
      <Button
        type="submit"
        disabled={pending}
        className="w-full py-3 text-base sm:w-auto sm:px-8"
        data-testid="subscribe"
      >
        {pending ? t("subscribing") : t("subscribe")}
      </Button>
      {state.error ? (
        <p role="alert" className="text-sm text-red-600">
          {t(`error.${state.error}`)}
        </p>
      ) : null}
    </form>
  );
}
