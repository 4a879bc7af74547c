/**
 * A real SMTP server on loopback for the email notification tests (smtp-server): it asks for a user
 * name and password, parses every message it accepts (mailparser), and answers the next messages with
 * the reply codes it is told — a 451 to be retried, a 550 to be given up — before accepting again.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpReceiver {
  /** smtp://user:password@127.0.0.1:port, as ROSTERGATE_SMTP_URL takes it. */
  url: string;
  password: string;
  /** Messages accepted, parsed, in order. */
  received: ParsedMail[];
  /** Reply codes for the next messages' data, in order; accepted (250) once used up. */
  answer(...codes: number[]): void;
  /** Data replies given so far, accepted or not. */
  answered: number[];
  close(): Promise<void>;
}

export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const user = 'rostergate-mailer';
  const password = `smtp-pass-${Math.random().toString(36).slice(2)}-0123456789`;
  const received: ParsedMail[] = [];
  const answered: number[] = [];
  const queued: number[] = [];
  const server = new SMTPServer({
    // No certificate to offer on loopback: plain SMTP, with AUTH allowed over it for the test only.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) callback(null, { user });
      else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          const code = queued.shift() ?? 250;
          answered.push(code);
          if (code === 250) {
            received.push(mail);
            callback();
          } else callback(Object.assign(new Error(code < 500 ? 'Try again later' : 'Mailbox unavailable'), { responseCode: code }));
        },
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://${user}:${password}@127.0.0.1:${port}`,
    password,
    received,
    answered,
    answer: (...codes) => void queued.push(...codes),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
