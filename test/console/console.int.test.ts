/**
 * The console (console/, served by src/console.ts at /console/) driven in a real headless Chromium
 * against a gateway and the sandbox on loopback, as an admin would use it: sign in with a token,
 * import an employee, sync and watch the bar reach done, change the blocklist and approve the run the
 * safeguard held, read a run's records and download its report. Every other origin is blocked, and
 * a CSP violation, a failed asset or a script error fails the test (they show as console errors).
 * Each test opens its own browser context, signed in (but the sign-in test), and makes what it needs
 * that is not what it tests (a first sync, a relaxed safeguard) through the API, so none depends on another.
 *
 * With ROSTERGATE_SCREENSHOTS=<dir> the main screens are saved there (docs/console/ holds the committed ones).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SeedPerson } from '@rostergate/sandbox';
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from '../support/gateway.js';
import { relaxSafeguard, sync } from '../support/sync.js';
import { activeUserNames, expectEveryEligibleOnce, litmos, shouldBeProvisioned } from '../support/upstreams.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`console.int.test.ts: the browser tests are skipped: ${CHROMIUM} is absent (apt-get install chromium)`);
const SCREENSHOTS = process.env.ROSTERGATE_SCREENSHOTS;

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway({ employees: 60 });
  // The first request builds the console in memory (no dist/ under the test runner): done here, once.
  expect((await fetch(`${t.url}/console/`)).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('the console page', () => {
  it('is served at /console/ under a CSP that allows only the gateway and nothing inline', async () => {
    const redirect = await fetch(`${t.url}/console`, { redirect: 'manual' });
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get('location')).toBe('console/');
    const response = await fetch(`${t.url}/console/`);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    const page = await response.text();
    expect(page).not.toMatch(/<script>|<style>|\sstyle=|https?:\/\//);

    const refs = [...page.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((match) => match[1] ?? '');
    expect(refs.length).toBe(2);
    for (const ref of refs) {
      expect(ref).toMatch(/^\.\/assets\/index-[\w-]+\.(js|css)$/);
      const asset = await fetch(new URL(ref, `${t.url}/console/`));
      expect(asset.status, ref).toBe(200);
      expect(asset.headers.get('content-type')).toBe(ref.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8');
      expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    }
  });

  it('serves nothing but the built files', async () => {
    for (const path of ['/console/package.json', '/console/..%2Fpackage.json', '/console/assets/', '/console/src/main.tsx', '/console/constructor']) {
      expect((await fetch(`${t.url}${path}`)).status, path).toBe(404);
    }
  });
});

describe.skipIf(!hasChromium)(`the console in headless Chromium (${CHROMIUM})`, () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let blocked: string[];
  let problems: string[];

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'] });
  }, 120_000);

  /** A fresh tab on the console, its token already kept for the tab unless `signedIn` is false. */
  async function openConsole(signedIn = true): Promise<void> {
    blocked = [];
    problems = [];
    context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-US', timezoneId: 'UTC', acceptDownloads: true });
    if (signedIn) await context.addInitScript(`sessionStorage.setItem('rostergate.token', ${JSON.stringify(ADMIN_TOKEN)})`);
    const origin = new URL(t.url).origin;
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (new URL(url).origin === origin) return route.continue();
      blocked.push(url);
      return route.abort('blockedbyclient');
    });
    page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    await page.goto(`${t.url}/console/`);
  }

  afterEach(async () => {
    await context?.close();
    expect(blocked).toEqual([]);
    expect(problems).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
  });

  const shoot = async (name: string) => {
    if (!SCREENSHOTS) return;
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  };

  const setBlocklist = (statuses: string[]) =>
    t.data('mutation($statuses: [String!]!) { setBlocklist(input: { source: BAMBOOHR, statuses: $statuses }) { source } }', { statuses });
  const statusOf = (person: SeedPerson) => person.statusHistory.filter((row) => row.date <= t.today).at(-1)?.status;
  /** A status some of those provisioned today have, but not most: blocklisting it deactivates a few learners. */
  /** The name the gateway shows for someone (the HR system's own, as the API gives it). */
  const displayNames = async (people: SeedPerson[]) => {
    const { employees } = await t.data<{ employees: { nodes: { sourceId: string; displayName: string }[] } }>(
      '{ employees(first: 1000, filter: { source: BAMBOOHR }) { nodes { sourceId displayName } } }',
    );
    const byId = new Map(employees.nodes.map((employee) => [employee.sourceId, employee.displayName]));
    return people.map((person) => byId.get(String(person.id))!);
  };
  const fewHaveIt = () =>
    statusOf(t.sandbox.companies.bamboohr.people.find((person) => shouldBeProvisioned(person, t.today) && statusOf(person) !== 'Full-Time')!)!;

  /** Waits for the watched run's bar to be full and its status final, and returns that status. */
  const runEnds = async () => {
    const bar = page.getByRole('progressbar', { name: 'Run progress' });
    await expect
      .poll(async () => (await bar.getAttribute('value')) === (await bar.getAttribute('max')) && (await page.locator('.progress .badge').innerText()), {
        timeout: 30_000,
      })
      .toMatch(/SUCCEEDED|PARTIAL|FAILED|CANCELLED/);
    return page.locator('.progress .badge').innerText();
  };

  it('refuses a wrong token by its code, then signs in with a right one', async () => {
    await openConsole(false);
    await page.goto(`${t.url}/console`);
    expect(new URL(page.url()).pathname).toBe('/console/');
    await page.getByLabel('API token').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('UNAUTHENTICATED');
    // The refusal is the gateway's answer, not a console error the test should fail on.
    problems.length = 0;
    await shoot('sign-in');
    await page.getByLabel('API token').fill(ADMIN_TOKEN);
    await page.getByLabel('API token').press('Enter');
    await page.getByRole('navigation', { name: 'Screens' }).waitFor();
    // Kept for the tab: a reload stays signed in.
    await page.reload();
    await page.getByRole('navigation', { name: 'Screens' }).waitFor();
  });

  it('is operable from the keyboard, and every control on every screen has a name', async () => {
    await openConsole();
    // Controls a screen reader could not name: no label, no aria-label, no text. A string: the tests have no DOM types.
    const unnamed = `[...document.querySelectorAll('input, select, button, summary, a')]
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.textContent.trim())
      .map((el) => el.outerHTML.slice(0, 80))`;
    for (const screen of ['Employees', 'Sync', 'Runs', 'Policy', 'Connections']) {
      // Tab to the screen's link and follow it with Enter, as someone without a mouse would.
      await page.locator('body').focus();
      for (let presses = 0; presses < 10 && (await page.evaluate('document.activeElement?.textContent')) !== screen; presses += 1)
        await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 2, name: screen }).waitFor();
      await page.waitForLoadState('networkidle');
      expect(await page.evaluate(unnamed), screen).toEqual([]);
    }
  });

  it('shows the connections with their health, and tests one', async () => {
    await openConsole();
    await page.getByRole('link', { name: 'Connections' }).click();
    const litmosRow = page.getByRole('row', { name: /LITMOS/ });
    await expect.poll(() => litmosRow.innerText()).toContain('UNTESTED');
    await page.getByRole('button', { name: 'Test LITMOS' }).click();
    await expect.poll(() => page.getByRole('status').first().innerText()).toContain('LITMOS: connected');
    // CONNECTED, or DEGRADED when the sandbox's transient faults made the test call retry: as the API says.
    const { connections } = await t.data<{ connections: { system: string; status: string }[] }>('{ connections { system status } }');
    const health = connections.find((connection) => connection.system === 'LITMOS')!.status;
    expect(health).toMatch(/^(CONNECTED|DEGRADED)$/);
    await expect.poll(() => litmosRow.innerText()).toContain(health);
    await shoot('connections');
  });

  it('filters the employees, imports the one selected, and follows the import to done', async () => {
    const person = t.sandbox.companies.bamboohr.people.find((candidate) => shouldBeProvisioned(candidate, t.today))!;
    await openConsole();
    await page.getByRole('link', { name: 'Employees' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toMatch(/^\d+ employees$/);
    await page.getByLabel('Search').fill(person.workEmail!);
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toBe('1 employees');
    await page.getByRole('checkbox', { name: /^Select / }).check();
    await page.getByRole('button', { name: 'Import selected (1)' }).click();
    await page.getByRole('heading', { name: /Run of BAMBOOHR · import/ }).waitFor();
    expect(await runEnds()).toBe('SUCCEEDED');
    expect(activeUserNames(await litmos(t.sandbox).users()).has(person.workEmail!.toLowerCase())).toBe(true);
  });

  it('finds an employee and reads why they are not provisioned', async () => {
    const person = t.sandbox.companies.bamboohr.people.find(
      (candidate) => !candidate.accessEnabled && candidate.workEmail && shouldBeProvisioned({ ...candidate, accessEnabled: true }, t.today),
    )!;
    await openConsole();
    await page.getByLabel('Search').fill(person.workEmail!);
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toBe('1 employees');
    const why = page.getByRole('row').nth(1).locator('details.reasons');
    await why.locator('summary').press('Enter');
    await expect.poll(() => why.locator('li').allInnerTexts()).toEqual([expect.stringMatching(/^ACCESS_FLAG_OFF .*Litmos Access/)]);
    const state = await why.locator('summary').innerText();
    expect(state).toMatch(/^(NOT PROVISIONED|DEACTIVATED|TO DEACTIVATE)$/);
    const { employees } = await t.data<{ employees: { nodes: { provisioning: { state: string } }[] } }>(
      'query($search: String) { employees(filter: { search: $search }) { nodes { provisioning { state } } } }',
      { search: person.workEmail },
    );
    expect(state).toBe(employees.nodes[0]!.provisioning.state.replace(/_/g, ' '));
    await shoot('employees');
  });

  it('starts a sync with "Sync now" and watches the bar reach done', async () => {
    await relaxSafeguard(t);
    await openConsole();
    await page.getByRole('link', { name: 'Sync' }).click();
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.getByRole('heading', { name: /Run of BAMBOOHR · manual/ }).waitFor();
    expect(await runEnds()).toBe('SUCCEEDED');
    await shoot('sync');
    const { syncRuns } = await t.data<{ syncRuns: { nodes: { counts: { created: number } }[] } }>('{ syncRuns(first: 1) { nodes { counts { created } } } }');
    expect(await page.locator('.counts div', { hasText: 'created' }).locator('dd').innerText()).toBe(String(syncRuns.nodes[0]!.counts.created));
    await expectEveryEligibleOnce(t.sandbox, t.sandbox.companies.bamboohr, t.today);
  });

  it('saves a blocklist picked from the statuses in the data, holds the next run for approval, and applies it on Approve', async () => {
    const company = t.sandbox.companies.bamboohr;
    await relaxSafeguard(t);
    await setBlocklist([]);
    await sync(t);
    const status = fewHaveIt();
    const eligible = company.people.filter((person) => shouldBeProvisioned(person, t.today));
    await openConsole();
    await page.getByRole('link', { name: 'Policy' }).click();
    await page.getByRole('checkbox', { name: status, exact: true }).check();
    await page.getByLabel('Deactivations allowed without approval').fill('0');
    await page.getByLabel('…and at most this percent of active learners').fill('0');
    await shoot('policy');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await expect.poll(() => page.getByRole('status').last().innerText()).toContain('Policy saved');
    const { syncPolicy } = await t.data<{ syncPolicy: { blocklist: string[] } }>('{ syncPolicy(source: BAMBOOHR) { blocklist } }');
    expect(syncPolicy.blocklist).toEqual([status]);

    const leaving = eligible.filter((person) => statusOf(person) === status);
    await page.getByRole('link', { name: 'Sync' }).click();
    await page.getByRole('button', { name: 'Sync now' }).click();
    const approval = page.getByRole('region', { name: 'Awaiting approval' });
    await approval.waitFor({ timeout: 30_000 });
    // The held plan is shown as its diff: one deactivation per learner of that status, with the reason.
    const deactivations = approval.getByRole('row').filter({ hasText: 'DEACTIVATE LEARNER' });
    await expect.poll(() => deactivations.count()).toBe(leaving.length);
    expect(await deactivations.first().innerText()).toContain('BLOCKLISTED_STATUS');
    await shoot('approval');
    await approval.getByRole('button', { name: 'Approve' }).click();
    expect(await runEnds()).toBe('SUCCEEDED');

    const active = activeUserNames(await litmos(t.sandbox).users());
    for (const person of leaving) expect(active.has(person.workEmail!.toLowerCase()), person.workEmail!).toBe(false);
    for (const person of company.people.filter((p) => shouldBeProvisioned(p, t.today, [status])))
      expect(active.has(person.workEmail!.toLowerCase()), person.workEmail!).toBe(true);
  });

  it('previews a blocklist change as its diff before saving it, and saves nothing', async () => {
    await relaxSafeguard(t);
    await setBlocklist([]);
    await sync(t);
    const status = fewHaveIt();
    const losing = t.sandbox.companies.bamboohr.people.filter((person) => shouldBeProvisioned(person, t.today) && statusOf(person) === status);
    await openConsole();
    await page.getByRole('link', { name: 'Policy' }).click();
    await page.getByRole('checkbox', { name: status, exact: true }).check();
    await page.getByRole('button', { name: 'Preview changes' }).click();
    const diff = page.getByRole('region', { name: 'What this policy would change, before it is saved' });
    const deactivated = diff.getByRole('table', { name: /^Would be deactivated/ });
    await expect.poll(async () => (await deactivated.locator('tbody th').allInnerTexts()).sort()).toEqual((await displayNames(losing)).sort());
    expect(await deactivated.locator('tbody tr').first().innerText()).toContain('BLOCKLISTED_STATUS');
    await shoot('preview');
    const { syncPolicy } = await t.data<{ syncPolicy: { blocklist: string[] } }>('{ syncPolicy(source: BAMBOOHR) { blocklist } }');
    expect(syncPolicy.blocklist).toEqual([]);
  });

  it("offers the access flag's field from BambooHR's fields able to hold it, in a labelled select", async () => {
    await openConsole();
    await page.getByRole('link', { name: 'Policy' }).click();
    const field = page.getByRole('combobox', { name: /^HR field holding the flag/ });
    await expect.poll(() => field.locator('option').allInnerTexts()).toContain('Litmos Access');
    expect(await field.inputValue()).toBe('Litmos Access');
  });

  it('previews a sync as of a later day: a pre-hire starting by then would get a learner', async () => {
    const { syncPolicy } = await t.data<{ syncPolicy: { prehireLeadDays: number } }>('{ syncPolicy(source: BAMBOOHR) { prehireLeadDays } }');
    const later = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
    const starter = t.sandbox.companies.bamboohr.people.find(
      (person) => person.hireDate > later(t.today, syncPolicy.prehireLeadDays) && shouldBeProvisioned(person, person.hireDate),
    )!;
    await openConsole();
    await page.getByRole('link', { name: 'Sync' }).click();
    const [name] = await displayNames([starter]);
    await page.getByLabel('Preview as of', { exact: true }).fill(starter.hireDate);
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    const diff = page.getByRole('region', { name: `What a sync on ${starter.hireDate} would do otherwise than one today` });
    const created = diff.getByRole('table', { name: /^Would get a learner/ });
    await expect.poll(() => created.locator('tbody th').allInnerTexts()).toContain(name);
    expect(await created.getByRole('row', { name: new RegExp(name!) }).innerText()).toMatch(/PRE HIRE\s*→\s*TO CREATE/);
  });

  it('rolls a run back from its page, leaving Litmos as it was before the run', async () => {
    await relaxSafeguard(t);
    await setBlocklist([]);
    await sync(t);
    const before = activeUserNames(await litmos(t.sandbox).users());
    await setBlocklist([fewHaveIt()]);
    const run = await sync(t);
    expect(run.counts.deactivated).toBeGreaterThan(0);
    // HR still says what it said: without this, the next ordinary sync would deactivate them again.
    await setBlocklist([]);

    await openConsole();
    await page.goto(`${t.url}/console/#runs/${run.runId}`);
    await page.getByRole('button', { name: 'Roll back', exact: true }).click();
    await page.getByRole('group', { name: 'Roll back this run?' }).getByRole('button', { name: 'Start the roll back' }).click();
    await page.getByRole('heading', { name: new RegExp(`^Roll back of run ${run.runId.slice(0, 8)}`) }).waitFor();
    expect(await runEnds()).toBe('SUCCEEDED');
    await shoot('rollback');
    expect(activeUserNames(await litmos(t.sandbox).users())).toEqual(before);
  });

  it("lists the runs, filters a run's records by outcome, and downloads its CSV report", async () => {
    await relaxSafeguard(t);
    const run = await sync(t);
    const outcome = run.records.nodes[0]!.outcome;
    await openConsole();
    await page.getByRole('link', { name: 'Runs' }).click();
    await page.getByRole('row').nth(1).getByRole('link').click();
    await page.getByRole('heading', { name: new RegExp(`^Run ${run.runId.slice(0, 8)}`) }).waitFor();
    await page.getByLabel('Outcome').selectOption(outcome);
    const records = page.getByRole('table', { name: 'Records of this run' }).locator('tbody tr');
    // The unfiltered records stay shown (and counted) until the filtered ones arrive.
    const label = outcome.replace(/_/g, ' ');
    await expect.poll(async () => (await records.allInnerTexts()).filter((row) => !row.includes(label))).toEqual([]);
    const shown = await records.allInnerTexts();
    expect(shown.length).toBeGreaterThan(0);
    await expect.poll(() => page.getByRole('status').last().innerText()).toMatch(/^\d+ records/);
    await shoot('runs');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download CSV' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^rostergate-bamboohr-[0-9a-f-]{36}\.csv$/);
    const rows = parse<Record<string, string>>(readFileSync(await file.path(), 'utf8'), { columns: true });
    expect(file.suggestedFilename()).toContain(run.runId);
    expect(rows.length).toBe(run.records.nodes.length);
    expect(rows.filter((row) => Object.values(row).includes(outcome)).length).toBe(shown.length);
  });
});
