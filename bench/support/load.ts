/**
 * Latency samples and a bounded closed-loop load generator over undici's Pool: `connections`
 * workers, each sending its next request as soon as the last is answered, until a request count or
 * a duration is reached, whichever comes first.
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

/** The p-th percentile (0–100) by nearest rank. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

export interface LoadOptions {
  /** Origin of the server, e.g. `http://127.0.0.1:4000`. */
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** Connections, and so requests in flight. @default 50 */
  connections?: number;
  /** Stop after this many requests. @default 5000 */
  maxRequests?: number;
  /** Stop sending after this long, ms. @default 20_000 */
  maxDurationMs?: number;
  /** Give up on one request after this long, ms; it counts as an error. @default 30_000 */
  requestTimeoutMs?: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  durationMs: number;
  /** Per-request latency, ms. */
  latencies: number[];
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const connections = options.connections ?? 50;
  const maxRequests = options.maxRequests ?? 5000;
  const maxDurationMs = options.maxDurationMs ?? 20_000;
  const timeout = options.requestTimeoutMs ?? 30_000;
  const pool = new Pool(options.origin, { connections, pipelining: 1, headersTimeout: timeout, bodyTimeout: timeout });
  // Open every connection first with one unmeasured request each: requests sent while the pool is
  // still connecting queue behind one another on the first sockets and show up as a false tail.
  await Promise.all(
    Array.from({ length: connections }, async () => {
      const response = await pool.request({ method: 'POST', path: options.path, headers: options.headers, body: options.body });
      await response.body.text();
    }),
  );
  const latencies: number[] = [];
  let sent = 0;
  let errors = 0;
  const started = performance.now();
  const more = () => sent < maxRequests && performance.now() - started < maxDurationMs;

  async function worker(): Promise<void> {
    while (more()) {
      sent += 1;
      const at = performance.now();
      try {
        const response = await pool.request({ method: 'POST', path: options.path, headers: options.headers, body: options.body });
        const text = await response.body.text();
        // A 200 carrying GraphQL errors is a failed request too.
        if (response.statusCode !== 200 || text.includes('"errors"')) errors += 1;
      } catch {
        errors += 1;
      }
      latencies.push(performance.now() - at);
    }
  }

  await Promise.all(Array.from({ length: connections }, worker));
  const durationMs = performance.now() - started;
  await pool.close();
  return { requests: latencies.length, errors, durationMs, latencies };
}
