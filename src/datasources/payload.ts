/**
 * Checks on upstream JSON before a mapping sees it: a payload of the wrong shape is the vendor's
 * fault, reported as UPSTREAM_BAD_RESPONSE with what arrived, never a TypeError deep in a mapping.
 */
import { UpstreamError, type UpstreamSystem } from '../errors.js';

export type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

export function payloadChecks(system: UpstreamSystem) {
  const bad = (what: string, value: unknown, expected: string) =>
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JSON.stringify returns undefined for undefined (and functions), which its lib type omits
    new UpstreamError(system, 200, `${what} is ${JSON.stringify(value)?.slice(0, 100)}, expected ${expected}`, {
      code: 'UPSTREAM_BAD_RESPONSE',
      retryable: false,
    });
  return {
    bad,
    object: (value: unknown, what: string): Json => {
      if (!isObject(value)) throw bad(what, value, 'an object');
      return value;
    },
    array: (value: unknown, what: string): unknown[] => {
      if (!Array.isArray(value)) throw bad(what, value, 'an array');
      return value;
    },
    text: (value: unknown, what: string): string => {
      if (typeof value !== 'string') throw bad(what, value, 'a string');
      return value;
    },
    json: (body: string, what: string): unknown => {
      try {
        return JSON.parse(body);
      } catch {
        throw bad(what, body.slice(0, 100), 'JSON');
      }
    },
  };
}
