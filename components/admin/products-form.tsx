"use client";

import { useTranslations } from "next-intl";
import { useActionState, useState, type ReactNode } from "react";
import { Field, TextAreaField } from "@/components/ui/field";
import { Button } from "@/components/ui/button";
import { createProductAction, updateProductAction } from "@/lib/admin/products-actions";
import type { ProductFormState } from "@/lib/admin/products-form-state";
import {
  MAX_CONTENT,
  MAX_DESCRIPTION,
  MAX_NAME,
  type ProductField,
  type ProductFormValues,
  type ProductKind,
} from "@/lib/admin/products-input";
import { CodeLabel } from "./code-label";

const KINDS: readonly ProductKind[] = ["one_off", "membership", "credit_pack"];

/** Field codes → the admin's language (`admin.catalog.fieldErrors.<field>.<reason>`). */
function useFieldErrors(state: ProductFormState) {
  const t = useTranslations("admin.catalog.fieldErrors");
  const tErrors = useTranslations("admin.catalog.errors");
  return (field: string): string[] | undefined =>
    state.fields?.[field]?.map((code) => (t.has(code) ? t(code) : tErrors("failed")));
}

function Section({ children }: { children: ReactNode }) {
  return <div className="grid gap-4 sm:grid-cols-2">{children}</div>;
}

/**
 * The product editor's form (create, or edit with `productId`): bilingual names and texts,
 * slug, kind (fixed once created), price in yuan, and the kind's own terms — the billing period
 * of a membership (with the Alipay rules as hints), the credits of a pack. Refusals come back
 * from the server action beside their fields, in the admin's language; nothing is checked only
 * here.
 */
export function ProductForm({
  productId,
  initial,
  capLabel,
  minPeriodDays,
}: {
  productId?: string;
  initial: ProductFormValues;
  /** The single-charge cap as money (`¥100.00`). */
  capLabel: string;
  minPeriodDays: number;
}) {
  const t = useTranslations("admin.catalog.form");
  const tProducts = useTranslations("admin.catalog.products");
  const tErrors = useTranslations("admin.catalog.errors");
  const tKind = useTranslations("admin.codes.productKind");
  const tContent = useTranslations("admin.content.product");
  const [state, action, pending] = useActionState<ProductFormState, FormData>(
    productId ? updateProductAction : createProductAction,
    {},
  );
  const errorsOf = useFieldErrors(state);
  // What the form shows: the last values sent when the server refused them, else the product's.
  const values: ProductFormValues = state.values ?? initial;
  const [kind, setKind] = useState<ProductKind>(KINDS.find((k) => k === values.kind) ?? "one_off");
  const value = (field: ProductField) => values[field] ?? "";
  return (
    <form action={action} className="space-y-5" data-testid="product-form">
      {productId ? <input type="hidden" name="productId" value={productId} /> : null}
      {state.error ? (
        <p role="alert" className="rounded-lg bg-red-50 p-3 text-sm text-red-700">
          {tErrors(state.error)}
        </p>
      ) : state.fields && Object.keys(state.fields).length > 0 ? (
        <p role="alert" className="rounded-lg bg-red-50 p-3 text-sm text-red-700">
          {tErrors("fix")}
        </p>
      ) : state.saved ? (
        <p role="status" className="rounded-lg bg-emerald-50 p-3 text-sm text-emerald-800">
          {tProducts(state.saved)}
        </p>
      ) : null}
      <Section>
        <Field
          id="product-slug"
          name="slug"
          maxLength={80}
          label={t("slug")}
          hint={t("slugHint")}
          defaultValue={value("slug")}
          errors={errorsOf("slug")}
          autoComplete="off"
          spellCheck={false}
        />
        <div className="space-y-1">
          <label htmlFor="product-kind" className="block text-sm font-medium text-stone-700">
            {t("kind")}
          </label>
          {productId ? (
            <>
              <input type="hidden" name="kind" value={kind} />
              <p id="product-kind" className="py-2">
                <CodeLabel group="productKind" code={kind} />
              </p>
              <p className="text-xs text-stone-500">{t("kindLocked")}</p>
            </>
          ) : (
            <select
              id="product-kind"
              name="kind"
              value={kind}
              onChange={(event) =>
                setKind(KINDS.find((k) => k === event.target.value) ?? "one_off")
              }
              className="block w-full rounded-lg border border-stone-300 bg-white px-3 py-2 text-base"
            >
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {`${tKind(k)} · ${k}`}
                </option>
              ))}
            </select>
          )}
          {errorsOf("kind") ? (
            <p role="alert" className="text-sm text-red-600">
              {errorsOf("kind")?.join(" ")}
            </p>
          ) : null}
        </div>
      </Section>
      <Section>
        <Field
          id="product-name-zh"
          name="nameZh"
          maxLength={MAX_NAME}
          label={t("nameZh")}
          defaultValue={value("nameZh")}
          errors={errorsOf("nameZh")}
        />
        <Field
          id="product-name-en"
          name="nameEn"
          maxLength={MAX_NAME}
          label={t("nameEn")}
          defaultValue={value("nameEn")}
          errors={errorsOf("nameEn")}
        />
      </Section>
      <Section>
        <TextAreaField
          id="product-description-zh"
          name="descriptionZh"
          maxLength={MAX_DESCRIPTION}
          label={t("descriptionZh")}
          defaultValue={value("descriptionZh")}
          errors={errorsOf("descriptionZh")}
        />
        <TextAreaField
          id="product-description-en"
          name="descriptionEn"
          maxLength={MAX_DESCRIPTION}
          label={t("descriptionEn")}
          defaultValue={value("descriptionEn")}
          errors={errorsOf("descriptionEn")}
        />
      </Section>
      <Section>
        <Field
          id="product-price"
          name="price"
          maxLength={20}
          label={t("price")}
          hint={
            kind === "membership" ? t("membershipPriceHint", { cap: capLabel }) : t("priceHint")
          }
          defaultValue={value("price")}
          errors={errorsOf("price")}
          inputMode="decimal"
          autoComplete="off"
        />
        {kind === "membership" ? (
          <Field
            id="product-period"
            name="periodDays"
            maxLength={9}
            label={t("periodDays")}
            hint={t("periodHint", { min: minPeriodDays })}
            defaultValue={value("periodDays")}
            errors={errorsOf("periodDays")}
            inputMode="numeric"
          />
        ) : kind === "credit_pack" ? (
          <Field
            id="product-credits"
            name="credits"
            maxLength={9}
            label={t("credits")}
            defaultValue={value("credits")}
            errors={errorsOf("credits")}
            inputMode="numeric"
          />
        ) : null}
        <Field
          id="product-sort"
          name="sortOrder"
          maxLength={9}
          label={t("sortOrder")}
          hint={t("sortOrderHint")}
          defaultValue={value("sortOrder")}
          errors={errorsOf("sortOrder")}
          inputMode="numeric"
        />
      </Section>
      {kind === "one_off" ? (
        <div className="space-y-1">
          <input type="hidden" name="stampPdfs" value="false" />
          <label className="flex items-start gap-2 text-sm text-stone-700">
            <input
              type="checkbox"
              name="stampPdfs"
              value="true"
              defaultChecked={value("stampPdfs") !== "false"}
              className="mt-0.5 h-4 w-4"
              data-testid="product-stamp-pdfs"
            />
            <span>
              <span className="block font-medium">{tContent("stampPdfs")}</span>
              <span className="block text-xs text-stone-500">{tContent("stampPdfsHint")}</span>
            </span>
          </label>
          {errorsOf("stampPdfs") ? (
            <p role="alert" className="text-sm text-red-600">
              {errorsOf("stampPdfs")?.join(" ")}
            </p>
          ) : null}
        </div>
      ) : null}
      <Section>
        <TextAreaField
          id="product-content-zh"
          name="contentZh"
          maxLength={MAX_CONTENT}
          label={t("contentZh")}
          hint={t("contentHint")}
          defaultValue={value("contentZh")}
          errors={errorsOf("contentZh")}
        />
        <TextAreaField
          id="product-content-en"
          name="contentEn"
          maxLength={MAX_CONTENT}
          label={t("contentEn")}
          hint={t("contentHint")}
          defaultValue={value("contentEn")}
          errors={errorsOf("contentEn")}
        />
      </Section>
      <Button
        type="submit"
        disabled={pending}
        className="w-full sm:w-auto"
        data-testid="product-save"
      >
        {pending ? t("saving") : productId ? t("save") : t("create")}
      </Button>
    </form>
  );
}
