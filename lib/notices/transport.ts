import "server-only";
import nodemailer from "nodemailer";

/*
 * Where mail goes. One interface, three transports chosen by the environment (lib/env.ts
 * `mail.transport`): SMTP through nodemailer (`SMTP_URL`), the sandbox mailbox (sandbox mode
 * without SMTP: the same nodemailer message, built to its raw RFC 5322 form and stored for
 * /sandbox/mail), or none (live without SMTP: notices wait in the outbox).
 */

export interface OutgoingMail {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Extra headers (List-Unsubscribe, X-Xiaopu-Notice…). */
  headers: Record<string, string>;
  /** The outbox row, recorded by the sandbox mailbox. */
  noticeId: string;
}

export interface SentMail {
  messageId: string;
}

/** A send that failed; `permanent` when no retry can cure it (the server refused the address). */
export class MailSendError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = "MailSendError";
  }
}

export interface MailTransport {
  kind: "smtp" | "sandbox" | "hold";
  /** Throws MailSendError. */
  send(mail: OutgoingMail): Promise<SentMail>;
}

/** What the sandbox mailbox stores for one message. */
export interface MailboxEntry {
  messageId: string;
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  raw: string;
  noticeId: string;
}

const SMTP_TIMEOUT_MS = 10_000;

/** SMTP through nodemailer; a 5xx reply naming the recipient is permanent, anything else is not. */
export function smtpTransport(options: { url: string; from: string }): MailTransport {
  const transporter = nodemailer.createTransport(options.url, {
    from: options.from,
  });
  // Timeouts apply to URL-configured transports too (set on the options nodemailer parsed).
  const parsed = transporter.options as Record<string, unknown>;
  parsed.connectionTimeout = SMTP_TIMEOUT_MS;
  parsed.greetingTimeout = SMTP_TIMEOUT_MS;
  parsed.socketTimeout = SMTP_TIMEOUT_MS;
  return {
    kind: "smtp",
    async send(mail) {
      try {
        const info = await transporter.sendMail({
          from: options.from,
          to: mail.to,
          subject: mail.subject,
          html: mail.html,
          text: mail.text,
          headers: mail.headers,
        });
        return { messageId: String(info.messageId ?? "") };
      } catch (error) {
        throw mailSendErrorOf(error);
      }
    },
  };
}

/** What a nodemailer failure means for the notice: retried, unless the address is refused for good. */
export function mailSendErrorOf(error: unknown): MailSendError {
  const e = error as { responseCode?: unknown; code?: unknown; message?: unknown };
  const responseCode = typeof e.responseCode === "number" ? e.responseCode : null;
  const code = typeof e.code === "string" ? e.code : "";
  const message = typeof e.message === "string" ? e.message : String(error);
  // A 5xx for the recipient (550 no such mailbox, 553 not allowed…) is final; a 4xx (451 try
  // later, greylisting), a refused connection or a timeout are worth another try, and so is a
  // 5xx elsewhere (535 bad credentials: the owner fixes SMTP_URL, the notices then go out).
  const permanent =
    responseCode !== null &&
    responseCode >= 500 &&
    (code === "EENVELOPE" || (responseCode >= 550 && responseCode <= 553));
  const label = [code, responseCode].filter(Boolean).join(" ");
  return new MailSendError(`${label ? `${label}: ` : ""}${message}`.slice(0, 500), permanent);
}

/**
 * The sandbox mailbox: nodemailer builds the message exactly as SMTP would carry it (stream
 * transport), and `store` keeps it (db/queries/sandbox-mail.ts) for /sandbox/mail.
 */
export function sandboxMailboxTransport(options: {
  from: string;
  store: (entry: MailboxEntry) => Promise<void>;
}): MailTransport {
  const builder = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: "unix",
  });
  return {
    kind: "sandbox",
    async send(mail) {
      const info = await builder.sendMail({
        from: options.from,
        to: mail.to,
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        headers: mail.headers,
      });
      const messageId = String(info.messageId ?? "");
      await options.store({
        messageId,
        from: options.from,
        to: mail.to,
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        headers: mail.headers,
        raw: Buffer.isBuffer(info.message) ? info.message.toString("utf8") : String(info.message),
        noticeId: mail.noticeId,
      });
      return { messageId };
    },
  };
}

/** Live mode without SMTP: nothing is sent; the sender leaves notices pending and says why. */
export const holdTransport: MailTransport = {
  kind: "hold",
  send() {
    return Promise.reject(new MailSendError("no SMTP_URL configured: mail is held", false));
  },
};
