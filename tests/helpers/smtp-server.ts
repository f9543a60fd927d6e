import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

/**
 * A real SMTP server (the `smtp-server` package) on a loopback port, for the notices tests: what
 * the shop's nodemailer transport sends arrives here and is parsed (mailparser). It can be
 * stopped and started again on the same port (SMTP down for a while), or made to refuse every
 * recipient with a temporary (451) or permanent (550) error.
 */
export interface ReceivedMail {
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  headers: Map<string, unknown>;
  /** A header as it was sent (unfolded), by lower-case name; "" when absent. */
  header(name: string): string;
  messageId: string;
}

export interface TestSmtpServer {
  url: string;
  port: number;
  received: ReceivedMail[];
  /** Mails to one address. */
  to(address: string): ReceivedMail[];
  /** Refuse recipients: 451 (try later) or 550 (no such mailbox); null accepts again. */
  refuse(code: 451 | 550 | null): void;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startSmtpServer(): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  let refusing: 451 | 550 | null = null;
  let server: SMTPServer | null = null;
  let port = 0;

  const make = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS", "AUTH"],
      logger: false,
      onRcptTo(address, _session, callback) {
        if (refusing === null) return callback();
        const error = new Error(
          refusing === 451 ? "try again later" : `no such mailbox: ${address.address}`,
        ) as Error & { responseCode: number };
        error.responseCode = refusing;
        callback(error);
      },
      onData(stream, session, callback) {
        simpleParser(stream)
          .then((parsed) => {
            for (const rcpt of session.envelope.rcptTo) {
              received.push({
                to: rcpt.address.toLowerCase(),
                from: parsed.from?.text ?? "",
                subject: parsed.subject ?? "",
                text: parsed.text ?? "",
                html: typeof parsed.html === "string" ? parsed.html : "",
                headers: parsed.headers,
                header: (name) => {
                  const line = parsed.headerLines.find((h) => h.key === name.toLowerCase())?.line;
                  return line
                    ? line
                        .slice(line.indexOf(":") + 1)
                        .replace(/\r?\n\s+/g, " ")
                        .trim()
                    : "";
                },
                messageId: parsed.messageId ?? "",
              });
            }
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });

  const start = async () => {
    if (server) return;
    server = make();
    server.listen(port, "127.0.0.1");
    await once(server.server, "listening");
    port = (server.server.address() as AddressInfo).port;
  };
  const stop = async () => {
    const current = server;
    server = null;
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  };
  await start();
  return {
    get url() {
      return `smtp://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    received,
    to: (address) => received.filter((mail) => mail.to === address.toLowerCase()),
    refuse(code) {
      refusing = code;
    },
    stop,
    start,
    close: stop,
  };
}
