/**
 * The simulator kit's common quirks, on their own: the faults the integration suite relies on must
 * really happen, or a client "surviving" them proves nothing. A tiny simulator whose one write is
 * a counter shows whether a request took effect; the Litmos simulator shows the vendor's own page.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createUpstreamClient } from '../../src/datasources/http.js';
import {
  createLitmosSimulator,
  json,
  NO_QUIRKS,
  Router,
  startSimulator,
  type CommonQuirks,
  type RunningSimulator,
  type SimulatorSpec,
} from '@rostergate/sandbox';

const WINDOW_MS = 1000;
let effects = 0;
let sim: RunningSimulator;
const common: CommonQuirks = { ...NO_QUIRKS.common };

function spec(): SimulatorSpec {
  const router = new Router()
    .on('POST', '/count', () => json(201, { effects: ++effects, padding: 'x'.repeat(200) }))
    .on('GET', '/count', () => json(200, { effects }));
  return {
    name: 'kit',
    router,
    authenticate: () => 'one-key',
    reset: () => void (effects = 0),
    rate: { limit: 1000, windowMs: WINDOW_MS, status: 429, retryAfter: true },
    quirks: { common, vendor: { someVendorSwitch: false } },
    transientError: () => ({ status: 500, headers: { 'Content-Type': 'text/plain' }, body: 'transient' }),
    seed: 3,
  };
}

const post = () => fetch(`${sim.url}/count`, { method: 'POST' });
const quirks = (patch: Record<string, unknown>) => fetch(`${sim.url}/__sandbox/quirks`, { method: 'PUT', body: JSON.stringify(patch) });

/** The body as read to the end, or the error reading it raised. */
async function readAll(response: Response): Promise<string | Error> {
  return response.text().catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
}

beforeAll(async () => {
  sim = await startSimulator(spec());
});
afterAll(() => sim.close());
beforeEach(async () => {
  Object.assign(common, NO_QUIRKS.common);
  sim.setLimits({ limit: 1000 });
  await fetch(`${sim.url}/__sandbox/reset`, { method: 'POST' });
});

describe('transientErrorRate', () => {
  it("answers the vendor's transient error, half of the time after the request took effect", async () => {
    sim.setQuirks({ transientErrorRate: 1 });
    const answers = await Promise.all(
      Array.from({ length: 40 }, async () => {
        const response = await post();
        return { status: response.status, body: await response.text() };
      }),
    );
    expect(answers.every((a) => a.status === 500 && a.body === 'transient')).toBe(true);
    // Every answer was an error, yet some of the writes happened: the client cannot tell which.
    expect(effects).toBeGreaterThan(8);
    expect(effects).toBeLessThan(32);
    expect(sim.stats().routes['POST /count']?.statuses).toEqual({ '500': 40 });
  });

  it('is drawn only for routes that exist: a 404 stays a 404', async () => {
    sim.setQuirks({ transientErrorRate: 1 });
    expect((await fetch(`${sim.url}/nowhere`)).status).toBe(404);
  });

  it('sends Litmos\'s WCF "Request Error" page', async () => {
    const litmos = createLitmosSimulator({ quirks: { common: { ...NO_QUIRKS.common, transientErrorRate: 1 }, vendor: { ...NO_QUIRKS.litmos } } });
    const running = await startSimulator(litmos.spec);
    try {
      const response = await fetch(`${running.url}/v1.svc/users?source=t&format=json`, { headers: { apikey: 'sandbox-litmos-key' } });
      expect(response.status).toBe(500);
      expect(response.headers.get('content-type')).toBe('text/html');
      expect(await response.text()).toContain('<TITLE>Request Error</TITLE>');
    } finally {
      await running.close();
    }
  });
});

describe('dropRate', () => {
  it('cuts the answer mid-body after the request took effect', async () => {
    sim.setQuirks({ dropRate: 1 });
    const response = await post();
    expect(response.status).toBe(201);
    const body = await readAll(response);
    expect(body).toBeInstanceOf(Error);
    expect(effects).toBe(1);
    expect(sim.stats().routes['POST /count']?.statuses).toEqual({ '0': 1 });
  });

  it('leaves HEAD alone (it has no body to cut)', async () => {
    sim.setQuirks({ dropRate: 1 });
    expect((await fetch(`${sim.url}/count`, { method: 'HEAD' })).status).toBe(200);
  });
});

describe('one-shot faults after the effect', () => {
  const arm = (fault: object) => fetch(`${sim.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify(fault) });

  it('a status after the effect: the write happened, the answer says 500 (the vendor page)', async () => {
    await arm({ route: 'POST /count', status: 500, afterEffect: true });
    const response = await post();
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('transient');
    expect(effects).toBe(1);
    expect((await post()).status).toBe(201);
  });

  it('a status before the effect: nothing happened', async () => {
    await arm({ route: 'POST /count', status: 500 });
    expect((await post()).status).toBe(500);
    expect(effects).toBe(0);
  });

  it('a drop after the effect cuts the answer mid-body', async () => {
    await arm({ route: 'POST /count', drop: true, afterEffect: true });
    const response = await post();
    expect(response.status).toBe(201);
    expect(await readAll(response)).toBeInstanceOf(Error);
    expect(effects).toBe(1);
  });
});

describe('Retry-After forms', () => {
  /** Throttled answers' Retry-After values, with the limit at one request a window. */
  async function throttledValues(n: number): Promise<string[]> {
    sim.setLimits({ limit: 1 });
    const values: string[] = [];
    await fetch(`${sim.url}/count`);
    for (let i = 0; i < n; i++) {
      const response = await fetch(`${sim.url}/count`);
      expect(response.status).toBe(429);
      values.push(response.headers.get('retry-after') ?? '');
    }
    return values;
  }
  const HTTP_DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

  it('seconds: delta-seconds, rounded up', async () => {
    sim.setQuirks({ retryAfterForm: 'seconds' });
    expect(await throttledValues(2)).toEqual(['1', '1']);
  });

  it('date: an HTTP-date within the window', async () => {
    sim.setQuirks({ retryAfterForm: 'date' });
    const [value] = await throttledValues(1);
    expect(value).toMatch(HTTP_DATE);
    const at = Date.parse(value!);
    expect(at).toBeGreaterThan(Date.now() - 1000);
    expect(at).toBeLessThanOrEqual(Date.now() + WINDOW_MS);
  });

  it('both: one form, then the other', async () => {
    sim.setQuirks({ retryAfterForm: 'both' });
    const values = await throttledValues(4);
    expect(values.map((v) => (/^\d+$/.test(v) ? 'seconds' : HTTP_DATE.test(v) ? 'date' : v))).toEqual(['seconds', 'date', 'seconds', 'date']);
  });

  it('a client honouring the date form retries once, after the slot frees, though the date is truncated to the second', async () => {
    sim.setQuirks({ retryAfterForm: 'date' });
    sim.setLimits({ limit: 1 });
    // Mid-second, so the date (the slot's instant, truncated) names a moment ~500 ms before the slot.
    while (Date.now() % 1000 < 400 || Date.now() % 1000 > 600) await new Promise((resolve) => setTimeout(resolve, 10));
    const upstream = createUpstreamClient({ system: 'bamboohr', baseUrl: sim.url, budget: { limit: 1000, windowMs: WINDOW_MS } });
    try {
      expect((await fetch(`${sim.url}/count`)).status).toBe(200);
      // Over the simulator's limit at once (the client's own budget is set too wide to pace it).
      expect((await upstream.request({ method: 'GET', path: '/count' })).status).toBe(200);
      // One throttle: taking the truncated date at its word would retry ~500 ms early, into another.
      expect(sim.stats().throttled).toBe(1);
      expect(upstream.metrics()).toMatchObject({ throttled: 1, retries: 1 });
    } finally {
      await upstream.close();
    }
  });
});

describe('PUT /__sandbox/quirks', () => {
  it('merges known switches, common or vendor, and says what it holds', async () => {
    const response = await quirks({ transientErrorRate: 0.5, someVendorSwitch: true });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ transientErrorRate: 0.5, dropRate: 0, someVendorSwitch: true });
    expect(await (await fetch(`${sim.url}/__sandbox/quirks`)).json()).toMatchObject({ transientErrorRate: 0.5, someVendorSwitch: true });
    await quirks({ someVendorSwitch: false });
  });

  it('rejects an unknown key, or a value of the wrong type, and changes nothing', async () => {
    const unknown = await quirks({ dropRate: 0.5, transientErrorRatio: 1 });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(await unknown.json())).toContain('unknown quirk transientErrorRatio');
    const mistyped = await quirks({ dropRate: '0.5' });
    expect(mistyped.status).toBe(400);
    expect(JSON.stringify(await mistyped.json())).toContain('quirk dropRate takes a number');
    expect(common.dropRate).toBe(0);
    expect(() => sim.setQuirks({ nope: true })).toThrow(/unknown quirk nope/);
  });
});
