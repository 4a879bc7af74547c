/**
 * One HR source failing fails only its own part of the graph: the other sources' employees are still
 * answered, and the failed source is named in an error beside the data (path + extensions.code).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seededUuid, type Fault } from '@rostergate/sandbox';
import { toGlobalId } from '../../src/schema/node.js';
import { startTestGateway, type GraphQLResult, type TestGateway } from '../support/gateway.js';

interface EmployeeNode {
  id: string;
  source: 'BAMBOOHR' | 'NAMELY';
  sourceId: string;
  department: string | null;
  division: string | null;
  location: string | null;
}
interface Employees {
  employees: { totalCount: number; nodes: EmployeeNode[] };
}

const EMPLOYEES = `{ employees(first: 1000) { totalCount nodes { id source sourceId department division location } } }`;
const PROFILES = 'GET /api/v1/profiles';

let t: TestGateway;

/** The Namely profile id of seed person `personId`, as the simulator derives it. */
const sourceIdOf = (personId: number) => seededUuid(t.sandbox.companies.namely.seed, `profile:${personId}`);

/** A fault that outlasts every retry and every read in a test. */
const failNamely = (fault: Omit<Fault, 'route' | 'count'>) =>
  fetch(`${t.sandbox.namely.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ route: PROFILES, count: 10_000, ...fault }) });

const namelyErrors = (result: GraphQLResult<unknown>) => (result.errors ?? []).filter((error) => error.extensions?.source === 'NAMELY');

beforeAll(async () => {
  // Only the quirk under test: short pages are proven elsewhere, and a transient 5xx would blur which failure is which.
  t = await startTestGateway({ employees: 120, seed: 23, quirks: { namely: { omitGroupTypes: false, shortPages: false } } });
});
afterAll(async () => t?.close());
beforeEach(async () => {
  await fetch(`${t.sandbox.namely.url}/__sandbox/faults`, { method: 'DELETE' });
  t.sandbox.setQuirks({ namely: { omitGroupTypes: false } });
  await t.gateway.tenant.readModel.invalidate({ everything: true });
});

describe('Namely groups without linked.group_types', () => {
  it('answers the employees of both sources, with departments, divisions and offices found by group type name', async () => {
    t.sandbox.setQuirks({ namely: { omitGroupTypes: true } });
    const result = await t.graphql<Employees>(EMPLOYEES);
    expect(result.errors).toBeUndefined();
    const { bamboohr, namely } = t.sandbox.companies;
    expect(result.data?.employees.totalCount).toBe(bamboohr.people.length + namely.people.length);

    const bySourceId = new Map(result.data?.employees.nodes.filter((n) => n.source === 'NAMELY').map((n) => [n.sourceId, n]));
    expect(bySourceId.size).toBe(namely.people.length);
    for (const person of namely.people) {
      expect(bySourceId.get(sourceIdOf(person.id)), `Namely person ${person.id}`).toMatchObject({
        department: person.department,
        division: person.division,
        location: person.location,
      });
    }
  });
});

describe('Namely failing', () => {
  it.each([
    { status: 401, code: 'UPSTREAM_UNAUTHORIZED' },
    { status: 500, code: 'UPSTREAM_UNAVAILABLE' },
  ])('answers BambooHR employees and names Namely’s $status as $code at the employees path', async ({ status, code }) => {
    await failNamely({ status });
    const result = await t.graphql<Employees>(EMPLOYEES);
    const { bamboohr } = t.sandbox.companies;
    expect(result.data?.employees.totalCount).toBe(bamboohr.people.length);
    expect(result.data?.employees.nodes).toHaveLength(bamboohr.people.length);
    expect(result.data?.employees.nodes.every((n) => n.source === 'BAMBOOHR')).toBe(true);
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0]).toMatchObject({ path: ['employees'], extensions: { code, source: 'NAMELY', system: 'namely', status } });
  });

  it('keeps BambooHR lookups, and fails only the lookups of Namely employees', async () => {
    const bamboo = toGlobalId('Employee', `BAMBOOHR:${t.sandbox.companies.bamboohr.people[3]!.id}`);
    const namely = toGlobalId('Employee', `NAMELY:${sourceIdOf(t.sandbox.companies.namely.people[3]!.id)}`);
    await failNamely({ status: 401 });
    const result = await t.graphql<{ b: { source: string; manager: { source: string } | null } | null; n: unknown; node: unknown }>(
      `query($b: ID!, $n: ID!) { b: employee(id: $b) { source manager { source } } n: employee(id: $n) { source } node(id: $n) { id } }`,
      { b: bamboo, n: namely },
    );
    expect(result.data?.b?.source).toBe('BAMBOOHR');
    expect(result.data?.n).toBeNull();
    expect(result.data?.node).toBeNull();
    const paths = (result.errors ?? []).map((error) => [error.path?.join('.'), error.extensions?.code]);
    expect(paths.sort()).toEqual([
      ['n', 'UPSTREAM_UNAUTHORIZED'],
      ['node', 'UPSTREAM_UNAUTHORIZED'],
    ]);
  });

  it('searches the answered sources and counts only them', async () => {
    const person = t.sandbox.companies.bamboohr.people[5]!;
    await failNamely({ status: 401 });
    const result = await t.graphql<{ employees: { totalCount: number; nodes: { sourceId: string }[] } }>(
      `query($s: String) { employees(filter: { search: $s }) { totalCount nodes { sourceId } } }`,
      { s: person.lastName },
    );
    expect(result.data?.employees.nodes.map((n) => n.sourceId)).toContain(String(person.id));
    expect(result.data?.employees.totalCount).toBe(result.data?.employees.nodes.length);
    expect(namelyErrors(result)).toHaveLength(1);
  });

  it('matches learners to BambooHR employees, and says for the others that Namely could not be asked', async () => {
    await failNamely({ status: 401 });
    const result = await t.graphql<{ learners: { nodes: { userName: string; employee: { source: string } | null }[] } }>(
      `{ learners(first: 1000) { nodes { userName employee { source } } } }`,
    );
    const nodes = result.data?.learners.nodes ?? [];
    const matched = nodes.filter((n) => n.employee);
    expect(matched.length).toBeGreaterThan(0);
    expect(matched.every((n) => n.employee?.source === 'BAMBOOHR')).toBe(true);
    // A learner no answered source knows may be Namely's: unknown, not "nobody's".
    const unknown = nodes.length - matched.length;
    expect(unknown).toBeGreaterThan(0);
    expect(result.errors).toHaveLength(unknown);
    expect(result.errors?.every((e) => e.path?.at(-1) === 'employee' && e.extensions?.code === 'UPSTREAM_UNAUTHORIZED')).toBe(true);
  });

  it('fails the field when every source asked for failed, rather than answer an empty list', async () => {
    await failNamely({ status: 401 });
    const result = await t.graphql<Employees>(`{ employees(filter: { source: NAMELY }) { totalCount } }`);
    expect(result.data).toBeNull();
    expect(result.errors?.[0]).toMatchObject({ path: ['employees'], extensions: { code: 'UPSTREAM_UNAUTHORIZED' } });
  });

  it('answers Namely again once it recovers', async () => {
    await failNamely({ status: 401 });
    expect(namelyErrors(await t.graphql(EMPLOYEES))).toHaveLength(1);
    await fetch(`${t.sandbox.namely.url}/__sandbox/faults`, { method: 'DELETE' });
    const result = await t.graphql<Employees>(EMPLOYEES);
    expect(result.errors).toBeUndefined();
    expect(new Set(result.data?.employees.nodes.map((n) => n.source))).toEqual(new Set(['BAMBOOHR', 'NAMELY']));
  });
});
