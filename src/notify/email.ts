/**
 * Email targets: the same events as the webhooks, written for a person — a plain-text summary and,
 * for a run, its CSV report attached — and sent over SMTP by nodemailer, one message per attempt
 * (the outbox in notifier.ts decides when). The SMTP URL holds a password: nodemailer's own logging
 * stays off, and what a failure leaves in the delivery log is built from the reply code and the
 * error's code only, never from the server's text or the connection's options.
 */
import type { NodemailerError, Transporter } from 'nodemailer';
import type { SyncCounts } from '../core/run.js';
import type { ConnectionEventData, DeliveryOutcome, NotificationPayload, RunEventData } from './payload.js';

export interface SmtpSettings {
  /** smtp://user:pass@host:port or smtps://…: where mail is handed over, and as whom. */
  url: string;
  /** The From: mailbox. */
  from: string;
}

/** A run's CSV report, as attached. */
export interface ReportFile {
  filename: string;
  csv: string;
}

export interface Mail {
  subject: string;
  text: string;
  attachments: { filename: string; content: string; contentType: string }[];
}

export interface Mailer {
  /** One message to `to`. Never rejects. */
  send(to: string, mail: Mail): Promise<DeliveryOutcome>;
  close(): void;
}

export function createMailer(smtp: SmtpSettings, /** Longest each step of the SMTP exchange may wait, ms. */ timeoutMs: number): Mailer {
  // nodemailer loads with the first message: some 15 MB of resident memory a process that sends no email never pays.
  let transport: Promise<Transporter> | undefined;
  const transportOf = () =>
    (transport ??= import('nodemailer').then(({ createTransport }) =>
      createTransport(
        { url: smtp.url, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs, logger: false },
        { from: smtp.from },
      ),
    ));
  return {
    async send(to, mail) {
      try {
        const sent = await (await transportOf()).sendMail({ to, ...mail });
        return { ok: true, retry: false, ...(replyCode(sent.response) !== undefined && { status: replyCode(sent.response) }) };
      } catch (error) {
        return smtpFailure(error as NodemailerError, timeoutMs);
      }
    },
    // A transport that failed to load was reported by the `send` that asked for it: nothing to close.
    close: () =>
      void transport?.then(
        (opened) => opened.close(),
        () => undefined,
      ),
  };
}

const replyCode = (response: string | undefined) => (/^\d{3}/.test(response ?? '') ? Number(response?.slice(0, 3)) : undefined);

/**
 * By SMTP's reply classes (RFC 5321): 4xx is transient (greylisting, a full queue, a busy server) and
 * retried; 5xx is permanent (no such mailbox, relaying refused, bad credentials) and not — except 503,
 * a session out of step, which a new connection may not meet (nodemailer's `permanent`). No reply at
 * all (refused, timed out, cut) is retried, as a webhook with no answer is.
 */
function smtpFailure(error: NodemailerError, timeoutMs: number): DeliveryOutcome {
  if (typeof error.responseCode === 'number') {
    return { ok: false, status: error.responseCode, error: `SMTP answered ${error.responseCode}`, retry: error.permanent !== true };
  }
  const code = error.code ?? 'network error';
  if (code === 'ETIMEDOUT') return { ok: false, retry: true, error: `no SMTP answer within ${timeoutMs} ms (${error.timeoutType ?? code})` };
  return { ok: false, retry: true, error: `no SMTP answer (${error.originalCode ?? code})` };
}

const isRun = (data: RunEventData | ConnectionEventData): data is RunEventData => 'runId' in data;

/** The message a notification becomes; `report` is attached when the event is a run's. */
export function mailOf(payload: NotificationPayload, report: ReportFile | null): Mail {
  const { data } = payload;
  const attachments = report ? [{ filename: report.filename, content: report.csv, contentType: 'text/csv; charset=utf-8' }] : [];
  const footer = ['', `Tenant: ${payload.tenant}`, `Event: ${payload.type} (${payload.id}) at ${payload.occurredAt}`, '', '— rostergate'];
  if (isRun(data)) {
    const subject = `rostergate: ${data.source ?? 'sync'} run ${data.status}${data.dryRun ? ' (dry run)' : ''}`;
    const lines = [
      `${data.source ? `A ${data.source}` : 'A'} sync run ${data.status === 'AWAITING_APPROVAL' ? 'is held for approval' : `ended ${data.status}`}.`,
      '',
      `Source: ${data.source ?? 'none'}`,
      `Status: ${data.status}${data.dryRun ? ' (dry run: nothing was written to Litmos)' : ''}`,
      `Trigger: ${data.trigger ?? 'unknown'}`,
      `Counts: ${countsText(data.counts)}`,
      ...(data.error ? [`Error: ${data.error}`] : []),
      `Run: ${data.runId}`,
      `Report: ${report ? `attached (${report.filename}); also ` : ''}GET ${data.reportUrl} on the gateway, or rostergate sync report ${data.runId}`,
      ...(data.status === 'AWAITING_APPROVAL' ? [`Next: rostergate sync approve ${data.runId} (or cancel it)`] : []),
    ];
    return { subject, text: [...lines, ...footer].join('\n'), attachments };
  }
  const system = data.system.toUpperCase();
  const entered = payload.type === 'CONNECTION_ERROR';
  const subject = `rostergate: ${system} connection ${entered ? 'in ERROR' : 'recovered'}`;
  const lines = [
    entered
      ? `The ${system} connection failed three runs or tests in a row and is in ERROR; the next success clears it.`
      : `The ${system} connection has recovered: a run or test succeeded after it was in ERROR.`,
    ...(data.error ? ['', `Error: ${data.error}`] : []),
  ];
  return { subject, text: [...lines, ...footer].join('\n'), attachments };
}

function countsText(counts: SyncCounts): string {
  const nonZero = Object.entries(counts).filter(([, n]) => n > 0);
  return nonZero.length > 0 ? nonZero.map(([name, n]) => `${name} ${n}`).join(', ') : 'nothing changed';
}
