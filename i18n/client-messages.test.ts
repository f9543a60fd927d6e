import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  ADMIN_CLIENT_NAMESPACES,
  pickNamespaces,
  SHOP_CLIENT_NAMESPACES,
} from "@/i18n/client-messages";

/** Every .ts/.tsx file under a folder. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name) && !/\.test\./.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** The top-level namespace of every `useTranslations(...)` in a file ("" for none given). */
function namespacesOf(text: string): string[] {
  return [...text.matchAll(/useTranslations\(\s*(?:"([^".]*)[^"]*")?\s*\)/g)].map(
    (match) => match[1] ?? "",
  );
}

const CLIENT_FILES = ["app", "components"]
  .flatMap((dir) => sources(path.join(process.cwd(), dir)))
  .filter((file) => /^\s*["']use client["']/.test(readFileSync(file, "utf8")));

describe("the messages sent to the browser", () => {
  it("found the client modules", () => {
    expect(CLIENT_FILES.length).toBeGreaterThan(10);
  });

  it("hold every namespace a client component translates with (admin ones in the admin's)", () => {
    const missing: string[] = [];
    for (const file of CLIENT_FILES) {
      const relative = path.relative(process.cwd(), file);
      // The admin's client components render only under app/admin (its layout's provider).
      const allowed: readonly string[] = relative.startsWith(path.join("components", "admin"))
        ? ADMIN_CLIENT_NAMESPACES
        : SHOP_CLIENT_NAMESPACES;
      for (const namespace of namespacesOf(readFileSync(file, "utf8"))) {
        if (!allowed.includes(namespace)) missing.push(`${relative}: "${namespace}"`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("are cut to the listed namespaces", () => {
    const messages = { nav: { home: "首页" }, admin: { title: "后台" }, sandbox: { a: "b" } };
    expect(pickNamespaces(messages, SHOP_CLIENT_NAMESPACES)).toEqual({ nav: { home: "首页" } });
    expect(pickNamespaces(messages, ADMIN_CLIENT_NAMESPACES)).toEqual({
      nav: { home: "首页" },
      admin: { title: "后台" },
    });
  });
});
