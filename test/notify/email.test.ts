/**
 * Email notifications without a server: the SMTP settings as the configuration takes them (both or
 * neither, never echoing the URL, which holds a password), the addresses a target takes, and the
 * message a connection event becomes.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { mailOf } from '../../src/notify/email.js';
import { parseMailbox } from '../../src/notify/targets.js';

const refusal = (env: Record<string, string>): { code?: string; message: string; details?: unknown } => {
  try {
    loadConfig(env);
  } catch (error) {
    return error as { code?: string; message: string; details?: unknown };
  }
  throw new Error('expected loadConfig to refuse');
};

describe('SMTP settings', () => {
  it('takes an smtp:// or smtps:// URL with a sender, and neither alone', () => {
    const url = 'smtps://mailer:s3cret-pass@smtp.example.com:465';
    expect(loadConfig({ ROSTERGATE_SMTP_URL: url, ROSTERGATE_SMTP_FROM: 'Rostergate <alerts@example.com>' }).notifications.smtp).toEqual({
      url,
      from: 'Rostergate <alerts@example.com>',
    });
    expect(loadConfig({}).notifications.smtp).toBeUndefined();
    expect(refusal({ ROSTERGATE_SMTP_URL: url })).toMatchObject({ code: 'CONFIG_INVALID', details: { variable: 'ROSTERGATE_SMTP_FROM' } });
    expect(refusal({ ROSTERGATE_SMTP_FROM: 'alerts@example.com' })).toMatchObject({ details: { variable: 'ROSTERGATE_SMTP_URL' } });
  });

  it('refuses another scheme or a bad sender without repeating the password', () => {
    const wrong = refusal({ ROSTERGATE_SMTP_URL: 'https://mailer:s3cret-pass@smtp.example.com', ROSTERGATE_SMTP_FROM: 'alerts@example.com' });
    expect(wrong).toMatchObject({ code: 'CONFIG_INVALID', details: { variable: 'ROSTERGATE_SMTP_URL' } });
    expect(wrong.message).toContain('https:');
    expect(wrong.message).not.toContain('s3cret-pass');
    const sender = refusal({ ROSTERGATE_SMTP_URL: 'smtp://mailer:s3cret-pass@127.0.0.1:25', ROSTERGATE_SMTP_FROM: 'alerts, ops@example.com' });
    expect(sender).toMatchObject({ details: { variable: 'ROSTERGATE_SMTP_FROM' } });
    expect(sender.message).not.toContain('s3cret-pass');
  });
});

describe('addresses', () => {
  it('takes one mailbox, named or bare; no list, group or line break', () => {
    expect(parseMailbox('ops@example.com')).toEqual({ name: '', address: 'ops@example.com' });
    expect(parseMailbox(' Rostergate <alerts@example.com> ')).toEqual({ name: 'Rostergate', address: 'alerts@example.com' });
    for (const text of ['', 'ops', '@example.com', 'a@b.example, c@d.example', 'team: a@b.example;', 'a@b.example\r\nBcc: c@d.example']) {
      expect(parseMailbox(text), text).toBeNull();
    }
  });
});

describe('the message of a connection event', () => {
  it('says which connection, what went wrong and where, with nothing attached', () => {
    const mail = mailOf(
      {
        id: 'evt_1',
        type: 'CONNECTION_ERROR',
        occurredAt: '2026-03-02T03:00:00.000Z',
        tenant: 'acme',
        data: { system: 'litmos', error: 'litmos GET /users answered 401' },
      },
      null,
    );
    expect(mail.subject).toBe('rostergate: LITMOS connection in ERROR');
    expect(mail.text).toContain('The LITMOS connection failed three runs or tests in a row and is in ERROR');
    expect(mail.text).toContain('Error: litmos GET /users answered 401');
    expect(mail.text).toContain('Tenant: acme');
    expect(mail.attachments).toEqual([]);
  });
});
