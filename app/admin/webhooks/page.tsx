import { getTranslations } from "next-intl/server";
import { codeLabelText } from "@/components/admin/webhooks-code-parts";
import { ListFilters } from "@/components/admin/webhooks-filters";
import { WebhooksList } from "@/components/admin/webhooks-list";
import { getDb } from "@/db";
import { inboxPage, inboxQuery, INBOX_PROVIDERS } from "@/lib/admin/inbox";
import { INBOX_STATUSES, WEBHOOK_EVENTS } from "@/lib/admin/inbox-codes";
import { pageQuery } from "@/lib/admin/query";
import { requireAdmin } from "@/lib/auth/guards";

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

/**
 * /admin/webhooks: every delivery from Youzan and Alipay, newest first, filtered by provider,
 * status and event kind (`?provider=&status=&kind=`; the dashboard links here with `?status=`).
 */
export default async function AdminWebhooksPage({ searchParams }: Props) {
  await requireAdmin();
  const { query } = pageQuery(inboxQuery, await searchParams);
  const filters = { provider: query.provider, status: query.status, kind: query.kind };
  const [t, tProvider, tCodes, initial] = await Promise.all([
    getTranslations("admin.inbox"),
    getTranslations("admin.providers"),
    getTranslations("admin.codes"),
    // The first page always (a shared link's cursor is not kept: pages move as rows arrive).
    getDb().then((db) => inboxPage(db, { ...query, cursor: undefined })),
  ]);
  const label = (group: string, code: string) => codeLabelText(tCodes, group, code);
  return (
    <div className="min-w-0 space-y-4">
      <div className="space-y-1">
        <h1 className="text-2xl font-bold">{t("title")}</h1>
        <p className="text-sm text-stone-600">{t("intro")}</p>
      </div>
      <ListFilters
        action="/admin/webhooks"
        testId="inbox-filters"
        allLabel={t("filters.all")}
        applyLabel={t("filters.apply")}
        clearLabel={t("filters.clear")}
        fields={[
          {
            name: "provider",
            label: t("filters.provider"),
            value: filters.provider,
            options: INBOX_PROVIDERS.map((p) => ({ value: p, label: tProvider(p) })),
          },
          {
            name: "status",
            label: t("filters.status"),
            value: filters.status,
            options: INBOX_STATUSES.map((s) => ({ value: s, label: label("inboxStatus", s) })),
          },
          {
            name: "kind",
            label: t("filters.kind"),
            value: filters.kind,
            options: WEBHOOK_EVENTS.map((k) => ({ value: k, label: label("webhookEvent", k) })),
          },
        ]}
      />
      <WebhooksList key={JSON.stringify(filters)} filters={filters} initial={initial} />
    </div>
  );
}
