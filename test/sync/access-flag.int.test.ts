/**
 * The access flag's field name, end to end: the policy names the HR field, the gateway reads that
 * field (not the default one), lists the fields it may name, refuses a name HR does not have, and a
 * run whose field has since vanished fails plainly instead of reading everyone's flag as off.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningSandbox, SeedPerson } from '@rostergate/sandbox';
import type { LocalDate } from '../../src/model.js';
import { withoutNamely } from '../connections/support.js';
import { startTestGateway, startTestSandbox, type TestGateway } from '../support/gateway.js';
import { relaxSafeguard, sync, writes } from '../support/sync.js';
import { activeUserNames, bamboohr, litmos, shouldBeProvisioned } from '../support/upstreams.js';

let t: TestGateway | undefined;
/** A sandbox a test started itself, to point the gateway's environment at it. */
let sandbox: RunningSandbox | undefined;
afterEach(async () => {
  await t?.close();
  await sandbox?.close();
  t = undefined;
  sandbox = undefined;
});

async function fresh(): Promise<TestGateway> {
  t = await startTestGateway({ employees: 60, seed: 31 });
  await relaxSafeguard(t);
  return t;
}

const SET_FLAG = `mutation($source: Source!, $fieldName: String!) {
  setSyncPolicy(input: { source: $source, accessFlag: { mode: "FIELD", fieldName: $fieldName } }) { accessFlag { fieldName } }
}`;

/** An HR admin's doing in BambooHR's settings, through the sandbox's control API. */
const fields = (t: TestGateway, path: string, method: string, body?: unknown) =>
  fetch(`${t.sandbox.bamboohr.url}/__sandbox/fields${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });

/** People with a work email who would be provisioned on `today` under `flag`, the rest of the rules unchanged. */
const expectedActive = (people: readonly SeedPerson[], today: LocalDate, flag: (p: SeedPerson) => boolean) =>
  new Set(people.filter((p) => p.workEmail && shouldBeProvisioned({ ...p, accessEnabled: flag(p) }, today)).map((p) => p.workEmail));

describe('the access flag field named by the policy', () => {
  it('a sync provisions by the policy\'s field ("LMS Access"), not by the default "Litmos Access"', async () => {
    const t = await fresh();
    const people = t.sandbox.companies.bamboohr.people;
    expect((await fields(t, '', 'POST', { name: 'LMS Access' })).status).toBe(201);
    // LMS Access on for everyone the default flag leaves out, and for every other one it lets in.
    const withDefault = people.filter((p) => p.accessEnabled);
    const lms = new Set([...people.filter((p) => !p.accessEnabled), ...withDefault.filter((_, i) => i % 2 === 0)].map((p) => p.id));
    for (const id of lms) await bamboohr(t.sandbox).update(id, { customLMSAccess: 'yes' });

    const set = await t.data<{ setSyncPolicy: { accessFlag: { fieldName: string } } }>(SET_FLAG, { source: 'BAMBOOHR', fieldName: 'LMS Access' });
    expect(set.setSyncPolicy.accessFlag.fieldName).toBe('LMS Access');
    const run = await sync(t);
    expect(run.status).toBe('SUCCEEDED');

    const active = activeUserNames(await litmos(t.sandbox).users());
    const wanted = expectedActive(people, t.today, (p) => lms.has(p.id));
    expect(wanted.size).toBeGreaterThan(5);
    for (const person of people.filter((p) => p.workEmail)) {
      expect(active.has(person.workEmail!), `${person.workEmail} active iff LMS Access says so`).toBe(wanted.has(person.workEmail));
    }
  });

  it('refuses a name HR has no such field for, listing the candidates; the policy stays as it was', async () => {
    const t = await fresh();
    await fields(t, '', 'POST', { name: 'LMS Access' });
    const refused = await t.graphql(SET_FLAG, { source: 'BAMBOOHR', fieldName: 'LMS Acess' });
    const error = refused.errors?.[0];
    expect(error?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'accessFlag.fieldName',
      candidates: expect.arrayContaining(['Litmos Access', 'LMS Access']),
    });
    expect(error?.message).toContain('"LMS Acess"');
    expect(error?.message).toContain('"Litmos Access", "LMS Access"');
    // A text field is a field, but not one that can hold a yes/no flag.
    expect((await t.graphql(SET_FLAG, { source: 'BAMBOOHR', fieldName: 'First Name' })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const namely = await t.graphql(SET_FLAG, { source: 'NAMELY', fieldName: 'Litmos Activate' });
    expect(namely.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', candidates: expect.arrayContaining(['Litmos Activated']) });
    expect(namely.errors?.[0]?.message).toContain('"Litmos Activated"');

    const { syncPolicy } = await t.data<{ syncPolicy: { accessFlag: { fieldName: string } } }>(`{ syncPolicy(source: BAMBOOHR) { accessFlag { fieldName } } }`);
    expect(syncPolicy.accessFlag.fieldName).toBe('Litmos Access');
    // Names are matched as HR spells them, give or take case and surrounding blanks.
    expect(
      (await t.data<{ setSyncPolicy: { accessFlag: { fieldName: string } } }>(SET_FLAG, { source: 'BAMBOOHR', fieldName: ' lms access ' })).setSyncPolicy
        .accessFlag.fieldName,
    ).toBe('lms access');
  });

  it('a run whose field has since been deleted fails with the same clear error and writes nothing', async () => {
    const t = await fresh();
    await fields(t, '', 'POST', { name: 'LMS Access' });
    await t.data(SET_FLAG, { source: 'BAMBOOHR', fieldName: 'LMS Access' });
    expect((await fields(t, '/customLMSAccess', 'DELETE')).status).toBe(200);
    const refusal = (await t.graphql(SET_FLAG, { source: 'BAMBOOHR', fieldName: 'LMS Access' })).errors?.[0]?.message;
    expect(refusal).toContain('"LMS Access"');

    await t.resetStats();
    const run = await sync(t);
    const { syncRun } = await t.data<{ syncRun: { status: string; error: string | null } }>(`query($id: ID!) { syncRun(id: $id) { status error } }`, {
      id: run.runId,
    });
    expect(syncRun.status).toBe('FAILED');
    expect(syncRun.error).toContain(refusal);
    expect(writes(await t.stats('litmos'))).toEqual({});
  });

  it('a policy changed between runs is read by the next run, without restarting anything', async () => {
    const t = await fresh();
    await fields(t, '', 'POST', { name: 'LMS Access' });
    await t.data(SET_FLAG, { source: 'BAMBOOHR', fieldName: 'LMS Access' });
    // Nobody has LMS Access: a dry run plans no creation at all.
    const none = await sync(t, { dryRun: true });
    expect(none.plan!.actions.filter((a) => a.kind === 'CREATE_LEARNER')).toEqual([]);
    await t.data(SET_FLAG, { source: 'BAMBOOHR', fieldName: 'Litmos Access' });
    const some = await sync(t, { dryRun: true });
    expect(some.plan!.actions.filter((a) => a.kind === 'CREATE_LEARNER').length).toBeGreaterThan(0);
  });
});

const FLAG_FIELDS = `query($source: Source!) { accessFlagFields(source: $source) }`;

describe('accessFlagFields: the fields a policy may name as the flag', () => {
  it("lists BambooHR's checkbox fields and Namely's select fields: the very ones a refused name is offered", async () => {
    const t = await fresh();
    await fields(t, '', 'POST', { name: 'LMS Access' });
    const listed = async (source: string) => (await t.data<{ accessFlagFields: string[] }>(FLAG_FIELDS, { source })).accessFlagFields;
    const offered = async (source: string) => (await t.graphql(SET_FLAG, { source, fieldName: 'No Such Field' })).errors?.[0]?.extensions?.candidates;

    const bamboohr = await listed('BAMBOOHR');
    expect(bamboohr).toEqual(expect.arrayContaining(['Litmos Access', 'LMS Access']));
    expect(bamboohr).not.toContain('First Name');
    expect(await offered('BAMBOOHR')).toEqual(bamboohr);
    // Read from HR now: a field deleted there is no longer offered.
    await fields(t, '/customLMSAccess', 'DELETE');
    expect(await listed('BAMBOOHR')).not.toContain('LMS Access');

    const namely = await listed('NAMELY');
    expect(namely).toContain('Litmos Activated');
    // "Employee type" is a reference select: a field, but not one the flag can be read from.
    expect(namely).not.toContain('Employee type');
    expect(await offered('NAMELY')).toEqual(namely);
  });

  it('is read with any token, as the policy is, and with none refused', async () => {
    const t = await fresh();
    const { createApiToken } = await t.data<{ createApiToken: { token: string } }>(`mutation { createApiToken(role: VIEWER, label: "console") { token } }`);
    const viewer = await t.graphql<{ accessFlagFields: string[] }>(FLAG_FIELDS, { source: 'BAMBOOHR' }, createApiToken.token);
    expect(viewer.data?.accessFlagFields).toContain('Litmos Access');
    expect((await t.graphql(FLAG_FIELDS, { source: 'BAMBOOHR' }, null)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a source that is not connected, or not a source, saying which', async () => {
    sandbox = await startTestSandbox({ employees: 10, seed: 5 });
    t = await startTestGateway({ sandbox, env: withoutNamely(sandbox) });
    const unconnected = (await t.graphql(FLAG_FIELDS, { source: 'NAMELY' })).errors?.[0];
    expect(unconnected?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', source: 'NAMELY' });
    expect(unconnected?.message).toContain('NAMELY is not connected');
    const unknown = (await t.graphql(FLAG_FIELDS, { source: 'WORKDAY' })).errors?.[0];
    expect(unknown?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(unknown?.message).toContain('WORKDAY');
  });
});
