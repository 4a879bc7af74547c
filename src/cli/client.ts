/**
 * The one place the CLI reaches a gateway: where (--url, ROSTERGATE_URL, else where `serve` would
 * listen: ROSTERGATE_HOST/ROSTERGATE_PORT), as whom (--token, ROSTERGATE_TOKEN), and how failures
 * read: one line each, never a stack, because scripts log stderr and people read it.
 */
import type { Command } from 'commander';
import { loadClientConfig } from '../config.js';
import { ConfigError, isRostergateError } from '../errors.js';

/** The options every gateway command takes. */
export interface ClientOptions {
  url?: string;
  token?: string;
  json: boolean;
}

/** A gateway and the token to present to it. */
export interface Target {
  url: string;
  token: string;
}

export interface GraphQLErrorView {
  message: string;
  extensions?: { code?: unknown };
}

interface Answer<T> {
  data?: T | null;
  errors?: GraphQLErrorView[];
}

/** Nothing answered at the gateway's address (refused, unresolvable, timed out). */
export class GatewayUnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly causeCode: string,
  ) {
    super(`cannot reach the gateway at ${url} (${causeCode})`);
    this.name = 'GatewayUnreachableError';
  }
}

/**
 * The gateway answered with an error. Its code is the gateway's `extensions.code`, kept as a string:
 * the server's GraphQL layer adds codes of its own (GRAPHQL_VALIDATION_FAILED) beyond src/errors.ts's.
 */
export class GatewayRefusalError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'GatewayRefusalError';
  }
}

/** Adds --url, --token and --json to a command, so each command's --help lists them. */
export function withClientOptions(command: Command): Command {
  return command
    .option('--url <url>', 'gateway URL (ROSTERGATE_URL; else http://ROSTERGATE_HOST:ROSTERGATE_PORT)')
    .option('--token <token>', 'API token (ROSTERGATE_TOKEN)')
    .option('--json', 'print one JSON document on stdout and nothing else', false);
}

export function targetOf(options: ClientOptions): Target {
  const config = loadClientConfig(undefined, { url: options.url, token: options.token });
  if (!config.token) throw new ConfigError('an API token is needed: --token or ROSTERGATE_TOKEN', { variable: 'ROSTERGATE_TOKEN' });
  return { url: config.url, token: config.token };
}

/** One GraphQL operation; the data, or the gateway's first error thrown as GatewayRefusalError. */
export async function request<T>(target: Target, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await call(target, '/graphql', { method: 'POST', body: JSON.stringify({ query, variables }) });
  const answer = await answerOf<T>(response);
  if (answer.errors?.length || !answer.data) throw refusalOf(answer, response.status);
  return answer.data;
}

/** A plain GET beside /graphql (a run's CSV report), with the same token. */
export async function download(target: Target, path: string): Promise<string> {
  const response = await call(target, path, { method: 'GET' });
  if (response.ok) return response.text();
  throw refusalOf(await answerOf(response), response.status);
}

async function call(target: Target, path: string, init: { method: 'GET' | 'POST'; body?: string }): Promise<Response> {
  const headers = { authorization: `Bearer ${target.token}`, ...(init.body !== undefined && { 'content-type': 'application/json' }) };
  try {
    return await fetch(`${target.url}${path}`, { ...init, headers });
  } catch (error) {
    throw new GatewayUnreachableError(target.url, causeCode(error));
  }
}

async function answerOf<T>(response: Response): Promise<Answer<T>> {
  const text = await response.text();
  try {
    return JSON.parse(text) as Answer<T>;
  } catch {
    // Not the gateway's JSON: a proxy's page, or another server on that port.
    throw new GatewayRefusalError(`HTTP_${response.status}`, `the server answered HTTP ${response.status}, not GraphQL JSON`);
  }
}

function refusalOf(answer: Answer<unknown>, status: number): GatewayRefusalError {
  const errors = answer.errors ?? [];
  return errors.length > 0 ? refusalFrom(errors) : new GatewayRefusalError(`HTTP_${status}`, `the gateway answered HTTP ${status} without data`);
}

/** The first of a GraphQL answer's errors, saying how many more there were: the first is the cause. */
export function refusalFrom([first, ...rest]: readonly GraphQLErrorView[]): GatewayRefusalError {
  const code = first?.extensions?.code;
  const more = rest.length > 0 ? ` (and ${rest.length} more)` : '';
  return new GatewayRefusalError(typeof code === 'string' ? code : 'ERROR', `${first?.message ?? 'refused'}${more}`);
}

const codeOf = (value: unknown): string | undefined => (value instanceof Error && 'code' in value && typeof value.code === 'string' ? value.code : undefined);

/** fetch says only "fetch failed"; the system's reason (ECONNREFUSED, ENOTFOUND) is in its cause. */
export function causeCode(error: unknown): string {
  const cause = error instanceof Error ? (error.cause ?? error) : error;
  // Several addresses for one name (localhost: ::1 and 127.0.0.1) fail as an AggregateError.
  const nested = cause instanceof AggregateError ? cause.errors.map(codeOf).find(Boolean) : undefined;
  return codeOf(cause) ?? nested ?? (cause instanceof Error ? cause.message : String(cause));
}

/** The one line a failure prints; undefined for a bug, whose stack is worth seeing. */
export function failureLine(error: unknown): string | undefined {
  if (error instanceof GatewayUnreachableError) return `rostergate: ${error.message}`;
  if (error instanceof GatewayRefusalError || isRostergateError(error)) return `rostergate: ${error.code}: ${error.message}`;
  return undefined;
}

/** With --json, exactly one document on stdout; otherwise the human lines. */
export function print(options: Pick<ClientOptions, 'json'>, document: unknown, lines: () => string[]): void {
  if (options.json) process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  else for (const line of lines()) process.stdout.write(`${line}\n`);
}
