/*
 * The one layout every notice mail shares (lib/notices/render.ts fills it per kind): an HTML part
 * built from tables with inline styles only — what mail clients keep; no <style>, no script, no
 * remote image — at most 560 px wide, readable on a 320 px phone; and a plain-text part with the
 * same words and every URL in full. Pure.
 *
 * Every string put into the HTML goes through `escapeHtml` here, once: the per-kind code hands
 * over plain text (translated messages with product titles, addresses and order numbers in them)
 * and never HTML, so a hostile title cannot open a tag or leave an attribute.
 */

export interface MailLink {
  label: string;
  url: string;
}

export interface MailFact {
  label: string;
  value: string;
  /** The value links there (the owner's digest: each figure opens its list). */
  url?: string;
}

export interface MailContent {
  /** The whole subject line, shop name included. */
  subject: string;
  /** The shop's name, above the heading. */
  brand: string;
  heading: string;
  /** Paragraphs before the facts. */
  intro: string[];
  facts: MailFact[];
  /** The one primary, button-like link. */
  action: MailLink | null;
  /** Paragraphs after the button. */
  notes: string[];
  /** Secondary links, below the notes. */
  links: MailLink[];
  /** Renewal reminders only: "不想再收到续费提醒？退订". */
  unsubscribe: { text: string; link: MailLink } | null;
  footer: {
    /** "此邮件发送至 {to}。" */
    sentTo: string;
    /** The shop's name and address ("小铺 https://…"), linked to the address. */
    shop: MailLink;
    auto: string;
  };
  /** `<html lang>`. */
  lang: string;
  /** "{label}：{url}" in the plain-text part. */
  textLink: (link: MailLink) => string;
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Text (or an attribute value) safe inside HTML: `& < > " '` become entities. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * A URL fit for an `href`: only absolute http(s) URLs pass (views carry absolute APP_URL links);
 * anything else (`javascript:`, a relative path, garbage) becomes the shop's own address, so a
 * bad value never becomes a live link. Returns the normalised URL, not yet HTML-escaped.
 */
export function safeUrl(url: string, fallback: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === "https:" || parsed.protocol === "http:") return parsed.toString();
  } catch {
    // not a URL
  }
  return fallback;
}

/** Newlines and runs of spaces become one space: a subject is one header line. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

const FONT =
  "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI','PingFang SC','Hiragino Sans GB','Microsoft YaHei',Helvetica,Arial,sans-serif;";
const COLORS = {
  page: "#f5f5f4",
  card: "#ffffff",
  border: "#e7e5e4",
  brand: "#d93f0b",
  button: "#b4300c",
  link: "#b4300c",
  heading: "#1c1917",
  body: "#44403c",
  muted: "#78716c",
  facts: "#fafaf9",
};

// A table row of the card, its content padded like every other.
const row = (content: string, padding = "12px 24px 0") =>
  `<tr><td style="padding:${padding};${FONT}font-size:15px;line-height:24px;color:${COLORS.body};word-break:break-word;overflow-wrap:anywhere;">${content}</td></tr>`;

function anchor(link: MailLink, fallback: string, style: string): string {
  return `<a href="${escapeHtml(safeUrl(link.url, fallback))}" style="${style}">${escapeHtml(link.label)}</a>`;
}

function factsTable(facts: MailFact[], fallback: string): string {
  if (facts.length === 0) return "";
  const cells = facts
    .map((fact) => {
      const value = fact.url
        ? anchor(
            { label: fact.value, url: fact.url },
            fallback,
            `color:${COLORS.link};font-weight:600;`,
          )
        : escapeHtml(fact.value);
      return (
        `<tr>` +
        `<td style="padding:8px 12px;${FONT}font-size:14px;line-height:20px;color:${COLORS.muted};width:32%;vertical-align:top;">${escapeHtml(fact.label)}</td>` +
        `<td style="padding:8px 12px;${FONT}font-size:14px;line-height:20px;color:${COLORS.heading};vertical-align:top;word-break:break-word;overflow-wrap:anywhere;">${value}</td>` +
        `</tr>`
      );
    })
    .join("");
  return `<tr><td style="padding:16px 24px 0;"><table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:separate;background-color:${COLORS.facts};border:1px solid ${COLORS.border};border-radius:8px;">${cells}</table></td></tr>`;
}

/** The HTML part. */
export function mailHtml(content: MailContent): string {
  const home = content.footer.shop.url;
  const paragraphs = (texts: string[]) => texts.map((text) => row(escapeHtml(text))).join("");
  const button = content.action
    ? row(
        anchor(
          content.action,
          home,
          `display:inline-block;padding:12px 22px;background-color:${COLORS.button};color:#ffffff;border-radius:8px;text-decoration:none;${FONT}font-size:16px;line-height:22px;font-weight:700;`,
        ),
        "24px 24px 8px",
      )
    : "";
  const links = content.links
    .map((link) => row(anchor(link, home, `color:${COLORS.link};`), "8px 24px 0"))
    .join("");
  const footerLines = [
    content.unsubscribe
      ? `${escapeHtml(content.unsubscribe.text)} ${anchor(content.unsubscribe.link, home, `color:${COLORS.muted};text-decoration:underline;`)}`
      : null,
    escapeHtml(content.footer.sentTo),
    anchor(content.footer.shop, home, `color:${COLORS.muted};`),
    escapeHtml(content.footer.auto),
  ].filter((line): line is string => line !== null);
  return [
    "<!DOCTYPE html>",
    `<html lang="${escapeHtml(content.lang)}">`,
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light">',
    `<title>${escapeHtml(content.subject)}</title>`,
    "</head>",
    `<body style="margin:0;padding:0;background-color:${COLORS.page};">`,
    // The preview line mail apps show beside the subject.
    `<div style="display:none;max-height:0;overflow:hidden;opacity:0;">${escapeHtml(content.intro[0] ?? content.heading)}</div>`,
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:${COLORS.page};">`,
    `<tr><td align="center" style="padding:24px 12px;">`,
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:560px;width:100%;background-color:${COLORS.card};border:1px solid ${COLORS.border};border-radius:12px;">`,
    `<tr><td style="padding:24px 24px 0;${FONT}font-size:18px;line-height:24px;font-weight:700;color:${COLORS.brand};">${escapeHtml(content.brand)}</td></tr>`,
    `<tr><td style="padding:12px 24px 0;${FONT}font-size:20px;line-height:28px;font-weight:700;color:${COLORS.heading};word-break:break-word;overflow-wrap:anywhere;">${escapeHtml(content.heading)}</td></tr>`,
    paragraphs(content.intro),
    factsTable(content.facts, home),
    button,
    paragraphs(content.notes),
    links,
    `<tr><td style="padding:0 0 24px;"></td></tr>`,
    "</table>",
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:560px;width:100%;">`,
    `<tr><td style="padding:16px 24px;${FONT}font-size:12px;line-height:18px;color:${COLORS.muted};word-break:break-word;overflow-wrap:anywhere;">${footerLines.join("<br>")}</td></tr>`,
    "</table>",
    "</td></tr>",
    "</table>",
    "</body>",
    "</html>",
  ].join("\n");
}

/** The plain-text part: the same words, links spelled out with their full URLs. */
export function mailText(content: MailContent): string {
  const home = content.footer.shop.url;
  const link = (l: MailLink) => content.textLink({ label: l.label, url: safeUrl(l.url, home) });
  const blocks: string[] = [content.brand, content.heading];
  if (content.intro.length > 0) blocks.push(content.intro.join("\n\n"));
  if (content.facts.length > 0) {
    blocks.push(
      content.facts
        .map((fact) =>
          content.textLink({
            label: fact.label,
            url: fact.url ? `${fact.value} (${safeUrl(fact.url, home)})` : fact.value,
          }),
        )
        .join("\n"),
    );
  }
  if (content.action) blocks.push(link(content.action));
  if (content.notes.length > 0) blocks.push(content.notes.join("\n\n"));
  if (content.links.length > 0) blocks.push(content.links.map(link).join("\n"));
  const footer = [
    content.unsubscribe ? `${content.unsubscribe.text} ${link(content.unsubscribe.link)}` : null,
    content.footer.sentTo,
    // The label names the shop and spells out its address.
    content.footer.shop.label,
    content.footer.auto,
  ].filter((line): line is string => line !== null);
  blocks.push(`--\n${footer.join("\n")}`);
  return `${blocks.join("\n\n")}\n`;
}
