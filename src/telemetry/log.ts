/**
 * Structured logs (pino): one JSON line per event that matters, pretty when a person is watching a
 * terminal. Credentials are blanked by the logger itself, by path, so a line that carries one by
 * mistake — a settings object, a request's headers — still prints none.
 */
import pino, { type DestinationStream, type Level, type Logger } from 'pino';

export type { Logger };
export type LogLevel = Level | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Every name a credential goes by in this codebase's objects, at the top level and one or two levels down. */
const SECRET_NAMES = ['apiKey', 'apikey', 'token', 'password', 'secret', 'secretKey', 'adminToken', 'authorization', 'privateKey', 'signature'];
export const REDACT_PATHS = SECRET_NAMES.flatMap((name) => [name, `*.${name}`, `*.*.${name}`]);

export interface LoggerOptions {
  level: LogLevel;
  /** Where lines go (tests pass a stream). @default stdout, pretty-printed when it is a terminal */
  destination?: DestinationStream;
}

export function createLogger({ level, destination }: LoggerOptions): Logger {
  const options = { level, base: { service: 'rostergate' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  if (destination !== undefined) return pino(options, destination);
  if (process.stdout.isTTY) return pino({ ...options, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } });
  return pino(options);
}
