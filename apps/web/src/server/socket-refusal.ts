/** A refused handshake: the client's `connect_error` has `message` = code and `data` = the details. */
export function refusal(code: string, message: string, details: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(code), { data: { code, message, ...details } });
}
