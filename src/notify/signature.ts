/**
 * How rostergate signs the notifications it sends, and how a receiver checks one: the scheme BambooHR
 * uses for its own webhooks (src/datasources/bamboohr/delivery.ts), under our header names.
 *
 *   X-Rostergate-Timestamp: unix seconds when the attempt was sent
 *   X-Rostergate-Signature: hex_lowercase(HMAC_SHA256(secret, rawBody + timestamp))
 *
 * The body first, the timestamp appended, no separator; the key is the target's secret as text
 * (UTF-8), as `addNotificationTarget` returned it. Each attempt is signed anew with its own
 * timestamp; the body, and so its `id`, stays the same across attempts.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'X-Rostergate-Timestamp';
export const SIGNATURE_HEADER = 'X-Rostergate-Signature';

/** How far a timestamp may be from the receiver's clock by default, s: BambooHR's window. */
export const DEFAULT_TOLERANCE_SECONDS = 900;

export function signNotification(secret: string, body: string | Buffer, timestamp: string): string {
  return createHmac('sha256', secret).update(body).update(timestamp).digest('hex');
}

export interface SignedNotification {
  /** The target's signing secret. */
  secret: string;
  /** The request body exactly as received (before any JSON parsing). */
  body: string | Buffer;
  /** The X-Rostergate-Timestamp header. */
  timestamp: string | undefined;
  /** The X-Rostergate-Signature header. */
  signature: string | undefined;
  /** The receiver's clock, ms since the epoch. @default Date.now() */
  now?: number;
  /** Largest accepted distance between the timestamp and `now`, s. @default DEFAULT_TOLERANCE_SECONDS */
  toleranceSeconds?: number;
}

const SIGNATURE = /^[0-9a-f]{64}$/;
const TIMESTAMP = /^\d{1,12}$/;

/**
 * True when the notification was signed with `secret` over this body and timestamp, and the
 * timestamp is within the tolerance. Only the exact form is taken — 64 lower-case hex digits (Node's
 * hex decoding would read `abc…zz` like `abc…`), compared in constant time.
 */
export function verifyNotificationSignature({
  secret,
  body,
  timestamp,
  signature,
  now = Date.now(),
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
}: SignedNotification): boolean {
  if (!timestamp || !signature || !TIMESTAMP.test(timestamp) || !SIGNATURE.test(signature)) return false;
  if (Math.abs(now - Number(timestamp) * 1000) > toleranceSeconds * 1000) return false;
  return timingSafeEqual(Buffer.from(signNotification(secret, body, timestamp), 'hex'), Buffer.from(signature, 'hex'));
}
