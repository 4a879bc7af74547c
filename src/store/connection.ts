import Keyv, { type KeyvStoreAdapter } from 'keyv';
import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { ConfigError } from '../errors.js';

/** The two keyv namespaces every backend provides, and the connection they share. */
export interface Backend {
  /** Durable state: the repositories' keys. */
  state: Keyv;
  /** Upstream read cache; entries carry TTLs. */
  cache: Keyv;
  /** Compare-and-set on `state`, atomic across processes: what state transitions are built on. */
  swap: StateSwap;
  /** Where the data lives, without credentials, for logs and error messages. */
  address: string;
  /**
   * A request-rate limiter (rate-limiter-flexible) counting in this backend where that is shared —
   * Redis, so every gateway on one store enforces one limit per caller — else in this process.
   */
  limiter(options: LimiterOptions): RateLimiterAbstract;
  /** Resolves when the backend answers a round trip; throws `ConfigError` when it cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface LimiterOptions {
  /** Requests allowed per window. */
  points: number;
  /** The window, seconds. */
  durationSeconds: number;
}

/** The per-process limiter, for backends that do not share one. */
export const memoryLimiter = (options: LimiterOptions): RateLimiterAbstract =>
  new RateLimiterMemory({ points: options.points, duration: options.durationSeconds });

/**
 * Compare-and-set of one `state` key's stored text. Keys are the repositories' own (the backend adds
 * its namespace prefix as keyv does); texts are entries exactly as keyv serialized them, so a caller
 * compares what it read, byte for byte, with no second serialization that could differ.
 */
export interface StateSwap {
  /** The entry's stored text, or undefined when the key holds nothing. */
  read(key: string): Promise<string | undefined>;
  /**
   * Stores `next` only if the key still holds `expected` (undefined: only if it holds nothing), in
   * one step no other writer can split; whether it did. The entry never expires.
   */
  write(key: string, expected: string | undefined, next: string): Promise<boolean>;
}

export const STATE_NAMESPACE = 'state';
export const CACHE_NAMESPACE = 'cache';

/**
 * Keyv set to throw store failures instead of reporting them as misses: a journal read that failed
 * must not look like an action that never started.
 */
export function strictKeyv(store: KeyvStoreAdapter, namespace: string, useKeyPrefix = true): Keyv {
  return new Keyv({ store, namespace, useKeyPrefix, throwOnErrors: true });
}

export function unreachable(what: string, cause: unknown): ConfigError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ConfigError(`${what} is unreachable: ${reason}`, {}, { cause });
}

/** Rejects with `unreachable(what, …)` when `work` has not settled within `timeoutMs`. */
export async function withDeadline<T>(what: string, timeoutMs: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([work, deadline]);
  } catch (error) {
    throw unreachable(what, error);
  } finally {
    clearTimeout(timer);
  }
}

/** `host:port/path` of a server URL, never its user name or password. */
export function serverAddress(url: URL): string {
  return `${url.hostname}:${url.port || defaultPort(url.protocol)}${url.pathname === '/' ? '' : url.pathname}`;
}

function defaultPort(protocol: string): string {
  return protocol.startsWith('redis') ? '6379' : '5432';
}
