import "server-only";
import { getLocale, getTranslations } from "next-intl/server";
import { getDb } from "@/db";
import { insertAudit } from "@/db/queries/audit";
import { pick, toLocale } from "@/i18n/locales";
import { assertAdmin } from "@/lib/auth/guards";
import { route } from "@/lib/http/json";
import { now } from "@/lib/now";
import {
  deductionCsv,
  exportDates,
  exportFileName,
  orderCsv,
  type DeductionExportLabels,
  type ExportKind,
  type OrderExportLabels,
} from "./export";

/**
 * `GET /api/admin/export/{orders|deductions}?from=YYYY-MM-DD&to=YYYY-MM-DD`: the admin only
 * (401/403 otherwise), a 400 with the reason for a bad range, then the CSV as a download, headed
 * in the admin's language. Each export is audited (who, which, what range).
 */
export function exportRoute(kind: ExportKind) {
  return route(async (request) => {
    const admin = await assertAdmin();
    const dates = exportDates(new URL(request.url).searchParams, await now());
    const db = await getDb();
    const body =
      kind === "orders"
        ? orderCsv(db, dates.range, await orderLabels())
        : deductionCsv(db, dates.range, await deductionLabels());
    await insertAudit(db, {
      actorKind: "user",
      actorUserId: admin.id,
      action: `export.${kind}`,
      targetType: "export",
      targetId: kind,
      details: { from: dates.from, to: dates.to },
    });
    const file = exportFileName(kind, dates);
    return new Response(body, {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${file}"; filename*=UTF-8''${file}`,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
    });
  });
}

async function orderLabels(): Promise<OrderExportLabels> {
  const [t, tStatus, locale] = await Promise.all([
    getTranslations("admin.export.orders"),
    getTranslations("orderStatus"),
    getLocale().then(toLocale),
  ]);
  return {
    headers: {
      orderNo: t("orderNo"),
      createdAt: t("createdAt"),
      paidAt: t("paidAt"),
      channel: t("channel"),
      status: t("status"),
      statusCode: t("statusCode"),
      product: t("product"),
      buyer: t("buyer"),
      amount: t("amount"),
      providerTradeNo: t("providerTradeNo"),
      period: t("period"),
      note: t("note"),
    },
    channel: (order) =>
      order.provider === "youzan"
        ? t("channels.youzan")
        : order.kind === "renewal"
          ? t("channels.alipayRenewal")
          : t("channels.alipayFirst"),
    status: (status) => tStatus(status),
    productName: (row) => pick(locale, row.productNameZh, row.productNameEn),
  };
}

async function deductionLabels(): Promise<DeductionExportLabels> {
  const t = await getTranslations("admin.export.deductions");
  return {
    headers: {
      time: t("time"),
      method: t("method"),
      outcome: t("outcome"),
      code: t("code"),
      subCode: t("subCode"),
      subMessage: t("subMessage"),
      httpStatus: t("httpStatus"),
      durationMs: t("durationMs"),
      agreement: t("agreement"),
      alipayAgreement: t("alipayAgreement"),
      orderNo: t("orderNo"),
      attempt: t("attempt"),
      amount: t("amount"),
    },
  };
}
