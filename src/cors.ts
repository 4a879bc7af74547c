/**
 * CORS for browser apps on the allowed origins (ROSTERGATE_CORS_ORIGINS), with the `cors` package.
 * It works with Apollo's CSRF prevention rather than around it: a cross-site request must be one a
 * browser preflights (JSON, or an `apollo-require-preflight` header), and only an allowed origin's
 * preflight is answered with the headers that let the browser go on. Callers that send no Origin
 * (scripts, servers) are not browsers: CORS is nothing to them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from 'cors';

/** Headers a browser app sends: the token, JSON, and Apollo's own preflight and operation-name headers. */
const ALLOWED_HEADERS = ['authorization', 'content-type', 'apollo-require-preflight', 'x-apollo-operation-name'];

/** Adds the CORS headers an allowed origin gets; resolves true when it answered the request itself (a preflight). */
export type CorsHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export function corsHandler(allowedOrigins: readonly string[]): CorsHandler {
  const allowed = new Set(allowedOrigins);
  const middleware = cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    methods: ['GET', 'POST'],
    allowedHeaders: ALLOWED_HEADERS,
    // Browsers cap this anyway (Chromium at 2 h); 10 min keeps a changed allow-list from lingering.
    maxAge: 600,
  });
  return (req, res) =>
    new Promise((resolve, reject) => {
      // `cors` ends a preflight itself and calls `next` for anything else.
      res.once('finish', () => resolve(true));
      middleware(req, res, (error?: unknown) =>
        error ? reject(error instanceof Error ? error : new Error('the cors middleware failed', { cause: error })) : resolve(false),
      );
    });
}
