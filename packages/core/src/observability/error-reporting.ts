import { SECRET_HEADERS, scrubSecrets, scrubText } from "./scrub.ts";

/**
 * Sentry, on only when `SENTRY_DSN` is set: the SDK is imported then. Reported: unexpected errors
 * of API requests (the 500s of `handleError`, tagged with the request id) and jobs that failed for
 * good (tagged with the job name and id). Sentry's own OpenTelemetry setup, default integrations and
 * tracing stay off — traces are Tandem's OpenTelemetry pipeline's — and every event passes through
 * `scrubEvent`: no headers that carry credentials, no cookies, no secrets, no tokens in strings.
 */
type SentryModule = typeof import("@sentry/node");

let sentry: SentryModule | null = null;

export interface ErrorReportingOptions {
  dsn: string;
  serviceName: string;
  version: string;
  environment: string;
}

export interface ErrorReporting {
  flush(timeoutMs?: number): Promise<boolean>;
  shutdown(): Promise<void>;
}

export async function startErrorReporting(options: ErrorReportingOptions): Promise<ErrorReporting> {
  const Sentry = await import("@sentry/node");
  Sentry.init({
    dsn: options.dsn,
    release: `tandem@${options.version}`,
    environment: options.environment,
    sendDefaultPii: false,
    skipOpenTelemetrySetup: true,
    defaultIntegrations: false,
    integrations: [Sentry.linkedErrorsIntegration(), Sentry.dedupeIntegration()],
    initialScope: { tags: { service: options.serviceName } },
    beforeSend: (event) => scrubEvent(event),
    beforeBreadcrumb: () => null,
  });
  sentry = Sentry;
  return {
    flush: (timeoutMs = 2000) => Sentry.flush(timeoutMs),
    shutdown: async () => {
      sentry = null;
      await Sentry.close(2000);
    },
  };
}

/** Whether errors go to Sentry. */
export const errorReportingEnabled = () => sentry !== null;

export interface ErrorReportContext {
  /** The API request's id (`X-Request-Id`), which the client quotes. */
  requestId?: string | undefined;
  method?: string | undefined;
  /** The route template (`/api/v1/conversations/:id`), never the path with its ids and tokens. */
  route?: string | undefined;
  job?: string | undefined;
  jobId?: string | undefined;
  attempt?: number | undefined;
  workspaceId?: string | null | undefined;
}

/** Sends `error` to Sentry with its context as tags; nothing while Sentry is off. */
export function reportError(error: unknown, context: ErrorReportContext): void {
  if (!sentry) return;
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(context)) if (v !== undefined && v !== null) tags[k] = String(v);
  sentry.captureException(error, { tags });
}

type SentryEvent = Parameters<NonNullable<import("@sentry/node").NodeOptions["beforeSend"]>>[0];

/** Sentry's `beforeSend`: credentials, cookies, secrets and tokens out of the event. */
export function scrubEvent<E extends SentryEvent>(event: E): E {
  const request = event.request;
  if (request) {
    delete request.cookies;
    delete request.data;
    if (request.headers)
      request.headers = Object.fromEntries(
        Object.entries(request.headers).filter(([name]) => !SECRET_HEADERS.includes(name.toLowerCase())),
      );
    if (typeof request.query_string === "string") request.query_string = scrubText(request.query_string);
    if (request.url) request.url = scrubText(request.url);
  }
  if (event.user) event.user = { ...(event.user.id ? { id: event.user.id } : {}) };
  if (event.message) event.message = scrubText(event.message);
  for (const exception of event.exception?.values ?? []) {
    if (exception.value) exception.value = scrubText(exception.value);
    for (const frame of exception.stacktrace?.frames ?? []) delete frame.vars;
  }
  if (event.extra) event.extra = scrubSecrets(event.extra);
  if (event.contexts) event.contexts = scrubSecrets(event.contexts);
  if (event.tags) event.tags = scrubSecrets(event.tags);
  delete event.breadcrumbs;
  return event;
}
