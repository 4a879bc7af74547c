/**
 * The public API of failure: a closed set of error classes, each with a stable `code` that becomes
 * the GraphQL `extensions.code` unchanged. Messages say what was received and what was expected,
 * and never carry a credential.
 */

export const ERROR_CODES = [
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'CONFIG_INVALID',
  'UPSTREAM_UNAUTHORIZED',
  'UPSTREAM_NOT_FOUND',
  'UPSTREAM_CONFLICT',
  'UPSTREAM_RATE_LIMITED',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_BAD_RESPONSE',
  'QUERY_TOO_COMPLEX',
  'QUERY_TOO_DEEP',
  'QUERY_TOO_LARGE',
  'TOO_MANY_ALIASES',
  'TOO_MANY_DIRECTIVES',
  'PAYLOAD_TOO_LARGE',
  'RATE_LIMITED',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export abstract class RostergateError extends Error {
  abstract readonly code: ErrorCode;
  /** Extra, secret-free facts for `extensions` (e.g. the offending field). */
  readonly details: Record<string, unknown>;

  constructor(message: string, details: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.details = details;
  }
}

export class BadUserInputError extends RostergateError {
  readonly code = 'BAD_USER_INPUT';
}
export class UnauthenticatedError extends RostergateError {
  readonly code = 'UNAUTHENTICATED';
}
export class ForbiddenError extends RostergateError {
  readonly code = 'FORBIDDEN';
}
export class NotFoundError extends RostergateError {
  readonly code = 'NOT_FOUND';
}
export class ConflictError extends RostergateError {
  readonly code = 'CONFLICT';
}
export class ConfigError extends RostergateError {
  readonly code = 'CONFIG_INVALID';
}

export const OPERATION_LIMIT_CODES = ['QUERY_TOO_COMPLEX', 'QUERY_TOO_DEEP', 'QUERY_TOO_LARGE', 'TOO_MANY_ALIASES', 'TOO_MANY_DIRECTIVES'] as const;
export type OperationLimitCode = (typeof OPERATION_LIMIT_CODES)[number];

/** An operation refused before execution for its size or estimated cost (see limits.ts). */
export class OperationLimitError extends RostergateError {
  readonly code: OperationLimitCode;

  constructor(code: OperationLimitCode, message: string, details: Record<string, unknown> = {}) {
    super(message, details);
    this.code = code;
  }
}

/** A request body over its route's size limit; refused before it is read whole. */
export class PayloadTooLargeError extends RostergateError {
  readonly code = 'PAYLOAD_TOO_LARGE';
}

/** Too many requests from one caller; `details.retryAfterSeconds` says when to come back. */
export class RateLimitedError extends RostergateError {
  readonly code = 'RATE_LIMITED';
}

export type UpstreamSystem = 'bamboohr' | 'namely' | 'litmos';

const UPSTREAM_CODE_BY_STATUS: Record<number, ErrorCode> = {
  401: 'UPSTREAM_UNAUTHORIZED',
  403: 'UPSTREAM_UNAUTHORIZED',
  404: 'UPSTREAM_NOT_FOUND',
  409: 'UPSTREAM_CONFLICT',
  429: 'UPSTREAM_RATE_LIMITED',
};

/** A failed call to BambooHR, Namely or Litmos, after the HTTP client gave up retrying. */
export class UpstreamError extends RostergateError {
  readonly code: ErrorCode;
  readonly system: UpstreamSystem;
  /** HTTP status, or 0 when no response arrived (timeout, reset, refused). */
  readonly status: number;
  readonly retryable: boolean;

  constructor(system: UpstreamSystem, status: number, message: string, options: { retryable?: boolean; code?: ErrorCode; cause?: unknown } = {}) {
    super(`${system}: ${message}`, { system, status }, { cause: options.cause });
    this.system = system;
    this.status = status;
    this.code = options.code ?? UpstreamError.codeFor(system, status);
    this.retryable = options.retryable ?? (status === 0 || status === 429 || status >= 500);
  }

  /** Litmos signals its rate limit with 503, so a 503 from Litmos is a rate limit, not an outage. */
  static codeFor(system: UpstreamSystem, status: number): ErrorCode {
    if (status === 503 && system === 'litmos') return 'UPSTREAM_RATE_LIMITED';
    if (status === 0 || status >= 500) return 'UPSTREAM_UNAVAILABLE';
    return UPSTREAM_CODE_BY_STATUS[status] ?? 'UPSTREAM_BAD_RESPONSE';
  }
}

export function isRostergateError(error: unknown): error is RostergateError {
  return error instanceof RostergateError;
}
