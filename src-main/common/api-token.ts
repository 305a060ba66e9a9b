// How a serve-mode page proves it was opened from the address `ftstudio serve` printed: a per-launch secret, carried
// once in the page address (?token=) and then in each WebSocket handshake as a subprotocol, since browsers cannot set
// other headers on a WebSocket. Shared by the server (checks it) and the renderer (presents it).

/** The subprotocol the server selects; the token travels beside it as `${TOKEN_PROTOCOL_PREFIX}<token>`. */
export const API_PROTOCOL = 'ftstudio';
export const TOKEN_PROTOCOL_PREFIX = 'ftstudio-token.';
/** The page address's query parameter that carries the token on the first load. */
export const TOKEN_QUERY_PARAM = 'token';

/** base64url: the characters a subprotocol may hold. 43 of them: 32 random bytes. */
export function isWellFormedToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}

export function tokenProtocols(token: string): string[] {
  return [API_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`];
}
