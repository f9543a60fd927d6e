"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useActionState, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { removeCoverAction } from "@/lib/admin/products-actions";
import type { ProductStatusState } from "@/lib/admin/products-form-state";

/** The codes the upload route answers with (`error.fields.cover`), else the error's code. */
interface UploadError {
  error?: { code?: string; fields?: Record<string, string[]> };
}

/**
 * The product's cover: what the shop shows now (the uploaded image or the generated one), an
 * upload (the file's bytes posted to `/api/admin/products/<id>/cover`, which checks them by
 * content and size), and the way back to the generated cover. Refusals show beside the field.
 */
export function ProductCoverEditor({
  productId,
  coverUrl,
  uploaded,
  facts,
  active,
}: {
  productId: string;
  coverUrl: string;
  uploaded: boolean;
  /** The uploaded image's type, size and dimensions, already formatted. */
  facts: string | null;
  /**
   * Off sale, the shop's cover URL answers 404: an uploaded cover is previewed through the
   * admin's own route, a generated one not at all.
   */
  active: boolean;
}) {
  const t = useTranslations("admin.catalog.cover");
  const tField = useTranslations("admin.catalog.fieldErrors.cover");
  const tErrors = useTranslations("admin.catalog.errors");
  const router = useRouter();
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [removed, removeAction, removing] = useActionState<ProductStatusState, FormData>(
    removeCoverAction,
    {},
  );

  async function upload() {
    const file = input.current?.files?.[0];
    setDone(false);
    if (!file) {
      setError(tField("missing"));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const response = await fetch(`/api/admin/products/${productId}/cover`, {
        method: "POST",
        body: file,
      });
      if (!response.ok) {
        const body = (await response.json().catch(() => ({}))) as UploadError;
        const code = body.error?.fields?.cover?.[0]?.replace(/^cover\./, "");
        setError(
          code && tField.has(code)
            ? tField(code)
            : response.status === 413
              ? tField("too_large")
              : tErrors(
                  response.status === 401
                    ? "unauthorized"
                    : response.status === 403
                      ? "forbidden"
                      : response.status === 404
                        ? "not_found"
                        : "failed",
                ),
        );
        return;
      }
      setDone(true);
      if (input.current) input.current.value = "";
      router.refresh();
    } catch {
      setError(tErrors("failed"));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="space-y-3" data-testid="product-cover-editor">
      <h2 className="text-lg font-semibold">{t("title")}</h2>
      <p className="text-sm text-stone-600">{t("hint")}</p>
      {active || uploaded ? (
        // eslint-disable-next-line @next/next/no-img-element -- the shop's own cover route
        <img
          src={
            active
              ? coverUrl
              : `/api/admin/products/${productId}/cover?v=${encodeURIComponent(coverUrl)}`
          }
          alt={t("current")}
          className="aspect-[40/21] w-full max-w-md rounded-xl bg-stone-100 object-cover"
          data-testid="product-cover-preview"
        />
      ) : null}
      <p className="text-sm text-stone-600" data-testid="product-cover-facts">
        {uploaded && facts ? facts : t("generated")}
      </p>
      <div className="space-y-1">
        <label htmlFor="product-cover-file" className="block text-sm font-medium text-stone-700">
          {t("file")}
        </label>
        <input
          ref={input}
          id="product-cover-file"
          type="file"
          accept="image/png,image/jpeg,image/webp"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "product-cover-error" : undefined}
          className="block w-full text-sm file:mr-3 file:rounded-lg file:border file:border-stone-300 file:bg-white file:px-3 file:py-2"
        />
        {error ? (
          <p id="product-cover-error" role="alert" className="text-sm text-red-600">
            {error}
          </p>
        ) : null}
        {done ? (
          <p role="status" className="text-sm text-emerald-700">
            {t("uploaded")}
          </p>
        ) : null}
      </div>
      <div className="flex flex-wrap gap-3">
        <Button type="button" onClick={upload} disabled={busy} data-testid="product-cover-upload">
          {busy ? t("uploading") : t("upload")}
        </Button>
        {uploaded ? (
          <form action={removeAction}>
            <input type="hidden" name="productId" value={productId} />
            <Button type="submit" variant="secondary" disabled={removing}>
              {t("remove")}
            </Button>
          </form>
        ) : null}
      </div>
      {removed.done === "coverRemoved" && !uploaded ? (
        <p role="status" className="text-sm text-emerald-700">
          {t("removed")}
        </p>
      ) : removed.error ? (
        <p role="alert" className="text-sm text-red-600">
          {tErrors(removed.error)}
        </p>
      ) : null}
    </section>
  );
}
