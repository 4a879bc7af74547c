import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUIET_FAULTS, calls, startTestGateway, type TestGateway } from '../support/gateway.js';

interface EmployeeView {
  id: string;
  sourceId: string;
  displayName: string;
  firstName: string;
  lastName: string;
  department: string | null;
  status: string;
  employmentStatus: string | null;
  hireDate: string | null;
  terminationDate: string | null;
  manager: { displayName: string } | null;
  learner: { userName: string } | null;
  learnerMatchedBy: string | null;
}

const EMPLOYEE_FIELDS = `id sourceId displayName firstName lastName department status employmentStatus hireDate terminationDate
  manager { displayName } learner { userName } learnerMatchedBy`;

let t: TestGateway;

beforeAll(async () => {
  // Counts exact upstream requests, so the sandbox's random faults are off here (format quirks stay on); faults are tested in transient.int and the property suite.
  t = await startTestGateway({ employees: 250, seed: 11, quirks: QUIET_FAULTS });
});
afterAll(async () => t?.close());

describe('the read graph over the sandbox', () => {
  it('lists BambooHR and Namely employees in one unified connection', async () => {
    const { employees } = await t.data<{ employees: { totalCount: number; nodes: { source: string }[]; pageInfo: { hasNextPage: boolean } } }>(
      `{ employees(first: 1000) { totalCount pageInfo { hasNextPage } nodes { source } } }`,
    );
    const { bamboohr, namely } = t.sandbox.companies;
    expect(employees.totalCount).toBe(bamboohr.people.length + namely.people.length);
    expect(new Set(employees.nodes.map((n) => n.source))).toEqual(new Set(['BAMBOOHR', 'NAMELY']));
    expect(employees.pageInfo.hasNextPage).toBe(false);
  });

  it('pages with cursors to the end', async () => {
    const seen = new Set<string>();
    let after: string | null = null;
    for (;;) {
      interface Page {
        employees: { edges: { cursor: string; node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
      }
      const { employees }: Page = await t.data<Page>(
        `query($after: String) { employees(first: 40, after: $after, filter: { source: BAMBOOHR }) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      for (const edge of employees.edges) seen.add(edge.node.id);
      if (!employees.pageInfo.hasNextPage) break;
      after = employees.pageInfo.endCursor;
    }
    expect(seen.size).toBe(t.sandbox.companies.bamboohr.people.length);
  });

  it('keeps names with accents and apostrophes exactly, and finds them by search without accents', async () => {
    const person = t.sandbox.companies.bamboohr.people.find((p) => /[\u00C0-\u017F']/.test(p.lastName + p.firstName));
    expect(person).toBeDefined();
    const { employees } = await t.data<{ employees: { nodes: EmployeeView[] } }>(
      `query($search: String) { employees(filter: { source: BAMBOOHR, search: $search }) { nodes { ${EMPLOYEE_FIELDS} } } }`,
      { search: person!.lastName.normalize('NFD').replace(/\p{M}/gu, '') },
    );
    const found = employees.nodes.find((n) => n.sourceId === String(person!.id));
    expect(found).toMatchObject({ firstName: person!.firstName, lastName: person!.lastName });
  });

  it('filters by department and status, and reports pre-hires as PENDING and leavers as INACTIVE', async () => {
    const { bamboohr } = t.sandbox.companies;
    const { employees } = await t.data<{ employees: { nodes: EmployeeView[] } }>(
      `{ employees(first: 1000, filter: { source: BAMBOOHR }) { nodes { ${EMPLOYEE_FIELDS} } } }`,
    );
    const byId = new Map(employees.nodes.map((n) => [n.sourceId, n]));
    const prehire = bamboohr.people.find((p) => p.hireDate > t.today)!;
    const leaver = bamboohr.people.find((p) => p.terminationDate !== null && p.terminationDate < t.today)!;
    expect(byId.get(String(prehire.id))?.status).toBe('PENDING');
    expect(byId.get(String(leaver.id))).toMatchObject({ status: 'INACTIVE', terminationDate: leaver.terminationDate });
    const boss = bamboohr.people.find((p) => p.id === bamboohr.people[30]!.managerId)!;
    expect(byId.get(String(bamboohr.people[30]!.id))?.manager?.displayName).toContain(boss.lastName);

    const department = bamboohr.people[40]!.department;
    const { employees: sales } = await t.data<{ employees: { nodes: EmployeeView[]; totalCount: number } }>(
      `query($d: String) { employees(first: 1000, filter: { source: BAMBOOHR, department: $d, status: ACTIVE }) { totalCount nodes { ${EMPLOYEE_FIELDS} } } }`,
      { d: department.toUpperCase() },
    );
    expect(sales.totalCount).toBeGreaterThan(0);
    expect(sales.nodes.every((n) => n.department === department && n.status === 'ACTIVE')).toBe(true);
  });

  it('looks up by id and through node(id), and rejects ids of another type with BAD_USER_INPUT', async () => {
    const { employees } = await t.data<{ employees: { nodes: { id: string; displayName: string }[] } }>(`{ employees(first: 1) { nodes { id displayName } } }`);
    const first = employees.nodes[0]!;
    const { employee, node } = await t.data<{ employee: { displayName: string }; node: { __typename: string; displayName: string } }>(
      `query($id: ID!) { employee(id: $id) { displayName } node(id: $id) { __typename ... on Employee { displayName } } }`,
      { id: first.id },
    );
    expect(employee.displayName).toBe(first.displayName);
    expect(node).toEqual({ __typename: 'Employee', displayName: first.displayName });

    const { learners } = await t.data<{ learners: { nodes: { id: string }[] } }>(`{ learners(first: 1) { nodes { id } } }`);
    const wrong = await t.graphql(`query($id: ID!) { employee(id: $id) { id } }`, { id: learners.nodes[0]!.id });
    expect(wrong.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const garbage = await t.graphql(`{ node(id: "not-an-id") { id } }`);
    expect(garbage.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('matches learners to employees by username or email, and shows Litmos users no HR system knows', async () => {
    const { learners } = await t.data<{
      learners: { totalCount: number; nodes: { userName: string; employee: { sourceId: string } | null; employeeMatchedBy: string | null }[] };
    }>(`{ learners(first: 1000) { totalCount nodes { userName employee { sourceId } employeeMatchedBy } } }`);
    expect(learners.totalCount).toBeGreaterThan(0);
    const matched = learners.nodes.filter((l) => l.employee);
    const orphans = learners.nodes.filter((l) => !l.employee);
    expect(matched.length).toBeGreaterThan(0);
    expect(orphans.length).toBeGreaterThan(0);
    expect(new Set(matched.map((l) => l.employeeMatchedBy))).toContain('USERNAME');
    expect(orphans.every((l) => l.employeeMatchedBy === null)).toBe(true);
  });

  it('answers teams with members, and courses with their learners progress', async () => {
    const { teams, courses } = await t.data<{
      teams: { nodes: { name: string; courses: { name: string }[]; members: { totalCount: number; nodes: { userName: string }[] } }[] };
      courses: {
        totalCount: number;
        nodes: { name: string; learners: { totalCount: number; nodes: { percentageComplete: number; completed: boolean; learner: { userName: string } }[] } }[];
      };
    }>(`{
      teams { nodes { name courses { name } members { totalCount nodes { userName } } } }
      courses { totalCount nodes { name learners(first: 1000) { totalCount nodes { percentageComplete completed learner { userName } } } } }
    }`);
    expect(teams.nodes.length).toBeGreaterThan(0);
    expect(teams.nodes.some((team) => team.members.totalCount > 0)).toBe(true);
    expect(teams.nodes.some((team) => team.courses.length > 0)).toBe(true);
    expect(courses.totalCount).toBeGreaterThan(0);
    const results = courses.nodes.flatMap((c) => c.learners.nodes);
    expect(results.length).toBeGreaterThan(0);
    expect(results.every((r) => r.percentageComplete >= 0 && r.percentageComplete <= 100 && r.learner)).toBe(true);
  });

  it('refuses a request without a valid token with UNAUTHENTICATED', async () => {
    const none = await t.graphql(`{ employees { totalCount } }`, {}, null);
    expect(none.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const bad = await t.graphql(`{ employees { totalCount } }`, {}, 'wrong-token');
    expect(bad.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('batching and caching', () => {
  const nested = `query($first: Int) {
    employees(first: $first, filter: { source: BAMBOOHR }) {
      nodes { displayName manager { displayName } learner { userName teams { name } courses { percentageComplete course { name } } } }
    }
  }`;

  async function upstreamCalls(): Promise<number> {
    const [b, n, l] = await Promise.all([t.stats('bamboohr'), t.stats('namely'), t.stats('litmos')]);
    return calls(b) + calls(n) + calls(l);
  }

  it('costs the same upstream calls for 20 or 100 employees, and none when repeated within the TTL', async () => {
    const big = await startTestGateway({ employees: 600, seed: 3, quirks: QUIET_FAULTS });
    try {
      const measure = async (first: number) => {
        await big.gateway.tenant.readModel.invalidate({ source: 'BAMBOOHR', learners: true });
        await big.gateway.tenant.readModel.invalidate({ everything: true });
        await big.resetStats();
        await big.data(nested, { first });
        const [b, l] = await Promise.all([big.stats('bamboohr'), big.stats('litmos')]);
        return { bamboohr: calls(b), litmos: calls(l), perLearner: calls(l, 'GET /v1.svc/users/:id') };
      };
      // The first read also looks up BambooHR's field metadata (once per client), so warm up first.
      await measure(5);
      const twenty = await measure(20);
      const hundred = await measure(100);
      expect(hundred).toEqual(twenty);
      expect(twenty.perLearner).toBe(0);
      expect(twenty.bamboohr).toBeGreaterThan(0);

      await big.resetStats();
      await big.data(nested, { first: 100 });
      const [b, n, l] = await Promise.all([big.stats('bamboohr'), big.stats('namely'), big.stats('litmos')]);
      expect(calls(b) + calls(n) + calls(l)).toBe(0);
    } finally {
      await big.close();
    }
  });

  it('answers concurrent identical queries with one upstream read', async () => {
    await t.gateway.tenant.readModel.invalidate({ everything: true });
    await t.resetStats();
    await Promise.all(Array.from({ length: 10 }, () => t.data(`{ employees(filter: { source: BAMBOOHR }) { totalCount } }`)));
    const stats = await t.stats('bamboohr');
    expect(calls(stats, 'POST')).toBe(1);
    expect(await upstreamCalls()).toBeLessThanOrEqual(3);
  });
});
