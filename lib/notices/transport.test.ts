import { describe, expect, it } from "vitest";
import { holdTransport, MailSendError, mailSendErrorOf } from "./transport";

const failure = (fields: Record<string, unknown>) =>
  Object.assign(new Error(String(fields.message ?? "failed")), fields);

describe("mailSendErrorOf", () => {
  it("a recipient refused for good (5xx on RCPT, 550–553) is permanent", () => {
    for (const responseCode of [550, 551, 553, 554]) {
      const error = mailSendErrorOf(failure({ code: "EENVELOPE", responseCode }));
      expect(error.permanent, String(responseCode)).toBe(true);
      expect(error.message).toContain(String(responseCode));
    }
    expect(mailSendErrorOf(failure({ code: "EMESSAGE", responseCode: 552 })).permanent).toBe(true);
  });

  it("a temporary refusal, bad credentials, a refused connection or a timeout are retried", () => {
    for (const fields of [
      { code: "EENVELOPE", responseCode: 451 },
      { code: "EAUTH", responseCode: 535 },
      { code: "ECONNECTION", message: "connect ECONNREFUSED 127.0.0.1:25" },
      { code: "ETIMEDOUT" },
      {},
    ]) {
      expect(mailSendErrorOf(failure(fields)).permanent, JSON.stringify(fields)).toBe(false);
    }
    expect(mailSendErrorOf("a string").permanent).toBe(false);
  });

  it("keeps the reason short", () => {
    expect(mailSendErrorOf(failure({ message: "x".repeat(5000) })).message.length).toBe(500);
  });
});

describe("holdTransport", () => {
  it("never sends, and says why (retryable)", async () => {
    const error = await holdTransport
      .send({ to: "a@b.cn", subject: "s", html: "", text: "", headers: {}, noticeId: "ntc_x" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailSendError);
    expect((error as MailSendError).permanent).toBe(false);
  });
});
