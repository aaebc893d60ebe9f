import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SmtpCatcher, startSmtpCatcher } from "./mail/smtp.ts";
import { createSimulator } from "./simulator.ts";

/** The mail catcher over real SMTP (nodemailer as the client) and its control endpoints. */
const simulator = createSimulator();
let catcher: SmtpCatcher;
const transport = () =>
  nodemailer.createTransport({ host: "127.0.0.1", port: catcher.port, secure: false, ignoreTLS: true });

beforeAll(async () => {
  catcher = await startSmtpCatcher(simulator.mailbox, { port: 0 });
});
afterAll(() => catcher.close());

const control = (path = "", init?: RequestInit) => simulator.app.request(`/_control/mail${path}`, init);

describe("the simulator's mail catcher", () => {
  it("catches a message with its envelope, headers, bodies and links; lists newest first; clears", async () => {
    await transport().sendMail({
      from: "Shop <shop@example.com>",
      to: "Ann <ann@example.com>",
      subject: "First",
      text: "Open https://app.example.com/a?x=1 now.",
      html: '<p><a href="https://app.example.com/b?x=1&amp;y=2">b</a></p>',
    });
    await transport().sendMail({ from: "shop@example.com", to: "bob@example.com", subject: "Second", text: "Hi" });

    const list = await (await control()).json();
    expect(list.data.map((m: { subject: string }) => m.subject)).toEqual(["Second", "First"]);
    const first = list.data[1];
    expect(first).toMatchObject({
      envelope: { from: "shop@example.com", to: ["ann@example.com"] },
      from: "Shop <shop@example.com>",
      to: ["ann@example.com"],
      links: ["https://app.example.com/a?x=1", "https://app.example.com/b?x=1&y=2"],
    });
    expect(first.text).toContain("Open https://app.example.com/a?x=1 now.");
    expect(first.html).toContain("<a href=");
    expect(await (await control(`/${first.id}`)).json()).toMatchObject({ subject: "First" });
    expect((await (await control("?to=bob@example.com")).json()).data).toHaveLength(1);

    expect((await control("", { method: "DELETE" })).status).toBe(204);
    expect((await (await control()).json()).data).toEqual([]);
    expect((await control(`/${first.id}`)).status).toBe(404);
  });

  it("refuses recipients with the fault it is given: 451 temporary, 550 permanent, then accepts again", async () => {
    const put = (body: unknown) =>
      control("/faults", {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await put({ kind: "sometimes" })).status).toBe(400);

    expect((await put({ kind: "temporary", times: 1 })).status).toBe(204);
    await expect(transport().sendMail({ from: "a@example.com", to: "c@example.com", text: "x" })).rejects.toMatchObject(
      {
        responseCode: 451,
      },
    );
    expect((await put({ kind: "permanent", times: 1, to: "d@example.com" })).status).toBe(204);
    await transport().sendMail({ from: "a@example.com", to: "c@example.com", text: "not d" });
    await expect(transport().sendMail({ from: "a@example.com", to: "d@example.com", text: "x" })).rejects.toMatchObject(
      {
        responseCode: 550,
      },
    );
    await transport().sendMail({ from: "a@example.com", to: "d@example.com", text: "after" });
    expect(simulator.mailbox.list().map((m) => m.text?.trim())).toEqual(["after", "not d"]);
  });
});
