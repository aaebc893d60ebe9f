import { DomainError } from "../errors.ts";
import { MAX_OUTBOUND_REDIRECTS, type OutboundPolicy, outboundFetchFor, outboundRefusalOf } from "../net/outbound.ts";

/** A page larger than this is refused. */
export const MAX_PAGE_BYTES = 5 * 1024 * 1024;
/** A page (all its redirects included) that takes longer is given up on. */
export const PAGE_TIMEOUT_MS = 15_000;

export interface FetchedPage {
  /** Where it ended up, after redirects. */
  url: string;
  contentType: string;
  bytes: Uint8Array;
}

const ACCEPTED =
  /^(text\/html|application\/xhtml\+xml|text\/plain|text\/markdown|application\/pdf|application\/xml|text\/xml)\b/i;

/**
 * GETs a page a URL source names, through the outbound guard (private and loopback addresses refused
 * unless `OUTBOUND_ALLOW_PRIVATE` allows them, checked at every hop), following at most 5 redirects
 * itself, within `MAX_PAGE_BYTES` and `PAGE_TIMEOUT_MS`. Failures are `DomainError`s a person can
 * read (`url_fetch_failed`, `url_not_allowed`); `retryable` marks the ones worth another try
 * (timeouts, 5xx, 429, connection errors).
 */
export async function fetchWebPage(
  policy: OutboundPolicy,
  rawUrl: string,
  options: { maxBytes?: number; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<FetchedPage> {
  const fetcher = outboundFetchFor(policy);
  const maxBytes = options.maxBytes ?? MAX_PAGE_BYTES;
  const timeout = AbortSignal.timeout(options.timeoutMs ?? PAGE_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let url = new URL(rawUrl);
  const fail = (message: string, retryable: boolean, cause?: unknown) =>
    Object.assign(new DomainError("url_fetch_failed", `${url.href}: ${message}`, { cause }), { retryable });
  try {
    for (let hop = 0; ; hop++) {
      if (url.protocol !== "http:" && url.protocol !== "https:")
        throw fail("only http and https addresses are fetched", false);
      const response = await fetcher(url, {
        redirect: "manual",
        signal,
        headers: {
          "user-agent": "TandemKnowledgeBot/1.0 (+self-hosted)",
          accept: "text/html,application/xhtml+xml,application/pdf,application/xml;q=0.9,*/*;q=0.5",
        },
      });
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        if (hop >= MAX_OUTBOUND_REDIRECTS) throw fail(`more than ${MAX_OUTBOUND_REDIRECTS} redirects`, false);
        url = new URL(location, url);
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw fail(`the server answered ${response.status}`, response.status >= 500 || response.status === 429);
      }
      const contentType = (response.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
      if (contentType && !ACCEPTED.test(contentType)) {
        await response.body?.cancel();
        throw fail(`${contentType} is not a page that can be read (HTML, text or PDF)`, false);
      }
      const declared = Number(response.headers.get("content-length") ?? 0);
      if (declared > maxBytes) {
        await response.body?.cancel();
        throw fail(`the page is larger than ${Math.round(maxBytes / 1024 / 1024)} MB`, false);
      }
      return {
        url: url.href,
        contentType,
        bytes: await readCapped(response, maxBytes, () =>
          fail(`the page is larger than ${Math.round(maxBytes / 1024 / 1024)} MB`, false),
        ),
      };
    }
  } catch (error) {
    if (error instanceof DomainError) throw error;
    const refused = outboundRefusalOf(error);
    if (refused) {
      throw Object.assign(new DomainError("url_not_allowed", `${url.href}: ${refused.message}`, { cause: error }), {
        retryable: false,
      });
    }
    if (timeout.aborted)
      throw fail(`no answer within ${Math.round((options.timeoutMs ?? PAGE_TIMEOUT_MS) / 1000)} seconds`, true, error);
    if (/redirect/.test(String((error as Error).message)))
      throw fail((error as Error).message.replace(/^fetch failed: /, ""), false, error);
    throw fail(`the server could not be reached (${(error as Error).message})`, true, error);
  }
}

async function readCapped(response: Response, maxBytes: number, tooLarge: () => Error): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array();
  const parts: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    parts.push(value);
  }
  return new Uint8Array(Buffer.concat(parts));
}
