/**
 * The HTTP edge: Apollo Server answers queries and mutations on `/graphql`, graphql-ws answers
 * subscriptions on the same path over WebSocket, and a few plain routes sit beside them (health,
 * readiness, run reports, inbound webhooks). Everything domain-specific is passed in.
 */
import { ApolloServer, HeaderMap, type ApolloServerPlugin, type HTTPGraphQLRequest } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { createHash } from 'node:crypto';
import { parse, specifiedRules, validate, type GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import getRawBody from 'raw-body';
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { WebSocketServer } from 'ws';
import { PayloadTooLargeError, RateLimitedError, type RostergateError } from './errors.js';
import { corsHandler } from './cors.js';
import { formatError, httpStatusFor, toGraphQLError } from './errors-graphql.js';
import { answerIde } from './ide.js';
import { assertAffordable, DEFAULT_LIMITS, isTokenLimitError, limitRules, tokenLimitError, type OperationLimits } from './limits.js';
import { partialAnswersPlugin } from './resolvers/partial.js';

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: string[];
  /** The whole body, up to the route's `maxBodyBytes`; PayloadTooLargeError beyond (checked against Content-Length, then while reading). */
  body: () => Promise<Buffer>;
}

export interface ExtraRoute {
  method: string;
  /** Matched against the path; capture groups become `params`. */
  path: RegExp;
  /** Largest body the route reads, bytes. @default 1_048_576 */
  maxBodyBytes?: number;
  handle(ctx: RouteContext): Promise<void> | void;
}

export interface HttpServerOptions<TContext extends object> {
  schema: GraphQLSchema;
  /** Builds the per-operation context from the caller's `Authorization` value; throws to refuse. */
  context(authorization: string | undefined): Promise<TContext>;
  routes?: ExtraRoute[];
  /** @default 4000 */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
  /** What one operation may ask, on HTTP and WebSocket alike. @default DEFAULT_LIMITS */
  limits?: OperationLimits;
  /** Largest `/graphql` body, bytes. @default 1_048_576 */
  maxBodyBytes?: number;
  /** Largest WebSocket message, bytes. @default 65_536 */
  maxMessageBytes?: number;
  /** Subscriptions open at once on one connection, and for one token across connections. @default { perConnection: 20, perToken: 100 } */
  maxSubscriptions?: { perConnection: number; perToken: number };
  /** Browser origins allowed to call the API (CORS) and open a WebSocket; clients that send no Origin (scripts) are not browsers and pass. @default [] */
  allowedOrigins?: readonly string[];
  /** Counts requests per caller (its token, else its address); over it: 429 RATE_LIMITED with Retry-After. @default 1000 per 10 s, in this process */
  limiter?: RateLimiterAbstract;
  /** Longest a client may take to send a whole request, headers and body, ms; then 408 and the socket closes. @default 30_000 */
  requestTimeoutMs?: number;
  /** Told of every operation and every error answered, HTTP and WebSocket alike (metrics, logs). @default none */
  observe?: OperationObserver;
  /** Serve the offline GraphiQL (src/ide.ts) to browsers on `GET /graphql` and its assets on `/ide/`. @default false */
  ide?: boolean;
  /** More Apollo Server plugins, after the gateway's own (e.g. the read graph's response cache). @default none */
  plugins?: ApolloServerPlugin<TContext>[];
}

export interface OperationObserver {
  operation(type: string): void;
  /** An error as the caller gets it (`code`), with what it came from: the only place an INTERNAL one's cause is seen. */
  error(code: string, error: unknown): void;
}

type Format = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/** formatError, with the answer's code reported to the observer. */
function observedFormat(observe: OperationObserver | undefined): Format {
  return (formatted, error) => {
    const answer = formatError(formatted, error);
    observe?.error(typeof answer.extensions?.code === 'string' ? answer.extensions.code : 'UNKNOWN', error);
    return answer;
  };
}

export interface RunningHttpServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const MiB = 1_048_576;

/**
 * The body, refused as soon as it is known to be too large: at once when Content-Length says so,
 * else as the bytes arrive (raw-body counts them), so a 600 MB upload is never buffered.
 */
export async function readBody(req: IncomingMessage, limit = MiB): Promise<Buffer> {
  try {
    const length = req.headers['content-length'];
    return await getRawBody(req, { limit, ...(length !== undefined && { length }) });
  } catch (error) {
    if ((error as { type?: string }).type === 'entity.too.large') {
      throw new PayloadTooLargeError(`the body is over the limit of ${limit} bytes`, { limit });
    }
    throw error;
  }
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(value));
}

function apolloRequest(req: IncomingMessage, url: URL, raw: string): HTTPGraphQLRequest {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  let body: unknown = raw;
  if (raw && headers.get('content-type')?.startsWith('application/json')) {
    try {
      body = JSON.parse(raw);
    } catch {
      // Apollo answers an unparsable body with its own 400; hand it the raw text.
    }
  }
  return { method: req.method ?? 'GET', headers, search: url.search, body };
}

/** True when a browser's Origin names the host the request was sent to (the page came from this server). */
function sameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return new URL(origin).host === host?.toLowerCase();
  } catch {
    return false;
  }
}

/** Who a request counts against: its bearer token (hashed, never kept as such), else its address. */
function callerKey(authorization: string | undefined, address: string | undefined): string {
  return authorization ? `token:${createHash('sha256').update(authorization).digest('hex')}` : `address:${address ?? 'unknown'}`;
}

/** Refuses, before execution, an HTTP operation over its estimated cost (the size rules run in validation). */
function costPlugin(limits: OperationLimits): ApolloServerPlugin {
  return {
    requestDidStart: async () => ({
      didResolveOperation: async ({ request, document, schema }) => {
        assertAffordable(schema, { document, variables: request.variables, operationName: request.operationName }, limits);
      },
    }),
  };
}

/** The refusal of a request outside GraphQL execution, with the status its code implies. */
function sendError(res: ServerResponse, error: unknown, format: Format): void {
  const formatted = format({ message: String(error) }, error);
  const code = formatted.extensions?.code;
  if (error instanceof RateLimitedError) res.setHeader('retry-after', String(error.details.retryAfterSeconds));
  // A refused body is not read: close the connection rather than drain it for keep-alive.
  if (code === 'PAYLOAD_TOO_LARGE' || code === 'UNAUTHENTICATED') res.setHeader('connection', 'close');
  sendJson(res, httpStatusFor(code), { errors: [formatted] });
}

export async function startHttpServer<TContext extends object>(options: HttpServerOptions<TContext>): Promise<RunningHttpServer> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const limiter = options.limiter ?? new RateLimiterMemory({ points: 1000, duration: 10 });
  const requestTimeout = options.requestTimeoutMs ?? 30_000;
  // A body trickled a byte at a time must not hold a socket for Node's default five minutes; the
  // checking interval is what makes the timeout fire on time (Node checks every 30 s by default).
  const httpServer: Server = createServer({
    requestTimeout,
    headersTimeout: Math.min(requestTimeout, 60_000),
    connectionsCheckingInterval: Math.max(100, Math.min(1000, requestTimeout / 4)),
  });
  const format = observedFormat(options.observe);
  const wsCleanup = serveSubscriptions(httpServer, options, limits, format);

  const apollo = new ApolloServer<TContext>({
    schema: options.schema,
    formatError: format,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: true,
    introspection: true,
    parseOptions: { maxLexicalTokens: limits.maxTokens },
    validationRules: limitRules(limits),
    plugins: [
      costPlugin(limits),
      partialAnswersPlugin(),
      ...(options.plugins ?? []),
      // Apollo's default landing page loads from a CDN and reports usage; the IDE, when on, is ours.
      ApolloServerPluginLandingPageDisabled(),
      { requestDidStart: async () => ({ didResolveOperation: async ({ operation }) => options.observe?.operation(operation?.operation ?? 'unknown') }) },
      ApolloServerPluginDrainHttpServer({ httpServer }),
      {
        serverWillStart: async () => ({
          drainServer: async () => {
            await wsCleanup.dispose();
          },
        }),
      },
    ],
  });
  await apollo.start();

  async function throttle(req: IncomingMessage): Promise<void> {
    try {
      await limiter.consume(callerKey(req.headers.authorization, req.socket.remoteAddress));
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      const retryAfterSeconds = Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
      throw new RateLimitedError(`too many requests; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
    }
  }

  async function answerGraphQL(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    // The caller is known before its body is read: a request without a valid token never gets its
    // megabytes buffered. The context is built once and handed to Apollo.
    const context = await options.context(req.headers.authorization);
    const raw = req.method === 'GET' ? '' : (await readBody(req, options.maxBodyBytes ?? MiB)).toString('utf8');
    const response = await apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest: apolloRequest(req, url, raw), context: async () => context });
    res.statusCode = response.status ?? 200;
    for (const [name, value] of response.headers) res.setHeader(name, value);
    if (response.body.kind === 'complete') return void res.end(response.body.string);
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  const answerCors = corsHandler(options.allowedOrigins ?? []);
  // The handler answers every failure itself (try/catch around all of it), so its promise never rejects.
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- see above
  httpServer.on('request', async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    try {
      if (await answerCors(req, res)) return;
      // Probes are never throttled: a busy gateway must still say it is alive.
      if (url.pathname !== '/healthz' && url.pathname !== '/readyz') await throttle(req);
      if (options.ide && (await answerIde(req, res, url.pathname))) return;
      if (url.pathname === '/graphql') {
        await answerGraphQL(req, res, url);
        return;
      }
      for (const route of options.routes ?? []) {
        const match = route.method === req.method ? route.path.exec(url.pathname) : null;
        if (match) {
          await route.handle({ req, res, url, params: match.slice(1), body: () => readBody(req, route.maxBodyBytes ?? MiB) });
          return;
        }
      }
      sendJson(res, 404, { error: `no route ${req.method} ${url.pathname}` });
    } catch (error) {
      // A request the server timed out, or its client abandoned, has nobody left to answer.
      if (req.destroyed && (error as { type?: string }).type === 'request.aborted') return;
      if (!res.headersSent) sendError(res, error, format);
      else res.end();
    }
  });

  await new Promise<void>((resolve) => httpServer.listen(options.port ?? 4000, options.host ?? '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    close: async () => {
      await apollo.stop();
      wsCleanup.close();
    },
  };
}

/**
 * graphql-ws on `/graphql`, with the HTTP side's limits: a message cap (ws closes the socket with
 * 1009 on a larger frame, before parsing it), an Origin allow-list on upgrade, authentication at
 * `connection_init`, the operation limits on every subscribe, and caps on open subscriptions.
 */
function serveSubscriptions<TContext extends object>(httpServer: Server, options: HttpServerOptions<TContext>, limits: OperationLimits, format: Format) {
  const allowed = new Set(options.allowedOrigins ?? []);
  const caps = options.maxSubscriptions ?? { perConnection: 20, perToken: 100 };
  const wsServer = new WebSocketServer({
    server: httpServer,
    path: '/graphql',
    maxPayload: options.maxMessageBytes ?? 65_536,
    // A browser always sends Origin; a page on another site must not ride a user's token. The
    // console's page (and the IDE's, when on) is served from this origin, so a same-origin socket passes too.
    verifyClient: ({ origin, req }: { origin?: string; req: IncomingMessage }) => !origin || allowed.has(origin) || sameOrigin(origin, req.headers.host),
  });
  const open = new Map<object, Set<string>>();
  const byToken = new Map<string, number>();
  const tokenOf = (authorization: string | undefined) => callerKey(authorization, undefined);
  // Types, not interfaces: graphql-ws wants Record<…, unknown>, which only a type literal satisfies.
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions -- see above
  type Extra = { request: IncomingMessage };
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions -- see above
  type Params = { authorization?: string };
  const authorizationOf = (ctx: { connectionParams?: Readonly<Params>; extra: Extra }) =>
    ctx.connectionParams?.authorization ?? ctx.extra.request.headers.authorization;
  const release = (ctx: { connectionParams?: Readonly<Params>; extra: Extra }, id: string) => {
    if (!open.get(ctx.extra)?.delete(id)) return;
    const token = tokenOf(authorizationOf(ctx));
    byToken.set(token, Math.max(0, (byToken.get(token) ?? 1) - 1));
  };

  const cleanup = useServer<Params, Extra>(
    {
      schema: options.schema,
      // Browsers cannot set headers on a WebSocket, so the token may come in connectionParams instead.
      context: (ctx) => options.context(authorizationOf(ctx)),
      onConnect: async (ctx) => {
        try {
          await options.context(authorizationOf(ctx));
          return true;
        } catch {
          return false;
        }
      },
      onSubscribe: (ctx, id, payload): readonly GraphQLError[] | undefined => {
        const refused = (error: RostergateError) => [toGraphQLError(error)];
        const mine = open.get(ctx.extra) ?? new Set<string>();
        const token = tokenOf(authorizationOf(ctx));
        if (mine.size >= caps.perConnection || (byToken.get(token) ?? 0) >= caps.perToken) {
          return refused(
            new RateLimitedError(`at most ${caps.perConnection} subscriptions per connection and ${caps.perToken} per token`, { retryAfterSeconds: 1 }),
          );
        }
        let document;
        try {
          document = parse(payload.query, { maxLexicalTokens: limits.maxTokens });
        } catch (error) {
          return [isTokenLimitError(error) ? tokenLimitError(limits) : (error as GraphQLError)];
        }
        const errors = validate(options.schema, document, [...specifiedRules, ...limitRules(limits)]);
        if (errors.length > 0) return errors;
        try {
          assertAffordable(options.schema, { document, variables: payload.variables ?? undefined, operationName: payload.operationName ?? undefined }, limits);
        } catch (error) {
          return [error as GraphQLError];
        }
        options.observe?.operation('subscription');
        mine.add(id);
        open.set(ctx.extra, mine);
        byToken.set(token, (byToken.get(token) ?? 0) + 1);
      },
      onComplete: (ctx, id) => release(ctx, id),
      onError: (ctx, id, _payload, errors) => {
        release(ctx, id);
        return errors.map((error) => format(error.toJSON(), error));
      },
      onClose: (ctx) => {
        for (const id of [...(open.get(ctx.extra) ?? [])]) release(ctx, id);
        open.delete(ctx.extra);
      },
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((error) => format(error.toJSON(), error)) } : undefined,
    },
    wsServer,
  );
  return { dispose: () => cleanup.dispose(), close: () => wsServer.close() };
}
