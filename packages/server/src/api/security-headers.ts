import type { FastifyHelmetOptions } from '@fastify/helmet'

/**
 * The browser-facing headers on every answer (through @fastify/helmet): a Content-Security-Policy
 * that runs only the node's own scripts (the dashboard's and the API page's builds have no inline
 * script), no framing by anyone (`frame-ancestors 'none'` and `X-Frame-Options: DENY`), no MIME
 * sniffing, no referrer sent to other origins. `upgrade-insecure-requests` is left out: a node
 * serves plain HTTP on loopback, and a TLS proxy in front sets its own transport headers.
 */
export const securityHeaders: FastifyHelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: true,
    directives: {
      'script-src': ["'self'"],
      'connect-src': ["'self'"],
      'frame-ancestors': ["'none'"],
      'form-action': ["'self'"],
      'upgrade-insecure-requests': null,
    },
  },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  // The node's API is called from other origins' servers and tools, not embedded by browsers.
  crossOriginResourcePolicy: { policy: 'same-origin' },
}
