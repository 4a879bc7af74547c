import { describe, expect, it } from 'vitest';
import { signDelivery, verifyDelivery } from '../../src/datasources/bamboohr/delivery.js';

const KEY = 'webhook-private-key';
const NOW = Date.parse('2026-12-01T12:00:00Z');
const body = (employeeId: unknown = '67890') =>
  Buffer.from(
    JSON.stringify({ type: 'employee.updated', timestamp: '2026-12-01T12:00:00+0000', data: { companyId: '1', employeeId, changedFields: ['firstName'] } }),
  );
const seconds = (ms: number) => String(Math.floor(ms / 1000));

function signed(raw: Buffer, timestamp = seconds(NOW)) {
  return { timestamp, signature: signDelivery(KEY, raw, timestamp) };
}
const verify = (raw: Buffer, headers: Parameters<typeof verifyDelivery>[1]) => verifyDelivery(raw, headers, { privateKey: KEY, now: NOW });
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return 'accepted';
};

describe('a BambooHR delivery', () => {
  it('is accepted when signed over body + timestamp, naming its employee', () => {
    const raw = body();
    expect(verify(raw, signed(raw))).toMatchObject({ employeeIds: ['67890'], sentAt: NOW - (NOW % 1000) });
  });

  it('is refused when its captured signature is re-spelt (upper case, trailing garbage, a trailing 0)', () => {
    const raw = body();
    const { timestamp, signature } = signed(raw);
    for (const respelt of [signature.toUpperCase(), `${signature}zz`, `${signature}0`, signature.slice(0, 63), ` ${signature}`]) {
      expect(
        codeOf(() => verify(raw, { timestamp, signature: respelt })),
        respelt,
      ).toBe('UNAUTHENTICATED');
    }
  });

  it('is known by what it says, not by its signature text, so a replay cannot pass as new', () => {
    const raw = body();
    const first = verify(raw, signed(raw));
    const again = verify(Buffer.from(raw), signed(raw));
    expect(again.id).toBe(first.id);
    expect(verify(body('1'), signed(body('1'))).id).not.toBe(first.id);
  });

  it('needs a timestamp that parses and lies within the window', () => {
    const raw = body();
    for (const timestamp of ['yesterday', '', '12abc', 'NaN']) {
      expect(
        codeOf(() => verify(raw, { timestamp, signature: signDelivery(KEY, raw, timestamp) })),
        timestamp,
      ).toBe('UNAUTHENTICATED');
    }
    expect(codeOf(() => verify(raw, signed(raw, seconds(NOW - 3_600_000))))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => verify(raw, signed(raw, seconds(NOW + 3_600_000))))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => verify(raw, signed(raw, '2026-12-01T11:59:00+0000')))).toBe('accepted');
  });

  it('answers a correctly signed body that is not a delivery with BAD_USER_INPUT, not a crash', () => {
    for (const text of [
      '{"type":',
      '[]',
      'null',
      '{"employees":{"id":"1"}}',
      JSON.stringify({ data: { employeeId: '../../etc' } }),
      JSON.stringify({ data: { employeeId: { $gt: 1 } } }),
    ]) {
      const raw = Buffer.from(text);
      expect(
        codeOf(() => verify(raw, signed(raw))),
        text,
      ).toBe('BAD_USER_INPUT');
    }
  });

  it('refuses a delivery naming more employees than the cap instead of queueing them all', () => {
    const raw = Buffer.from(JSON.stringify({ employees: Array.from({ length: 20_000 }, (_, i) => ({ id: String(i + 1), action: 'Updated' })) }));
    expect(codeOf(() => verify(raw, signed(raw)))).toBe('BAD_USER_INPUT');
  });

  it('reads the form encoding BambooHR offers (the documented sample)', () => {
    const raw = Buffer.from('type=employee.updated&data[companyId]=12345&data[employeeId]=67890&data[changedFields][0]=firstName');
    expect(verify(raw, { ...signed(raw), contentType: 'application/x-www-form-urlencoded' }).employeeIds).toEqual(['67890']);
  });
});
