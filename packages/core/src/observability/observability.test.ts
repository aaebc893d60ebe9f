/** The pure parts of observability: SQL made safe for spans, error events scrubbed, the metrics format. */
import { describe, expect, it } from "vitest";
import { scrubEvent } from "./error-reporting.ts";
import { Counter, Histogram, renderGauges } from "./metrics.ts";
import { metricsTokenMatches } from "./metrics-server.ts";
import { sanitizeSql } from "./tracing.ts";

describe("sanitizeSql", () => {
  it("keeps placeholders and identifiers, replaces literals", () => {
    expect(
      sanitizeSql(`select "id" from "message" where "text" = 'my password is hunter2' and n = 42 and x = $1`),
    ).toBe(`select "id" from "message" where "text" = ? and n = ? and x = $1`);
    expect(sanitizeSql("SET app.key = $tag$secret$tag$")).toBe("SET app.key = ?");
    expect(sanitizeSql("select 'it''s'")).toBe("select ?");
  });
});

describe("scrubEvent", () => {
  it("drops credential headers, cookies and bodies, and cuts tokens out of strings", () => {
    const event = scrubEvent({
      type: undefined,
      message: "failed with Bearer abc.def.ghi",
      request: {
        url: "https://app.example/api/auth/password/reset?token=pwr_abcdefghijklmnopqrstuvwxyz",
        headers: {
          Authorization: "Bearer tdm_0123456789abcdefghij",
          cookie: "tandem_session=s3cret",
          "x-api-key": "ck_0123456789abcdefghij",
          "x-visitor-token": "vt_0123456789abcdefghij",
          "x-csrf-token": "csrf",
          "user-agent": "curl/8",
        },
        cookies: { tandem_session: "s3cret" },
        data: { password: "hunter2" },
      },
      user: { id: "usr_1", email: "a@example.com", ip_address: "203.0.113.9" },
      exception: { values: [{ type: "Error", value: "token tdm_0123456789abcdefghijkl leaked" }] },
      extra: { apiKey: "sk-live-1", nested: { pageAccessToken: "EAAB0123456789012345678901", fine: "ok" } },
      breadcrumbs: [{ message: "GET /?token=1" }],
    });
    expect(event.request?.headers).toEqual({ "user-agent": "curl/8" });
    expect(event.request?.cookies).toBeUndefined();
    expect(event.request?.data).toBeUndefined();
    expect(event.request?.url).toBe("https://app.example/api/auth/password/reset?token=[redacted]");
    expect(event.user).toEqual({ id: "usr_1" });
    expect(event.message).toBe("failed with Bearer [redacted]");
    expect(event.exception?.values?.[0]?.value).toBe("token tdm_[redacted] leaked");
    expect(event.extra).toEqual({ apiKey: "[redacted]", nested: { pageAccessToken: "[redacted]", fine: "ok" } });
    expect(event.breadcrumbs).toBeUndefined();
  });
});

describe("metrics text format", () => {
  it("renders counters, histograms with cumulative buckets and escaped labels", () => {
    const counter = new Counter<"job">("test_things_total", "Things.");
    counter.inc({ job: 'a"b\\c' });
    counter.inc({ job: 'a"b\\c' }, 2);
    const histogram = new Histogram<"job">("test_seconds", "Seconds.", [0.1, 1]);
    histogram.observe({ job: "x" }, 0.05);
    histogram.observe({ job: "x" }, 0.5);
    histogram.observe({ job: "x" }, 5);
    const lines: string[] = [];
    counter.render(lines);
    histogram.render(lines);
    renderGauges([{ name: "test_gauge", help: "G.", values: [{ value: 3 }] }], lines);
    expect(lines).toEqual([
      "# HELP test_things_total Things.",
      "# TYPE test_things_total counter",
      'test_things_total{job="a\\"b\\\\c"} 3',
      "# HELP test_seconds Seconds.",
      "# TYPE test_seconds histogram",
      'test_seconds_bucket{job="x",le="0.1"} 1',
      'test_seconds_bucket{job="x",le="1"} 2',
      'test_seconds_bucket{job="x",le="+Inf"} 3',
      'test_seconds_sum{job="x"} 5.55',
      'test_seconds_count{job="x"} 3',
      "# HELP test_gauge G.",
      "# TYPE test_gauge gauge",
      "test_gauge 3",
    ]);
  });

  it("accepts only the exact bearer token", () => {
    const token = "metrics-token-0123456789abcdef";
    expect(metricsTokenMatches(token, `Bearer ${token}`)).toBe(true);
    expect(metricsTokenMatches(token, `bearer ${token}`)).toBe(true);
    expect(metricsTokenMatches(token, `Bearer ${token}x`)).toBe(false);
    expect(metricsTokenMatches(token, token)).toBe(false);
    expect(metricsTokenMatches(token, undefined)).toBe(false);
  });
});
