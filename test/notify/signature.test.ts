import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signNotification, verifyNotificationSignature } from '../../src/notify/signature.js';

const secret = 'rgwh_test-secret';
const body = '{"id":"evt_1","type":"RUN_FAILED"}';
const timestamp = '1767225600';
const now = Number(timestamp) * 1000;

describe('notification signatures', () => {
  it('are hex HMAC-SHA256 of the body followed by the timestamp, keyed with the secret', () => {
    const expected = createHmac('sha256', secret).update(`${body}${timestamp}`).digest('hex');
    expect(signNotification(secret, body, timestamp)).toBe(expected);
    expect(signNotification(secret, Buffer.from(body), timestamp)).toBe(expected);
  });

  it('verify only the exact form, over the same body and timestamp, within the tolerance', () => {
    const signature = signNotification(secret, body, timestamp);
    const signed = { secret, body, timestamp, signature, now };
    expect(verifyNotificationSignature(signed)).toBe(true);
    expect(verifyNotificationSignature({ ...signed, body: Buffer.from(body) })).toBe(true);
    expect(verifyNotificationSignature({ ...signed, body: `${body} ` })).toBe(false);
    expect(verifyNotificationSignature({ ...signed, secret: `${secret}x` })).toBe(false);
    expect(verifyNotificationSignature({ ...signed, timestamp: String(Number(timestamp) + 1) })).toBe(false);
    expect(verifyNotificationSignature({ ...signed, signature: signature.toUpperCase() })).toBe(false);
    expect(verifyNotificationSignature({ ...signed, signature: `${signature.slice(0, 62)}zz` })).toBe(false);
    expect(verifyNotificationSignature({ ...signed, signature: undefined })).toBe(false);
    expect(verifyNotificationSignature({ ...signed, timestamp: '2026-01-01T00:00:00Z' })).toBe(false);
    expect(verifyNotificationSignature({ ...signed, now: now + 900_000 })).toBe(true);
    expect(verifyNotificationSignature({ ...signed, now: now - 900_001 })).toBe(false);
    expect(verifyNotificationSignature({ ...signed, now: now + 61_000, toleranceSeconds: 60 })).toBe(false);
  });
});
