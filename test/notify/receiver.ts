/**
 * A webhook receiver on loopback for the notification tests: records every request as it came (raw
 * body, headers) and answers with the statuses it is told, in order, then its standing answer (200 unless told).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Retries in milliseconds, so a test sees a delivery's third attempt at once. */
export const FAST_RETRIES = { ROSTERGATE_NOTIFY_RETRY_MS: '20', ROSTERGATE_NOTIFY_RETRY_MAX_MS: '100', ROSTERGATE_NOTIFY_TIMEOUT_MS: '2000' };

export interface Received {
  body: string;
  headers: IncomingHttpHeaders;
  /** What it was answered. */
  status: number;
  payload: { id: string; type: string; occurredAt: string; tenant: string; data: Record<string, unknown> };
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Statuses for the next requests, in order; the standing answer once they are used up. */
  answer(...statuses: number[]): void;
  /** The standing answer. @default 200 */
  answerAlways(status: number): void;
  close(): Promise<void>;
}

export async function startReceiver(port = 0): Promise<Receiver> {
  const received: Received[] = [];
  const queue: number[] = [];
  let standing = 200;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const status = queue.shift() ?? standing;
      received.push({ body, headers: request.headers, status, payload: JSON.parse(body) as Received['payload'] });
      response.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/rostergate?channel=ops`,
    received,
    answer: (...statuses) => void queue.push(...statuses),
    answerAlways: (status) => void (standing = status),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The receiver's side of the scheme, written from the README rather than from the gateway's code:
 * hex HMAC-SHA256 of the raw body followed by the timestamp, keyed with the secret's text.
 */
export function signatureIsValid(secret: string, request: Received): boolean {
  const timestamp = request.headers['x-rostergate-timestamp'];
  const signature = request.headers['x-rostergate-signature'];
  if (typeof timestamp !== 'string' || typeof signature !== 'string' || !/^[0-9a-f]{64}$/.test(signature)) return false;
  const expected = createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(request.body + timestamp, 'utf8')
    .digest();
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}
