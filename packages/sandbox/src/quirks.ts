/**
 * The documented behaviours of the real vendor APIs (UPSTREAMS.md) that a client must survive, as
 * switches. Our simulators are one reading of the vendors' documentation; a client proven only
 * against a polite reading breaks on the first real account. So the integration suite runs with every
 * quirk on (`ALL_QUIRKS`), and a test that needs a quiet upstream (one counting exact requests)
 * switches off only what it must, saying why.
 *
 * Switches change how a simulator answers, never what it stores: a quirk may encode, reorder, repeat
 * or drop an answer, but the account's state is what the vendor's would be.
 */

/** Quirks every vendor shows, applied by the simulator kit to every API route. */
export interface CommonQuirks {
  /**
   * Share (0–1) of requests answered with the vendor's transient 5xx (Litmos's WCF "Request Error"
   * page, BambooHR's empty 500, Namely's JSON 500). Half of these are sent after the request took
   * effect — a created user exists although the answer said 500 — as a real server may.
   */
  transientErrorRate: number;
  /** Share (0–1) of requests whose connection is cut mid-body, after the request took effect. */
  dropRate: number;
  /** How a throttled answer states `Retry-After`, when it does: delta-seconds, an HTTP-date, or each in turn. */
  retryAfterForm: 'seconds' | 'date' | 'both';
}

export interface LitmosQuirks {
  /** JSON reads (lists and single users, teams) carry names HTML-encoded as the web UI saved them (`A&amp;B`). */
  encodedNames: boolean;
  /** "Sometimes the Litmos API will actually return more items than requested": pages of `limit + 1`. */
  overfullPages: boolean;
  /** XML writes must list a User's elements in DataContract order; another order is a 500 (WCF). */
  xmlElementOrder: boolean;
}

export interface BambooHrQuirks {
  /** Throttles answer 429 with `Retry-After` (from 2026-09-16); off: the older 503. */
  throttleAs429: boolean;
  /** `GET …/tables/{table}` rows come in no particular order. */
  unorderedTableRows: boolean;
  /** "No date" is `"0000-00-00"` in reports, not null. */
  zeroDates: boolean;
  /** Checkbox (bool-typed custom) fields arrive as strings (`"true"`/`"false"`, `"Yes"`/`"No"`), not JSON booleans. */
  checkboxStrings: boolean;
}

export interface NamelyQuirks {
  /** `GET /groups` omits the optional compound document `linked.group_types`. */
  omitGroupTypes: boolean;
  /** Pages may be shorter than `per_page` before the end; only an empty page ends the list. */
  shortPages: boolean;
}

export interface SandboxQuirks {
  common: CommonQuirks;
  litmos: LitmosQuirks;
  bamboohr: BambooHrQuirks;
  namely: NamelyQuirks;
}

export const NO_QUIRKS: SandboxQuirks = {
  common: { transientErrorRate: 0, dropRate: 0, retryAfterForm: 'seconds' },
  litmos: { encodedNames: false, overfullPages: false, xmlElementOrder: false },
  bamboohr: { throttleAs429: false, unorderedTableRows: false, zeroDates: false, checkboxStrings: false },
  namely: { omitGroupTypes: false, shortPages: false },
};

/** Every documented quirk; faults at about one request in 40 (transient 5xx) and one in 200 (drops). */
export const ALL_QUIRKS: SandboxQuirks = {
  common: { transientErrorRate: 1 / 40, dropRate: 1 / 200, retryAfterForm: 'both' },
  litmos: { encodedNames: true, overfullPages: true, xmlElementOrder: true },
  bamboohr: { throttleAs429: true, unorderedTableRows: true, zeroDates: true, checkboxStrings: true },
  namely: { omitGroupTypes: true, shortPages: true },
};

/** Every format quirk, no injected faults: what `npm start` serves, so a newcomer's first sync is calm but honest. */
export const FORMAT_QUIRKS: SandboxQuirks = { ...ALL_QUIRKS, common: { ...NO_QUIRKS.common, retryAfterForm: 'both' } };

/** A partial override, vendor by vendor. */
export type QuirksPatch = { [K in keyof SandboxQuirks]?: Partial<SandboxQuirks[K]> };

export function withQuirks(base: SandboxQuirks, patch: QuirksPatch = {}): SandboxQuirks {
  return {
    common: { ...base.common, ...patch.common },
    litmos: { ...base.litmos, ...patch.litmos },
    bamboohr: { ...base.bamboohr, ...patch.bamboohr },
    namely: { ...base.namely, ...patch.namely },
  };
}
