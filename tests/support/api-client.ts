import { CSRF_HEADER } from "@tandem/contracts";

type Fetcher = { request: (input: string, init?: RequestInit, env?: object) => Response | Promise<Response> };

/**
 * Drives the Hono app like a browser would: keeps cookies, sends the CSRF header on mutations and
 * an Origin matching APP_URL. `as(token)` gives a Bearer-token client instead. `ip` is the address
 * the request comes from (the node server's socket), for rate limits per client address.
 */
export class TestClient {
  private cookies = new Map<string, string>();
  csrfToken: string | undefined;

  constructor(
    private readonly app: Fetcher,
    private readonly options: { origin?: string; bearer?: string; ip?: string } = {},
  ) {}

  static bearer(app: Fetcher, token: string) {
    return new TestClient(app, { bearer: token });
  }

  async request(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const h: Record<string, string> = { ...headers };
    // A FormData body is sent as multipart/form-data with its own boundary (fetch sets the type).
    const form = body instanceof FormData;
    if (body !== undefined && typeof body !== "string" && !form) h["content-type"] = "application/json";
    if (typeof body === "string") h["content-type"] ??= "application/json";
    if (this.options.bearer) h.authorization = `Bearer ${this.options.bearer}`;
    if (this.cookies.size) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    if (method !== "GET" && !this.options.bearer) {
      h.origin ??= this.options.origin ?? "http://localhost:3000";
      if (this.csrfToken && h[CSRF_HEADER] === undefined) h[CSRF_HEADER] = this.csrfToken;
    }
    const res = await this.app.request(
      `http://localhost:3000${url}`,
      {
        method,
        headers: h,
        ...(body === undefined
          ? {}
          : { body: typeof body === "string" || form ? (body as string | FormData) : JSON.stringify(body) }),
      },
      this.options.ip ? { incoming: { socket: { remoteAddress: this.options.ip } } } : undefined,
    );
    for (const setCookie of res.headers.getSetCookie()) {
      const [pair] = setCookie.split(";");
      const [name, ...rest] = pair!.split("=");
      const value = rest.join("=");
      if (!value || /max-age=0/i.test(setCookie)) this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), value);
    }
    return res;
  }

  /** A cookie this client holds (tests look for it where it must not be). */
  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  /** The same browser (cookies, CSRF token) talking to another app instance: a second web process. */
  sameBrowserOn(app: Fetcher): TestClient {
    const twin = new TestClient(app, this.options);
    twin.cookies = new Map(this.cookies);
    twin.csrfToken = this.csrfToken;
    return twin;
  }

  get = (url: string, headers?: Record<string, string>) => this.request("GET", url, undefined, headers);
  post = (url: string, body?: unknown, headers?: Record<string, string>) =>
    this.request("POST", url, body ?? {}, headers);
  patch = (url: string, body?: unknown) => this.request("PATCH", url, body ?? {});
  put = (url: string, body?: unknown) => this.request("PUT", url, body ?? {});
  delete = (url: string) => this.request("DELETE", url);

  async signIn(email: string, password: string): Promise<Response> {
    const res = await this.post("/api/auth/sign-in", { email, password });
    if (res.ok) this.csrfToken = ((await res.clone().json()) as { csrfToken: string }).csrfToken;
    return res;
  }
}
