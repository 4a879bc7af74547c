/**
 * Names with every character Litmos HTML-encodes survive being synced, over real HTTP against the
 * Litmos simulator with its quirks on: the client reads them encoded, and what it writes back must
 * be what the person is called, not what the JSON said — or `&` becomes `&amp;`, then `&amp;amp;`.
 */
import {
  createLitmosSimulator,
  NO_QUIRKS,
  QUIET_HEADER,
  SANDBOX_CREDENTIALS,
  startSimulator,
  type LitmosQuirks,
  type LitmosSimulator,
  type RunningSimulator,
} from '@rostergate/sandbox';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { QUIET_FAULTS, startTestGateway } from '../support/gateway.js';
import { relaxSafeguard, sync, writes } from '../support/sync.js';
import { bamboohr, litmos as litmosApi } from '../support/upstreams.js';
import { createUpstreamClient, type UpstreamClient } from '../../src/datasources/http.js';
import { createLitmosClient, type LitmosClient } from '../../src/datasources/litmos/client.js';

const KEY = 'litmos-names-key-0123456789';
const FIRST = 'A&B <Bob>';
const LAST = `O'Brien "Zoë"`;

let litmos: LitmosSimulator;
let server: RunningSimulator;
let http: UpstreamClient;
let client: LitmosClient;
const quirks: LitmosQuirks = { ...NO_QUIRKS.litmos };

/** The test's own reading of HTML entities, once, independent of the client's decoder. */
const htmlDecodeOnce = (text: string) =>
  text.replace(/&(amp|lt|gt|quot|#39);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[name] ?? '');

const raw = (path: string, format: 'json' | 'xml') => fetch(`${server.url}/v1.svc${path}?source=names-test&format=${format}`, { headers: { apikey: KEY } });

interface RawUser {
  FirstName: string;
  LastName: string;
  FullName: string;
}

async function rawJson(id: string): Promise<{ text: string; user: RawUser }> {
  const response = await raw(`/users/${id}`, 'json');
  expect(response.status).toBe(200);
  const text = await response.text();
  return { text, user: JSON.parse(text) as RawUser };
}

async function rawXml(id: string): Promise<RawUser> {
  const response = await raw(`/users/${id}`, 'xml');
  expect(response.status).toBe(200);
  // The XML parser undoes the XML escaping itself; nothing more may be decoded.
  const parsed = new XMLParser({ parseTagValue: false, trimValues: false }).parse(await response.text()) as { User: RawUser };
  return parsed.User;
}

beforeAll(async () => {
  litmos = createLitmosSimulator({ apiKey: KEY, rate: { limit: 100_000 }, quirks: { common: { ...NO_QUIRKS.common }, vendor: quirks } });
  server = await startSimulator(litmos.spec);
  http = createUpstreamClient({
    system: 'litmos',
    baseUrl: `${server.url}/v1.svc`,
    authorize: ({ headers }) => void (headers.apikey = KEY),
    budget: { limit: 100_000, windowMs: 60_000 },
    retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 20 },
  });
  client = createLitmosClient({ http, applicationName: 'names-test' });
});
afterAll(async () => {
  await http.close();
  await server.close();
});
beforeEach(async () => {
  await fetch(`${server.url}/__sandbox/reset`, { method: 'POST' });
  Object.assign(quirks, { encodedNames: true, overfullPages: true, xmlElementOrder: true });
});

describe('a name Litmos HTML-encodes', () => {
  it('survives ten updates of other fields byte for byte, in state, in JSON and in XML', async () => {
    const created = await client.createLearner({
      userName: 'ab.obrien@bakery.test',
      firstName: FIRST,
      lastName: LAST,
      email: 'ab.obrien@bakery.test',
      active: true,
    });
    expect(created).toMatchObject({ firstName: FIRST, lastName: LAST });
    expect(litmos.state.user(created.id)).toMatchObject({ FirstName: FIRST, LastName: LAST });

    for (let i = 0; i < 10; i++) {
      const fields = i % 2 === 0 ? { title: `Baker ${i}` } : { phoneWork: `+44 113 000 ${i}` };
      const updated = await client.updateLearner(created.id, fields);
      expect(updated, `update ${i + 1}`).toMatchObject({ firstName: FIRST, lastName: LAST, ...fields });
      expect(litmos.state.user(created.id), `update ${i + 1}`).toMatchObject({ FirstName: FIRST, LastName: LAST });
    }
    expect(litmos.state.user(created.id)).toMatchObject({ JobTitle: 'Baker 8', PhoneWork: '+44 113 000 9' });

    const json = await rawJson(created.id);
    // Encoded exactly once on the wire, as Litmos sends it: not stored encoded, not encoded twice.
    expect(json.text).toContain('"FirstName":"A&amp;B &lt;Bob&gt;","LastName":"O&#39;Brien &quot;Zoë&quot;"');
    expect(htmlDecodeOnce(json.user.FirstName)).toBe(FIRST);
    expect(htmlDecodeOnce(json.user.LastName)).toBe(LAST);
    expect(htmlDecodeOnce(json.user.FullName)).toBe(`${FIRST} ${LAST}`);

    const xml = await rawXml(created.id);
    expect(xml).toMatchObject({ FirstName: FIRST, LastName: LAST, FullName: `${FIRST} ${LAST}` });

    expect(await client.getLearner(created.id)).toMatchObject({ firstName: FIRST, lastName: LAST, title: 'Baker 8', phoneWork: '+44 113 000 9' });
    expect((await client.listLearners()).find((l) => l.id === created.id)).toMatchObject({ firstName: FIRST, lastName: LAST });
  });

  it('survives deactivation and reactivation too', async () => {
    const user = litmos.state.createUser({ UserName: 'zoe@bakery.test', FirstName: FIRST, LastName: LAST, Active: true }, Date.now());
    await client.setLearnerActive(user.Id, false);
    await client.setLearnerActive(user.Id, true);
    expect(litmos.state.user(user.Id)).toMatchObject({ FirstName: FIRST, LastName: LAST, Active: true });
  });

  it('is stored as sent when the quirk is off, and reads the same either way', async () => {
    quirks.encodedNames = false;
    const created = await client.createLearner({ userName: 'plain@bakery.test', firstName: FIRST, lastName: LAST });
    await client.updateLearner(created.id, { title: 'Baker' });
    expect((await rawJson(created.id)).user).toMatchObject({ FirstName: FIRST, LastName: LAST });
    quirks.encodedNames = true;
    await client.updateLearner(created.id, { title: 'Head Baker' });
    expect(litmos.state.user(created.id)).toMatchObject({ FirstName: FIRST, LastName: LAST, JobTitle: 'Head Baker' });
  });
});

describe('through the gateway, with the sandbox Litmos quirks on (as npm start serves them)', () => {
  it('keeps an HR name exact across syncs and matches teams by their decoded names', async () => {
    // Counts exact upstream requests, so the sandbox's random faults are off here (format quirks stay on); faults are tested in transient.int and the property suite.
    const t = await startTestGateway({ employees: 40, seed: 9, quirks: QUIET_FAULTS });
    try {
      expect(t.sandbox.quirks.litmos).toEqual({ encodedNames: true, overfullPages: true, xmlElementOrder: true });
      await relaxSafeguard(t);
      // Division teams hold "Research & Development": matched by name on every later run.
      await t.data(
        `mutation { setSyncPolicy(input: { source: BAMBOOHR, teams: { fromDepartment: true, divisionAsParent: true, managerAsLeader: false } }) { source } }`,
      );
      const company = t.sandbox.companies.bamboohr;
      const email = `ab.obrien@${company.emailDomain}`;
      const hr = bamboohr(t.sandbox);
      const id = await hr.hire({
        firstName: FIRST,
        lastName: LAST,
        workEmail: email,
        hireDate: '2020-01-06',
        department: 'Engineering',
        jobTitle: 'Analyst',
        customLitmosAccess: 'yes',
        employmentHistoryStatus: 'Full-Time',
      });
      expect((await sync(t)).status).toBe('SUCCEEDED');

      for (let i = 0; i < 3; i++) {
        await hr.update(id, { jobTitle: `Analyst ${i}` });
        await t.resetStats();
        const run = await sync(t);
        expect(run.status).toBe('SUCCEEDED');
        // Only the title changed: one profile read-and-write, no team created again.
        expect(run.counts).toMatchObject({ updated: 1, created: 0, failed: 0 });
        expect(writes(await t.stats('litmos'))).toEqual({ 'PUT /v1.svc/users/:id': 1 });
      }

      const user = (await litmosApi(t.sandbox).users()).find((u) => u.UserName.toLowerCase() === email);
      expect(user).toMatchObject({ FirstName: FIRST, LastName: LAST });
      const xml = await fetch(`${t.sandbox.litmos.baseUrl}/users/${user?.Id}?source=names-test`, {
        headers: { apikey: SANDBOX_CREDENTIALS.litmos.apiKey, [QUIET_HEADER]: '1' },
      });
      const parsed = new XMLParser({ parseTagValue: false, trimValues: false }).parse(await xml.text()) as { User: RawUser & { JobTitle: string } };
      expect(parsed.User).toMatchObject({ FirstName: FIRST, LastName: LAST, JobTitle: 'Analyst 2' });

      const names = (await litmosApi(t.sandbox).teams()).map((team) => team.Name);
      expect(names.filter((name) => name === 'Research & Development')).toHaveLength(1);
      expect(names.some((name) => name.includes('&amp;'))).toBe(false);
    } finally {
      await t.close();
    }
  });
});
