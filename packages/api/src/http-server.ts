import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { Config, Logger } from "@tandem/core";

/**
 * The node:http server every Tandem web process listens with, and what it does with slow and broken
 * clients. Node's defaults hold a request whose body trickles in for 300 s (`requestTimeout`), and
 * notice an expired one only every 30 s (`connectionsCheckingInterval`): a few hundred such
 * connections tie up a process. Here a request's headers must arrive within
 * `HTTP_HEADERS_TIMEOUT_MS` (20 s) and the whole request, body included, within
 * `HTTP_REQUEST_TIMEOUT_MS` (60 s: the API's 1 MB at about 150 kbit/s); the clock is checked a few
 * times per headers deadline. Late clients get a 408 in the API's error shape and are disconnected,
 * logged as a warning: the client's doing, not an error of ours. Idle keep-alive connections stay
 * 65 s, longer than the 60 s idle timeout of common load balancers.
 */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export function createHttpServer(
  deps: { config: Pick<Config, "http">; log: Logger },
  listener: RequestListener,
): Server {
  const { headersTimeoutMs, requestTimeoutMs } = deps.config.http;
  const server = createServer(
    {
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
      connectionsCheckingInterval: Math.max(100, Math.min(5_000, Math.floor(headersTimeoutMs / 4))),
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    },
    listener,
  );
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex) =>
    answerClientError(deps, err, socket as Socket),
  );
  return server;
}

/** The response in flight on a connection (what Node's own handler checks before answering). */
const inFlight = (socket: Socket) => (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;

/**
 * Replaces Node's default `clientError` handling (a bare 400/408 written to the socket, nothing
 * logged): the same statuses with the error shape, and one log line at the right level.
 */
function answerClientError(
  deps: { config: Pick<Config, "http">; log: Logger },
  err: NodeJS.ErrnoException,
  socket: Socket,
) {
  const peer = socket.remoteAddress;
  const response = inFlight(socket);
  const timedOut = err.code === "ERR_HTTP_REQUEST_TIMEOUT";
  // A reset, or a connection that never sent a byte (a browser's preconnect left unused): nothing to say.
  if (err.code === "ECONNRESET" || !socket.writable || (timedOut && socket.bytesRead === 0)) {
    deps.log.debug({ peer, code: err.code }, "client connection closed");
    socket.destroy();
    return;
  }
  const requestId = randomUUID();
  let status: number;
  let code: string;
  let message: string;
  if (timedOut) {
    // A request already handed to a handler was waiting for its body.
    const phase = response ? "body" : "headers";
    const deadline = response ? deps.config.http.requestTimeoutMs : deps.config.http.headersTimeoutMs;
    status = 408;
    code = "request_timeout";
    message = `The request ${phase} did not arrive within ${deadline / 1000} s`;
    deps.log.warn({ requestId, peer, phase, deadlineMs: deadline }, "request timed out: client too slow");
  } else {
    status = err.code === "HPE_HEADER_OVERFLOW" ? 431 : 400;
    code = status === 431 ? "headers_too_large" : "malformed_request";
    message = status === 431 ? "The request headers are too large" : "The request is not valid HTTP";
    deps.log.info({ requestId, peer, code: err.code }, "malformed request refused");
  }
  // Once a handler has started answering, writing another response would corrupt it: just close.
  if (!response?.headersSent) {
    const body = JSON.stringify({ error: { code, message, requestId } });
    socket.write(
      `HTTP/1.1 ${status} ${status === 408 ? "Request Timeout" : status === 431 ? "Request Header Fields Too Large" : "Bad Request"}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/**
 * Whether the client went away (or was cut off) before its request body was complete: the error a
 * handler meets reading that body is the client's doing, worth a warning and no answer.
 */
export function requestAborted(req: IncomingMessage | undefined): boolean {
  return Boolean(req && !req.complete && (req.destroyed || req.errored));
}
