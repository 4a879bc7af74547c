/**
 * The HTTP edge: Apollo Server answers queries and mutations on `/graphql`, graphql-ws answers
 * subscriptions on the same path over WebSocket, and a few plain routes sit beside them (health,
 * readiness, run reports, inbound webhooks). Everything domain-specific is passed in.
 */
import { ApolloServer, HeaderMap, type HTTPGraphQLRequest } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { formatError } from './errors-graphql.js';

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: string[];
  body: () => Promise<Buffer>;
}

export interface ExtraRoute {
  method: string;
  /** Matched against the path; capture groups become `params`. */
  path: RegExp;
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
}

export interface RunningHttpServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(value));
}

async function toApolloRequest(req: IncomingMessage, url: URL): Promise<HTTPGraphQLRequest> {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const raw = (await readBody(req)).toString('utf8');
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

export async function startHttpServer<TContext extends object>(
  options: HttpServerOptions<TContext>,
): Promise<RunningHttpServer> {
  const httpServer: Server = createServer();
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const wsCleanup = useServer<{ authorization?: string }>(
    {
      schema: options.schema,
      // Browsers cannot set headers on a WebSocket, so the token may come in connectionParams instead.
      context: (ctx) => options.context(ctx.connectionParams?.authorization ?? ctx.extra.request.headers.authorization),
      onConnect: async (ctx) => {
        try {
          await options.context(ctx.connectionParams?.authorization ?? ctx.extra.request.headers.authorization);
          return true;
        } catch {
          return false;
        }
      },
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error)) } : undefined,
    },
    wsServer,
  );

  const apollo = new ApolloServer<TContext>({
    schema: options.schema,
    formatError: (formatted: GraphQLFormattedError, error: unknown) => formatError(formatted, error),
    introspection: true,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      { serverWillStart: async () => ({ drainServer: async () => void (await wsCleanup.dispose()) }) },
    ],
  });
  await apollo.start();

  httpServer.on('request', async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    try {
      if (url.pathname === '/graphql') {
        const response = await apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: await toApolloRequest(req, url),
          context: () => options.context(req.headers.authorization),
        });
        res.statusCode = response.status ?? 200;
        for (const [name, value] of response.headers) res.setHeader(name, value);
        if (response.body.kind === 'complete') return res.end(response.body.string);
        for await (const chunk of response.body.asyncIterator) res.write(chunk);
        return res.end();
      }
      for (const route of options.routes ?? []) {
        const match = route.method === req.method ? route.path.exec(url.pathname) : null;
        if (match) return await route.handle({ req, res, url, params: match.slice(1), body: () => readBody(req) });
      }
      sendJson(res, 404, { error: `no route ${req.method} ${url.pathname}` });
    } catch (error) {
      const formatted = formatError({ message: String(error) }, error);
      if (!res.headersSent) sendJson(res, statusFor(formatted.extensions?.code), { errors: [formatted] });
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
      wsServer.close();
    },
  };
}

/** Status for a plain (non-GraphQL) route error, from the same code GraphQL would carry. */
function statusFor(code: unknown): number {
  switch (code) {
    case 'UNAUTHENTICATED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'BAD_USER_INPUT':
      return 400;
    default:
      return 500;
  }
}
