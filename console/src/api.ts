/**
 * The gateway's API as the console uses it: GraphQL over fetch, run progress over graphql-ws, and
 * reports as authenticated downloads. URLs are resolved against the page (served at …/console/), so
 * the console works behind a reverse proxy's path prefix, like the IDE.
 */
import { createClient } from 'graphql-ws';

/** The same key as the IDE's: one sign-in per browser tab covers both, and closing the tab forgets it. */
const TOKEN_KEY = 'rostergate.token';

export const storedToken = (): string | null => sessionStorage.getItem(TOKEN_KEY);
export const storeToken = (token: string): void => sessionStorage.setItem(TOKEN_KEY, token);
export const forgetToken = (): void => sessionStorage.removeItem(TOKEN_KEY);

export interface Problem {
  message: string;
  extensions?: { code?: string } & Record<string, unknown>;
}

/** What the gateway refused, with its stable `extensions.code` (UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT…). */
export class ApiError extends Error {
  readonly code: string;
  constructor(readonly problems: readonly Problem[]) {
    super(problems.map((problem) => problem.message).join('; ') || 'the gateway gave no answer');
    this.code = problems[0]?.extensions?.code ?? 'INTERNAL';
  }
}

export interface Sink<T> {
  next: (data: T) => void;
  error: (error: ApiError) => void;
  complete: () => void;
}

export interface Api {
  /** One operation; rejects with ApiError on any error in the answer. */
  request<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** A subscription's results until it completes, fails or the returned function is called. */
  subscribe<T>(query: string, variables: Record<string, unknown>, sink: Sink<T>): () => void;
  /** A file behind the token (a run's CSV report), with the name the gateway gave it. */
  download(path: string): Promise<{ blob: Blob; filename: string }>;
  close(): void;
}

const pageUrl = (path: string) => new URL(path, location.href);

interface Answer<T> {
  data?: T | null;
  errors?: Problem[];
}

export function createApi(token: string): Api {
  const authorization = `Bearer ${token}`;
  const wsUrl = pageUrl('../graphql');
  wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:';
  // Browsers cannot set headers on a WebSocket: the gateway reads the token from connectionParams.
  const ws = createClient({ url: wsUrl.href, connectionParams: { authorization }, lazy: true, retryAttempts: 3 });

  return {
    async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
      const response = await fetch(pageUrl('../graphql'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization },
        body: JSON.stringify({ query, variables }),
      });
      const answer = (await response.json().catch(() => ({ errors: [{ message: `the gateway answered ${response.status}` }] }))) as Answer<T>;
      if (answer.errors?.length || !answer.data) throw new ApiError(answer.errors ?? []);
      return answer.data;
    },
    subscribe<T>(query: string, variables: Record<string, unknown>, sink: Sink<T>) {
      return ws.subscribe<T>(
        { query, variables },
        {
          next: (answer) => (answer.errors?.length || !answer.data ? sink.error(new ApiError(answer.errors ?? [])) : sink.next(answer.data)),
          error: (error) => sink.error(new ApiError([{ message: error instanceof Error ? error.message : 'the progress connection closed' }])),
          complete: () => sink.complete(),
        },
      );
    },
    async download(path: string) {
      const response = await fetch(pageUrl(`../${path.replace(/^\//, '')}`), { headers: { authorization } });
      if (!response.ok) {
        const body = (await response.json().catch(() => ({}))) as Answer<unknown>;
        throw new ApiError(body.errors ?? [{ message: `the gateway answered ${response.status}` }]);
      }
      const filename = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'report.csv';
      return { blob: await response.blob(), filename };
    },
    close: () => void ws.dispose(),
  };
}
