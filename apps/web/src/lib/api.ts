/**
 * The dashboard's only way to talk to the API: same-origin cookie session, the CSRF header on every
 * mutation, one error shape (`ApiError`), and a redirect to /login when the session is gone.
 */
import { CSRF_COOKIE, CSRF_HEADER, ErrorBody } from "@tandem/contracts";

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | null;
  readonly details: unknown;
  /** Seconds from the `Retry-After` header of a 429, when the server sent one. */
  readonly retryAfterSeconds: number | null;

  constructor(init: {
    status: number;
    code: string;
    message: string;
    requestId?: string | null;
    details?: unknown;
    retryAfterSeconds?: number | null;
  }) {
    super(init.message);
    this.name = "ApiError";
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId ?? null;
    this.details = init.details;
    this.retryAfterSeconds = init.retryAfterSeconds ?? null;
  }
}

export function isApiError(error: unknown, status?: number): error is ApiError {
  return error instanceof ApiError && (status === undefined || error.status === status);
}

/** Anything with zod's `parse` — the contracts' schemas — without the dashboard depending on zod. */
interface Parser<T> {
  parse(data: unknown): T;
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

interface RequestOptions<T> {
  method?: Method;
  body?: unknown;
  schema?: Parser<T>;
  signal?: AbortSignal;
  /** Extra request headers (e.g. `If-Match`). */
  headers?: Record<string, string>;
}

function readCookie(name: string): string | null {
  if (typeof document === "undefined") return null;
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

export async function apiFetch<T>(path: string, options: RequestOptions<T> = {}): Promise<T> {
  const method = options.method ?? "GET";
  const headers = new Headers({ accept: "application/json", ...options.headers });
  // A FormData body (an upload) sets its own multipart content type; a Blob is sent as it is, typed by
  // its own type or the caller's `content-type` header.
  const formData =
    (typeof FormData !== "undefined" && options.body instanceof FormData) ||
    (typeof Blob !== "undefined" && options.body instanceof Blob);
  if (options.body !== undefined && !formData && !headers.has("content-type"))
    headers.set("content-type", "application/json");
  if (method !== "GET") {
    const csrf = readCookie(CSRF_COOKIE);
    if (csrf) headers.set(CSRF_HEADER, csrf);
  }

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body:
        options.body === undefined
          ? undefined
          : formData
            ? (options.body as FormData | Blob)
            : JSON.stringify(options.body),
      credentials: "same-origin",
      cache: "no-store",
      signal: options.signal,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === "AbortError") throw cause;
    throw new ApiError({
      status: 0,
      code: "network_error",
      message: "Could not reach the server. Check your connection and try again.",
    });
  }

  if (!response.ok) {
    if (response.status === 401 && path.startsWith("/api/v1/")) redirectToLogin();
    throw await toApiError(response);
  }

  const text = response.status === 204 ? "" : await response.text();
  const data: unknown = text ? JSON.parse(text) : undefined;
  if (!options.schema) return data as T;
  try {
    return options.schema.parse(data);
  } catch (cause) {
    console.error(`Unexpected response shape from ${method} ${path}`, cause);
    throw new ApiError({
      status: response.status,
      code: "invalid_response",
      message: "The server sent an unexpected response.",
      requestId: response.headers.get("x-request-id"),
    });
  }
}

export const api = {
  get: <T>(path: string, schema?: Parser<T>, signal?: AbortSignal) => apiFetch<T>(path, { schema, signal }),
  post: <T>(path: string, body?: unknown, schema?: Parser<T>) => apiFetch<T>(path, { method: "POST", body, schema }),
  put: <T>(path: string, body: unknown, schema?: Parser<T>) => apiFetch<T>(path, { method: "PUT", body, schema }),
  patch: <T>(path: string, body: unknown, schema?: Parser<T>) => apiFetch<T>(path, { method: "PATCH", body, schema }),
  delete: (path: string) => apiFetch<void>(path, { method: "DELETE" }),
};

/**
 * `POST` of a multipart form with upload progress (`fetch` reports none): the same cookie session,
 * CSRF header and errors as `apiFetch`. `onProgress` gets the share sent so far, 0 to 1.
 */
export function apiUpload<T>(
  path: string,
  form: FormData,
  schema: Parser<T>,
  options: { onProgress?: (sent: number) => void; signal?: AbortSignal } = {},
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    xhr.withCredentials = false; // same-origin: the session cookie goes along, as with `credentials: "same-origin"`
    xhr.setRequestHeader("accept", "application/json");
    for (const [name, value] of Object.entries(csrfHeaders())) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) options.onProgress?.(event.loaded / event.total);
    };
    xhr.onerror = () =>
      reject(
        new ApiError({
          status: 0,
          code: "network_error",
          message: "Could not reach the server. Check your connection and try again.",
        }),
      );
    xhr.onabort = () => reject(new DOMException("The upload was cancelled", "AbortError"));
    xhr.onload = async () => {
      const headers = new Headers();
      const type = xhr.getResponseHeader("content-type");
      if (type) headers.set("content-type", type);
      for (const name of ["retry-after", "x-request-id"]) {
        const value = xhr.getResponseHeader(name);
        if (value) headers.set(name, value);
      }
      const response = new Response(xhr.status === 204 ? null : xhr.responseText, {
        status: xhr.status,
        statusText: xhr.statusText,
        headers,
      });
      if (!response.ok) {
        if (response.status === 401) redirectToLogin();
        reject(await toApiError(response));
        return;
      }
      try {
        resolve(schema.parse(JSON.parse(xhr.responseText)));
      } catch (cause) {
        console.error(`Unexpected response shape from POST ${path}`, cause);
        reject(
          new ApiError({
            status: xhr.status,
            code: "invalid_response",
            message: "The server sent an unexpected response.",
            requestId: xhr.getResponseHeader("x-request-id"),
          }),
        );
      }
    };
    if (options.signal?.aborted) {
      reject(new DOMException("The upload was cancelled", "AbortError"));
      return;
    }
    options.signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(form);
  });
}

/** The CSRF header for a mutation made outside `apiFetch` (a streamed response). */
export function csrfHeaders(): Record<string, string> {
  const csrf = readCookie(CSRF_COOKIE);
  return csrf ? { [CSRF_HEADER]: csrf } : {};
}

export async function toApiError(response: Response): Promise<ApiError> {
  const retryAfter = Number.parseInt(response.headers.get("retry-after") ?? "", 10);
  const retryAfterSeconds = Number.isFinite(retryAfter) ? retryAfter : null;
  const body = ErrorBody.safeParse(await response.json().catch(() => null));
  if (body.success) {
    return new ApiError({ status: response.status, ...body.data.error, retryAfterSeconds });
  }
  return new ApiError({
    status: response.status,
    code: "http_error",
    message: `Request failed (${response.status} ${response.statusText})`.trim(),
    requestId: response.headers.get("x-request-id"),
    retryAfterSeconds,
  });
}

let redirecting = false;

/** The session is gone: start over at /login and come back here afterwards. */
export function redirectToLogin() {
  if (typeof window === "undefined" || redirecting) return;
  const { pathname, search } = window.location;
  if (pathname === "/login") return;
  redirecting = true;
  window.location.assign(`/login?next=${encodeURIComponent(pathname + search)}`);
}

/**
 * The text to show a person for a failed request. A refused input says which field and why, in
 * the server's words ("email: enter an e-mail address such as name@example.com"), not only that
 * "the request is invalid".
 */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const details = Array.isArray(error.details) ? (error.details as { path?: unknown; message?: unknown }[]) : [];
    const reasons = details
      .filter((d) => typeof d?.message === "string")
      .map((d) => (typeof d.path === "string" && d.path ? `${d.path}: ${d.message}` : String(d.message)));
    if (error.code === "invalid_input" && reasons.length > 0) return [...new Set(reasons)].join("; ");
    return error.message;
  }
  return "Something went wrong. Please try again.";
}
