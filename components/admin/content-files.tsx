"use client";

import { useRouter } from "next/navigation";
import { useFormatter, useTranslations } from "next-intl";
import { useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import type { FileJson } from "@/lib/admin/content-file-json";
import { MAX_FILE_NAME } from "@/lib/admin/content-input";
import { fileKindLabel, formatBytes } from "@/lib/delivery/format";
import { ContentDelete } from "./content-delete";

/** Where the files hang: a one-off product, or the members' area. */
export type FilesTarget = { kind: "product"; productId: string } | { kind: "members" };

interface ErrorAnswer {
  error?: { code?: string; fields?: Record<string, string[]> };
}

type Notice = { kind: "ok" | "error"; text: string } | null;

/** What an upload sends progress as: the share of the body the browser has sent. */
function sendWithProgress(
  url: string,
  body: FormData,
  onProgress: (percent: number) => void,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", url);
    request.responseType = "json";
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(Math.round((event.loaded / event.total) * 100));
    };
    request.onload = () => resolve({ status: request.status, body: request.response as unknown });
    request.onerror = () => reject(new Error("network"));
    request.onabort = () => reject(new Error("network"));
    request.send(body);
  });
}

/**
 * A product's (or the members' area's) files: the list in order with name, type, size, SHA-256
 * and upload time; an upload with a progress bar (XMLHttpRequest's upload progress; the body is
 * streamed to storage by `/api/admin/uploads/…`), up / down, rename, replace and delete (asked
 * twice). Refusals (type, size, name) show in the admin's language from the answer's field code.
 */
export function ContentFiles({
  target,
  files,
  maxMb,
}: {
  target: FilesTarget;
  files: FileJson[];
  maxMb: number;
}) {
  const t = useTranslations("admin.content.files");
  const tField = useTranslations("admin.content.fieldErrors");
  const tErrors = useTranslations("admin.content.errors");
  const format = useFormatter();
  const router = useRouter();
  const input = useRef<HTMLInputElement>(null);
  const replaceInput = useRef<HTMLInputElement>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<Notice>(null);
  const [renaming, setRenaming] = useState<{ id: string; name: string } | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [replacing, setReplacing] = useState<string | null>(null);

  const uploadUrl =
    target.kind === "product"
      ? `/api/admin/uploads/products/${target.productId}`
      : "/api/admin/uploads/members";

  /** The answer's field code in the admin's language, else its status's. */
  function messageOf(status: number, body: unknown): string {
    const fields = (body as ErrorAnswer | null)?.error?.fields ?? {};
    for (const codes of Object.values(fields)) {
      const code = codes[0];
      if (code && tField.has(code)) return tField(code, { mb: maxMb });
    }
    if (status === 413) return tField("file.too_large", { mb: maxMb });
    if (status === 415) return tField("file.type");
    if (status === 401) return tErrors("unauthorized");
    if (status === 403) return tErrors("forbidden");
    if (status === 404) return tErrors("not_found");
    if (status === 503) return tErrors("unavailable");
    return tErrors("failed");
  }

  async function upload(url: string, file: File, done: (name: string) => string) {
    if (file.size > maxMb * 1024 * 1024) {
      setNotice({ kind: "error", text: tField("file.too_large", { mb: maxMb }) });
      return;
    }
    const body = new FormData();
    body.append("file", file);
    setBusy(true);
    setNotice(null);
    setProgress(0);
    try {
      const answer = await sendWithProgress(url, body, setProgress);
      if (answer.status >= 200 && answer.status < 300) {
        const saved = (answer.body as { file?: FileJson } | null)?.file;
        setNotice({ kind: "ok", text: done(saved?.fileName ?? file.name) });
        router.refresh();
      } else {
        setNotice({ kind: "error", text: messageOf(answer.status, answer.body) });
      }
    } catch {
      setNotice({ kind: "error", text: tErrors("network") });
    } finally {
      setBusy(false);
      setProgress(null);
    }
  }

  async function uploadNew() {
    const file = input.current?.files?.[0];
    if (!file) {
      setNotice({ kind: "error", text: tField("file.missing") });
      return;
    }
    await upload(uploadUrl, file, (name) => t("uploaded", { name }));
    if (input.current) input.current.value = "";
  }

  async function replaceWith(fileId: string) {
    const file = replaceInput.current?.files?.[0];
    if (!file) return;
    await upload(`/api/admin/uploads/files/${fileId}`, file, (name) => t("replaced", { name }));
    if (replaceInput.current) replaceInput.current.value = "";
    setReplacing(null);
  }

  async function call(url: string, init: RequestInit, ok: string) {
    setBusy(true);
    setNotice(null);
    try {
      const response = await fetch(url, init);
      const body: unknown = await response.json().catch(() => null);
      if (response.ok) {
        setNotice({ kind: "ok", text: ok });
        router.refresh();
        return true;
      }
      setNotice({ kind: "error", text: messageOf(response.status, body) });
    } catch {
      setNotice({ kind: "error", text: tErrors("network") });
    } finally {
      setBusy(false);
    }
    return false;
  }

  const jsonInit = (method: string, body: unknown): RequestInit => ({
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

  async function move(index: number, by: -1 | 1) {
    const ids = files.map((file) => file.id);
    const other = index + by;
    if (other < 0 || other >= ids.length) return;
    [ids[index], ids[other]] = [ids[other]!, ids[index]!];
    await call(
      "/api/admin/files/reorder",
      jsonInit("POST", { productId: target.kind === "product" ? target.productId : null, ids }),
      t("reordered"),
    );
  }

  async function rename() {
    if (!renaming) return;
    const ok = await call(
      `/api/admin/files/${renaming.id}`,
      jsonInit("PATCH", { fileName: renaming.name }),
      t("renamed"),
    );
    if (ok) setRenaming(null);
  }

  async function remove(fileId: string) {
    setConfirming(null);
    await call(`/api/admin/files/${fileId}`, { method: "DELETE" }, t("deleted"));
  }

  return (
    <section className="space-y-4" data-testid="content-files">
      <div className="space-y-1">
        <h2 className="text-lg font-semibold">{t("title")}</h2>
        <p className="text-sm text-stone-600">
          {t(target.kind === "members" ? "membersHint" : "hint", { mb: maxMb })}
        </p>
      </div>
      {files.length === 0 ? (
        <p className="text-sm text-stone-500">{t("empty")}</p>
      ) : (
        <ol className="divide-y divide-stone-200 rounded-xl border border-stone-200 bg-white">
          {files.map((file, index) => (
            <li
              key={file.id}
              className="space-y-2 p-3 sm:p-4"
              data-testid="content-file"
              data-file-id={file.id}
            >
              <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
                {renaming?.id === file.id ? (
                  <div className="flex w-full flex-wrap gap-2">
                    <label htmlFor={`file-name-${file.id}`} className="sr-only">
                      {t("name")}
                    </label>
                    <input
                      id={`file-name-${file.id}`}
                      value={renaming.name}
                      maxLength={MAX_FILE_NAME}
                      onChange={(event) => setRenaming({ id: file.id, name: event.target.value })}
                      className="min-w-0 flex-1 rounded-lg border border-stone-300 px-3 py-2 text-base"
                      data-testid="content-file-name-input"
                    />
                    <Button type="button" onClick={rename} disabled={busy}>
                      {t("save")}
                    </Button>
                    <Button type="button" variant="ghost" onClick={() => setRenaming(null)}>
                      {t("cancel")}
                    </Button>
                  </div>
                ) : (
                  <p
                    className="min-w-0 font-medium break-all text-stone-900"
                    data-testid="content-file-name"
                  >
                    <span className="mr-2 text-stone-400">{`${index + 1}.`}</span>
                    {file.fileName}
                  </p>
                )}
                <p className="text-xs text-stone-500">
                  {format.dateTime(new Date(file.createdAt), {
                    dateStyle: "medium",
                    timeStyle: "short",
                  })}
                </p>
              </div>
              <dl className="grid grid-cols-3 gap-2 text-xs text-stone-600 sm:flex sm:gap-6">
                <div>
                  <dt className="text-stone-400">{t("type")}</dt>
                  <dd data-testid="content-file-type">{fileKindLabel(file.contentType)}</dd>
                </div>
                <div>
                  <dt className="text-stone-400">{t("size")}</dt>
                  <dd>{formatBytes(file.byteSize)}</dd>
                </div>
                <div>
                  <dt className="text-stone-400">{t("sha256")}</dt>
                  <dd className="font-mono" title={file.sha256}>
                    {file.sha256.slice(0, 12)}
                  </dd>
                </div>
              </dl>
              <div className="flex flex-wrap gap-2">
                <Button
                  type="button"
                  variant="secondary"
                  className="px-3 py-1"
                  onClick={() => move(index, -1)}
                  disabled={busy || index === 0}
                  aria-label={t("upLabel", { name: file.fileName })}
                  data-testid="content-file-up"
                >
                  {`↑ ${t("up")}`}
                </Button>
                <Button
                  type="button"
                  variant="secondary"
                  className="px-3 py-1"
                  onClick={() => move(index, 1)}
                  disabled={busy || index === files.length - 1}
                  aria-label={t("downLabel", { name: file.fileName })}
                  data-testid="content-file-down"
                >
                  {`↓ ${t("down")}`}
                </Button>
                <Button
                  type="button"
                  variant="secondary"
                  className="px-3 py-1"
                  onClick={() => setRenaming({ id: file.id, name: file.fileName })}
                  disabled={busy}
                >
                  {t("rename")}
                </Button>
                <Button
                  type="button"
                  variant="secondary"
                  className="px-3 py-1"
                  onClick={() => setReplacing(replacing === file.id ? null : file.id)}
                  disabled={busy}
                >
                  {t("replace")}
                </Button>
                <ContentDelete
                  confirming={confirming === file.id}
                  onAsk={() => setConfirming(file.id)}
                  onCancel={() => setConfirming(null)}
                  busy={busy}
                  testId="content-file-delete"
                  labels={{ delete: t("delete"), confirm: t("confirmDelete"), cancel: t("cancel") }}
                  confirm={{ onClick: () => void remove(file.id) }}
                />
              </div>
              {replacing === file.id ? (
                <div className="flex flex-wrap items-center gap-2">
                  <label htmlFor={`file-replace-${file.id}`} className="text-sm text-stone-700">
                    {t("replaceWith")}
                  </label>
                  <input
                    ref={replaceInput}
                    id={`file-replace-${file.id}`}
                    type="file"
                    accept=".pdf,.epub,.zip,application/pdf,application/epub+zip,application/zip"
                    className="block w-full text-sm sm:w-auto"
                  />
                  <Button type="button" onClick={() => replaceWith(file.id)} disabled={busy}>
                    {t("replaceUpload")}
                  </Button>
                </div>
              ) : null}
            </li>
          ))}
        </ol>
      )}
      <div className="space-y-2 rounded-xl border border-dashed border-stone-300 p-3 sm:p-4">
        <label
          htmlFor={`content-upload-${target.kind}`}
          className="block text-sm font-medium text-stone-700"
        >
          {t("choose")}
        </label>
        <input
          ref={input}
          id={`content-upload-${target.kind}`}
          type="file"
          accept=".pdf,.epub,.zip,application/pdf,application/epub+zip,application/zip"
          className="block w-full text-sm file:mr-3 file:rounded-lg file:border file:border-stone-300 file:bg-white file:px-3 file:py-2"
          data-testid="content-file-input"
        />
        <Button
          type="button"
          onClick={uploadNew}
          disabled={busy}
          className="w-full sm:w-auto"
          data-testid="content-file-upload"
        >
          {progress !== null ? t("uploading", { percent: progress }) : t("upload")}
        </Button>
        {progress !== null ? (
          <div className="space-y-1" data-testid="content-upload-progress">
            <progress
              max={100}
              value={progress}
              aria-label={t("progress")}
              className="h-2 w-full overflow-hidden rounded accent-brand-600"
            />
            <p className="text-xs text-stone-500">{t("uploading", { percent: progress })}</p>
          </div>
        ) : null}
      </div>
      {notice ? (
        <p
          role={notice.kind === "error" ? "alert" : "status"}
          className={`rounded-lg p-3 text-sm ${notice.kind === "error" ? "bg-red-50 text-red-700" : "bg-emerald-50 text-emerald-800"}`}
          data-testid="content-files-notice"
        >
          {notice.text}
        </p>
      ) : null}
    </section>
  );
}
