/**
 * A request (headers and body) must arrive within `requestTimeoutMs`, checked often enough to cut
 * a trickled body off soon after; there is no idle timeout, since answers may wait (long polls,
 * event streams), and a WebSocket, once upgraded, is no longer a request.
 */
export function requestTimeouts(requestTimeoutMs: number) {
  return {
    requestTimeout: requestTimeoutMs,
    http: {
      requestTimeout: requestTimeoutMs,
      headersTimeout: Math.min(60_000, requestTimeoutMs),
      connectionsCheckingInterval: Math.max(50, Math.min(5_000, Math.floor(requestTimeoutMs / 4))),
    },
  }
}
