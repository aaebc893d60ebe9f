import { beforeEach, describe, expect, it } from "vitest";
import { createGraphSimulator, type GraphSimulator } from "./graph/app.ts";
import type { FaultKind } from "./graph/state.ts";

const PAGE = { id: "111000111000111", name: "Simulated Shop", accessToken: "EAApageTOKEN111" };
const OTHER_PAGE = { id: "222000222000222", name: "Other Shop", accessToken: "EAApageTOKEN222" };
const USER = { psid: "5550001", firstName: "Ada", lastName: "Lovelace", locale: "en_GB" };

let sim: GraphSimulator;

beforeEach(() => {
  sim = createGraphSimulator({ appId: "app-1", appSecret: "app-secret", pages: [PAGE, OTHER_PAGE], users: [USER] });
});

async function call(method: string, path: string, init: { body?: unknown; token?: string; bearer?: string } = {}) {
  const url = new URL(path, "http://graph.test");
  if (init.token) url.searchParams.set("access_token", init.token);
  const headers: Record<string, string> = {};
  if (init.bearer) headers.authorization = `Bearer ${init.bearer}`;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const response = await sim.app.request(url.toString(), {
    method,
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
}

const send = (text: string, psid = USER.psid) =>
  call("POST", `/v25.0/${PAGE.id}/messages`, {
    token: PAGE.accessToken,
    body: { recipient: { id: psid }, messaging_type: "RESPONSE", message: { text } },
  });

describe("Send API", () => {
  it("accepts a message with the token in the query or as a bearer and numbers the ids", async () => {
    const first = await send("Hello");
    const second = await call("POST", "/v24.0/me/messages", {
      bearer: PAGE.accessToken,
      body: { recipient: { id: USER.psid }, message: { text: "Again" } },
    });

    expect(first).toMatchObject({ status: 200, json: { recipient_id: USER.psid, message_id: "m_sim_1" } });
    expect(second).toMatchObject({ status: 200, json: { recipient_id: USER.psid, message_id: "m_sim_2" } });
    expect(sim.state.outbox.map((record) => [record.pageId, record.message?.text])).toEqual([
      [PAGE.id, "Hello"],
      [PAGE.id, "Again"],
    ]);
  });

  it("answers sender actions with the recipient only", async () => {
    const response = await call("POST", `/v25.0/${PAGE.id}/messages`, {
      token: PAGE.accessToken,
      body: { recipient: { id: USER.psid }, sender_action: "typing_on" },
    });

    expect(response).toEqual(expect.objectContaining({ status: 200, json: { recipient_id: USER.psid } }));
    expect(sim.state.outbox).toEqual([expect.objectContaining({ kind: "sender_action", senderAction: "typing_on" })]);
  });

  it("accepts form-encoded parameters with JSON values", async () => {
    const response = await sim.app.request(`/v25.0/${PAGE.id}/messages`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        access_token: PAGE.accessToken,
        recipient: JSON.stringify({ id: USER.psid }),
        message: JSON.stringify({ text: "form" }),
      }),
    });

    expect(response.status).toBe(200);
    expect(sim.calls[0]?.body).toEqual({ recipient: JSON.stringify({ id: USER.psid }), message: '{"text":"form"}' });
    expect(sim.calls[0]?.auth).toEqual({ via: "body", pageId: PAGE.id, userId: undefined });
  });

  it("rejects an unknown token with error 190 and HTTP 400", async () => {
    const response = await call("POST", `/v25.0/${PAGE.id}/messages`, {
      token: "nope",
      body: { recipient: { id: USER.psid }, message: { text: "x" } },
    });

    expect(response.status).toBe(400);
    expect(response.json).toEqual({
      error: {
        message: "Invalid OAuth access token.",
        type: "OAuthException",
        code: 190,
        fbtrace_id: expect.any(String),
      },
    });
    expect(sim.state.outbox).toHaveLength(0);
  });

  it("rejects a token of another Page, text over 2000 characters, and a tag-less MESSAGE_TAG", async () => {
    const foreign = await call("POST", `/v25.0/${PAGE.id}/messages`, {
      token: OTHER_PAGE.accessToken,
      body: { recipient: { id: USER.psid }, message: { text: "x" } },
    });
    const long = await send("a".repeat(2001));
    const exact = await send("é".repeat(2000));
    const untagged = await call("POST", `/v25.0/${PAGE.id}/messages`, {
      token: PAGE.accessToken,
      body: { recipient: { id: USER.psid }, messaging_type: "MESSAGE_TAG", message: { text: "x" } },
    });

    expect(foreign.json.error.code).toBe(200);
    expect(long).toMatchObject({ status: 400, json: { error: { code: 100 } } });
    expect(exact.status).toBe(200);
    expect(untagged).toMatchObject({ status: 400, json: { error: { code: 100 } } });
  });
});

describe("faults", () => {
  const cases: [FaultKind, number, number, number | undefined][] = [
    ["outside_window", 400, 10, 2018278],
    ["rate_limit", 400, 613, undefined],
    ["server_error", 500, 2, undefined],
    ["expired_token", 400, 190, 463],
    ["no_matching_user", 400, 100, 2018001],
    ["user_unavailable", 400, 551, 1545041],
  ];

  it.each(cases)("%s fails the next send with HTTP %i code %i, then clears", async (kind, status, code, subcode) => {
    sim.state.faults.set(USER.psid, { kind });

    const failed = await send("first try");
    const retried = await send("second try");

    expect(failed.status).toBe(status);
    expect(failed.json.error).toMatchObject({ code, type: "OAuthException" });
    expect(failed.json.error.error_subcode).toBe(subcode);
    expect(retried).toMatchObject({ status: 200, json: { message_id: "m_sim_1" } });
    expect(sim.state.faults.has(USER.psid)).toBe(false);
  });

  it("repeats `times` times and only for that recipient", async () => {
    sim.state.faults.set(USER.psid, { kind: "rate_limit", times: 2 });

    const other = await send("unaffected", "5550002");
    const statuses = [(await send("1")).status, (await send("2")).status, (await send("3")).status];

    expect(other.status).toBe(200);
    expect(statuses).toEqual([400, 400, 200]);
  });

  it("does not fire on sender actions", async () => {
    sim.state.faults.set(USER.psid, { kind: "server_error" });

    const typing = await call("POST", `/v25.0/${PAGE.id}/messages`, {
      token: PAGE.accessToken,
      body: { recipient: { id: USER.psid }, sender_action: "typing_on" },
    });

    expect(typing.status).toBe(200);
    expect((await send("now it fails")).status).toBe(500);
  });

  it("fires on sender actions only, or on every call, when asked to", async () => {
    const typing = () =>
      call("POST", `/v25.0/${PAGE.id}/messages`, {
        token: PAGE.accessToken,
        body: { recipient: { id: USER.psid }, sender_action: "typing_on" },
      });
    sim.state.faults.set(USER.psid, { kind: "expired_token", on: "sender_actions", times: 1 });
    expect((await send("unaffected")).status).toBe(200);
    const refused = await typing();
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatchObject({ code: 190, error_subcode: 463 });
    expect((await typing()).status).toBe(200);

    sim.state.faults.set(USER.psid, { kind: "server_error", on: "all", times: 2 });
    expect([(await typing()).status, (await send("x")).status, (await send("y")).status]).toEqual([500, 500, 200]);
  });

  it("missing_message_id sends the message but answers without an id", async () => {
    sim.state.faults.set(USER.psid, { kind: "missing_message_id" });
    const first = await send("no id");
    const second = await send("with id");
    expect(first).toMatchObject({ status: 200, json: { recipient_id: USER.psid } });
    expect(first.json).not.toHaveProperty("message_id");
    expect(second.json.message_id).toBe("m_sim_1");
    expect(sim.state.outbox.map((r) => [r.message?.text, r.messageId])).toEqual([
      ["no id", undefined],
      ["with id", "m_sim_1"],
    ]);
  });
});

describe("Pages, profiles and subscriptions", () => {
  it("returns the requested Page fields for any vNN.N prefix or none", async () => {
    for (const prefix of ["/v25.0", "/v22.0", ""]) {
      const response = await call("GET", `${prefix}/${PAGE.id}?fields=id,name`, { token: PAGE.accessToken });
      expect(response).toMatchObject({ status: 200, json: { id: PAGE.id, name: PAGE.name } });
    }
    const unknownField = await call("GET", `/v25.0/${PAGE.id}?fields=id,secret`, { token: PAGE.accessToken });
    expect(unknownField.json.error.code).toBe(100);
  });

  it("returns registered and deterministic fake profiles", async () => {
    const fields = "fields=first_name,last_name,profile_pic";
    const known = await call("GET", `/v25.0/${USER.psid}?${fields}`, { token: PAGE.accessToken });
    const stranger1 = await call("GET", `/v25.0/9990001?${fields}`, { token: PAGE.accessToken });
    const stranger2 = await call("GET", `/v25.0/9990001?${fields}`, { token: PAGE.accessToken });

    expect(known.json).toEqual({
      id: USER.psid,
      first_name: "Ada",
      last_name: "Lovelace",
      profile_pic: `http://graph.test/_avatar/${USER.psid}.svg`,
    });
    expect(stranger1.json).toEqual(stranger2.json);
    expect(stranger1.json.first_name).toEqual(expect.any(String));
    const avatar = await sim.app.request(`/_avatar/${USER.psid}.svg`);
    expect(await avatar.text()).toContain(">AL<");
  });

  it("refuses locale where the app has no approval for it, and every field of a person without a profile", async () => {
    sim.state.addPage({ ...PAGE, restrictedProfileFields: ["locale"] });
    sim.state.addUser({ psid: "5550009", firstName: "No", lastName: "Profile", profileUnavailable: true });
    const read = (psid: string, fields: string) =>
      call("GET", `/v25.0/${psid}?fields=${fields}`, { token: PAGE.accessToken });

    const withLocale = await read(USER.psid, "first_name,last_name,profile_pic,locale");
    expect(withLocale.status).toBe(400);
    expect(withLocale.json.error).toEqual({
      message: "(#100) Insufficient permission to access user profile.",
      type: "OAuthException",
      code: 100,
      error_subcode: 2018247,
      fbtrace_id: expect.any(String),
    });
    expect((await read(USER.psid, "first_name,last_name,profile_pic")).json.first_name).toBe("Ada");
    // Another Page's token may still read it.
    const other = await call("GET", `/v25.0/${USER.psid}?fields=locale`, { token: OTHER_PAGE.accessToken });
    expect(other.json.locale).toBe("en_GB");

    const hidden = await read("5550009", "first_name");
    expect(hidden.status).toBe(400);
    expect(hidden.json.error).toMatchObject({ code: 100, error_subcode: 2018218 });
  });

  it("subscribes, lists and unsubscribes the app", async () => {
    const path = `/v25.0/${PAGE.id}/subscribed_apps`;
    const token = PAGE.accessToken;

    const before = await call("GET", path, { token });
    const subscribe = await call("POST", `${path}?subscribed_fields=messages,messaging_postbacks,message_echoes`, {
      token,
    });
    const listed = await call("GET", path, { token });
    const bad = await call("POST", `${path}?subscribed_fields=messages,nonsense`, { token });
    const unsubscribe = await call("DELETE", path, { token });
    const after = await call("GET", path, { token });

    expect(before.json).toEqual({ data: [] });
    expect(subscribe.json).toEqual({ success: true });
    expect(listed.json.data[0]).toMatchObject({
      id: "app-1",
      subscribed_fields: ["messages", "messaging_postbacks", "message_echoes"],
    });
    expect(bad.json.error.code).toBe(100);
    expect(unsubscribe.json).toEqual({ success: true });
    expect(after.json).toEqual({ data: [] });
  });
});

describe("Facebook Login", () => {
  it("runs the dialog, code exchange, long-lived exchange and /me/accounts", async () => {
    const redirectUri = "http://127.0.0.1:3000/api/v1/channels/messenger/oauth/callback";
    const dialog = await sim.app.request(
      `/v25.0/dialog/oauth?client_id=app-1&redirect_uri=${encodeURIComponent(redirectUri)}&state=xyz&scope=pages_messaging`,
    );
    expect(dialog.status).toBe(302);
    const location = new URL(dialog.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
    expect(location.searchParams.get("state")).toBe("xyz");
    const code = location.searchParams.get("code") ?? "";

    const exchange = `/v25.0/oauth/access_token?client_id=app-1&client_secret=app-secret&redirect_uri=${encodeURIComponent(redirectUri)}&code=${code}`;
    const short = await call("GET", exchange);
    const reused = await call("GET", exchange);
    expect(short.json).toEqual({
      access_token: expect.any(String),
      token_type: "bearer",
      expires_in: expect.any(Number),
    });
    expect(reused.json.error).toMatchObject({ code: 100, error_subcode: 36009 });

    const long = await call(
      "GET",
      `/v25.0/oauth/access_token?grant_type=fb_exchange_token&client_id=app-1&client_secret=app-secret&fb_exchange_token=${short.json.access_token}`,
    );
    expect(long.json.expires_in).toBeGreaterThan(short.json.expires_in);

    const accounts = await call("GET", "/v25.0/me/accounts", { token: long.json.access_token });
    expect(accounts.json).toEqual({
      data: [
        expect.objectContaining({
          id: PAGE.id,
          name: PAGE.name,
          access_token: PAGE.accessToken,
          tasks: expect.any(Array),
        }),
        expect.objectContaining({ id: OTHER_PAGE.id, access_token: OTHER_PAGE.accessToken }),
      ],
      paging: { cursors: { before: expect.any(String), after: expect.any(String) } },
    });

    const firstPage = await call("GET", "/v25.0/me/accounts?limit=1", { token: long.json.access_token });
    const next = new URL(firstPage.json.paging.next);
    const secondPage = await call("GET", `${next.pathname}${next.search}`, { token: long.json.access_token });
    expect(secondPage.json.data.map((page: { id: string }) => page.id)).toEqual([OTHER_PAGE.id]);
  });

  it("accepts a Login for Business configuration in place of scope, and refuses a malformed one", async () => {
    const redirectUri = "http://127.0.0.1:3000/cb";
    const dialog = (query: string) =>
      sim.app.request(`/v25.0/dialog/oauth?client_id=app-1&redirect_uri=${encodeURIComponent(redirectUri)}&${query}`);

    const configured = await dialog(
      "state=s&config_id=123456789&response_type=code&override_default_response_type=true",
    );
    expect(configured.status).toBe(302);
    const code = new URL(configured.headers.get("location") ?? "").searchParams.get("code") ?? "";
    const exchange = await call(
      "GET",
      `/v25.0/oauth/access_token?client_id=app-1&client_secret=app-secret&redirect_uri=${encodeURIComponent(redirectUri)}&code=${code}`,
    );
    expect(exchange.json.access_token).toEqual(expect.any(String));

    const malformed = await dialog("config_id=not-a-config&response_type=code");
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error).toMatchObject({ code: 100, message: "(#100) Invalid config_id" });
    const implicit = await dialog("scope=pages_messaging&response_type=token");
    expect(implicit.status).toBe(400);
  });

  it("rejects a wrong client secret and a page token on /me/accounts", async () => {
    const wrongSecret = await call("GET", "/v25.0/oauth/access_token?client_id=app-1&client_secret=bad&code=x");
    const pageToken = await call("GET", "/v25.0/me/accounts", { token: PAGE.accessToken });

    expect(wrongSecret.json.error.code).toBe(1);
    expect(pageToken.json.error.code).toBe(100);
  });

  it("redirects with access_denied when the dialog is set to deny", async () => {
    sim.state.denyNextOAuth = true;
    const dialog = await sim.app.request("/v25.0/dialog/oauth?client_id=app-1&redirect_uri=http://x.test/cb&state=s");
    const location = new URL(dialog.headers.get("location") ?? "");

    expect(location.searchParams.get("error")).toBe("access_denied");
    expect(location.searchParams.get("code")).toBeNull();
    expect(location.searchParams.get("state")).toBe("s");
  });
});

describe("ID Matching API", () => {
  it("lists an app-scoped user's PSIDs with their Pages, for the app access token only", async () => {
    sim.state.addUser({ psid: "5550002", firstName: "Bo", lastName: "B", asid: "asid-9", pageId: OTHER_PAGE.id });
    sim.state.addUser({ psid: "5550003", firstName: "Bo", lastName: "B", asid: "asid-9" });
    const ok = await call("GET", "/v25.0/asid-9/ids_for_pages", { token: "app-1|app-secret" });
    expect(ok.status).toBe(200);
    expect(ok.json.data).toEqual([
      { id: "5550002", page: { id: OTHER_PAGE.id, name: OTHER_PAGE.name } },
      { id: "5550003", page: { id: PAGE.id, name: PAGE.name } },
    ]);
    expect((await call("GET", "/v25.0/nobody/ids_for_pages", { token: "app-1|app-secret" })).json.data).toEqual([]);
    for (const token of ["app-1|wrong", PAGE.accessToken]) {
      const refused = await call("GET", "/v25.0/asid-9/ids_for_pages", { token });
      expect(refused.status).toBe(400);
      expect(refused.json.error.code).toBe(190);
    }
  });
});

describe("call recording", () => {
  it("records method, path, query, headers and body, never the token", async () => {
    await call("POST", `/v25.0/${PAGE.id}/messages?debug=all`, {
      bearer: PAGE.accessToken,
      body: { recipient: { id: USER.psid }, message: { text: "Grüße" } },
    });
    await call("GET", `/v25.0/${PAGE.id}?fields=id,name`, { token: PAGE.accessToken });

    expect(sim.calls).toHaveLength(2);
    expect(sim.calls[0]).toMatchObject({
      seq: 1,
      method: "POST",
      path: `/v25.0/${PAGE.id}/messages`,
      version: "v25.0",
      query: { debug: "all" },
      body: { recipient: { id: USER.psid }, message: { text: "Grüße" } },
      auth: { via: "header", pageId: PAGE.id },
      status: 200,
      response: { message_id: "m_sim_1" },
    });
    expect(sim.calls[1]).toMatchObject({ query: { fields: "id,name" }, auth: { via: "query", pageId: PAGE.id } });
    expect(JSON.stringify(sim.calls)).not.toContain(PAGE.accessToken);
    expect(sim.calls[0]?.headers.authorization).toBeUndefined();
  });

  it("does not record the browser's cookies when the OAuth dialog is opened", async () => {
    await sim.app.request("/v25.0/dialog/oauth?client_id=app-1&redirect_uri=http://x.test/cb", {
      headers: { cookie: "tandem_session=secret" },
    });

    expect(sim.calls[0]?.headers.cookie).toBeUndefined();
    expect(sim.calls[0]?.status).toBe(302);
  });

  it("reset() clears calls, outbox and faults and restores seeded pages", async () => {
    await send("before reset");
    sim.state.addPage({ id: "333", name: "Temp", accessToken: "tmp" });
    sim.state.faults.set(USER.psid, { kind: "rate_limit" });

    sim.reset();

    expect(sim.calls).toHaveLength(0);
    expect(sim.state.outbox).toHaveLength(0);
    expect(sim.state.faults.size).toBe(0);
    expect([...sim.state.pages.keys()]).toEqual([PAGE.id, OTHER_PAGE.id]);
    expect((await send("after reset")).json.message_id).toBe("m_sim_1");
  });

  it("answers unknown paths with Graph error 2500", async () => {
    const response = await call("GET", "/v25.0/a/b/c", { token: PAGE.accessToken });
    expect(response).toMatchObject({ status: 400, json: { error: { code: 2500 } } });
  });
});
