/**
 * Webhook targets: each delivery is one JSON POST, signed at the moment it is sent (signature.ts),
 * its answer read as the outbox needs it (notifier.ts decides when to try again).
 */
import { Agent, request } from 'undici';
import type { Clock } from '../clock.js';
import { parseRetryAfter } from '../datasources/retry.js';
import { VERSION } from '../version.js';
import type { DeliveryOutcome } from './payload.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signNotification } from './signature.js';

export interface WebhookSender {
  /** One POST of `body` to `url`, signed with `secret`. Never rejects. */
  send(url: string, body: string, secret: string): Promise<DeliveryOutcome>;
  close(): Promise<void>;
}

export function createWebhookSender(options: { clock: Clock; /** Longest one attempt may take, connecting included, ms. */ timeoutMs: number }): WebhookSender {
  const { clock, timeoutMs } = options;
  const agent = new Agent({ connect: { timeout: timeoutMs } });

  /** Retried: no answer, a timeout, 429 and 5xx; other statuses are the receiver's final word. */
  async function send(url: string, body: string, secret: string): Promise<DeliveryOutcome> {
    const timestamp = String(Math.floor(clock().getTime() / 1000));
    try {
      const response = await request(url, {
        method: 'POST',
        dispatcher: agent,
        headers: {
          'content-type': 'application/json',
          'user-agent': `rostergate/${VERSION}`,
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: signNotification(secret, body, timestamp),
        },
        body,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body.dump();
      const status = response.statusCode;
      if (status >= 200 && status < 300) return { ok: true, status, retry: false };
      const retry = status === 429 || status >= 500;
      const retryAfter = response.headers['retry-after'];
      const retryAfterMs = retry ? parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, clock().getTime()) : undefined;
      return { ok: false, status, error: `answered ${status}`, retry, ...(retryAfterMs !== undefined && { retryAfterMs }) };
    } catch (error) {
      return { ok: false, retry: true, error: failureOf(error, timeoutMs) };
    }
  }

  return { send, close: () => agent.close() };
}

/** Why no answer came, by the error's code: undici's messages may carry the address, which may carry a token. */
function failureOf(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  const code = codeOf(error) ?? codeOf(error instanceof Error ? error.cause : undefined);
  if (code?.endsWith('_TIMEOUT')) return `no answer within ${timeoutMs} ms (${code})`;
  return `no answer (${code ?? 'network error'})`;
}

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
