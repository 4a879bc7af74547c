/**
 * The sandbox's one error of its own: input it refuses — generator options out of range, an unknown
 * or mistyped quirk in `PUT /__sandbox/quirks` (answered 400 with `{"error": "BadUserInputError: …"}`).
 * It mirrors the gateway's error of the same name (same `code`, `details`, `name`) without importing
 * it: the sandbox is a package of its own and knows nothing of the gateway.
 */
export class BadUserInputError extends Error {
  readonly code = 'BAD_USER_INPUT';
  /** Secret-free facts about the refusal (e.g. the offending field or quirk). */
  readonly details: Record<string, unknown>;

  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'BadUserInputError';
    this.details = details;
  }
}
