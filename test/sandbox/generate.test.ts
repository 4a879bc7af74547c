import { describe, expect, it } from 'vitest';
import {
  BadUserInputError,
  CEO_TITLE,
  DEPARTMENTS,
  DIVISIONS,
  emailLocalPart,
  foldToAscii,
  generateCompany,
  TERMINATED,
  type SeedCompany,
  type SeedPerson,
} from '@rostergate/sandbox';

const TODAY = '2025-06-15';

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

// Collects violations and asserts once: an `expect` per person would dominate the 100,000 case.
function expectWellFormed(company: SeedCompany, size: number): void {
  const { people } = company;
  expect(people).toHaveLength(size);
  expect(people.filter((person, index) => person.id !== index + 1)).toEqual([]);

  // A manager always has a lower id, so following managers strictly descends and must reach the CEO.
  expect(people[0]?.managerId).toBeNull();
  const badManagers = people.slice(1).filter((person) => person.managerId === null || person.managerId < 1 || person.managerId >= person.id);
  expect(badManagers).toEqual([]);

  const divisionOf = new Map<string, Set<string>>();
  for (const person of people) {
    divisionOf.set(person.department, (divisionOf.get(person.department) ?? new Set()).add(person.division));
  }
  for (const [department, divisions] of divisionOf) {
    expect(company.departments).toContain(department);
    expect([...divisions]).toHaveLength(1);
    expect(company.divisions).toEqual(expect.arrayContaining([...divisions]));
  }
  expect(people.filter((person) => !company.locations.includes(person.location))).toEqual([]);

  const emails = people.flatMap((person) => (person.workEmail === null ? [] : [person.workEmail]));
  expect(new Set(emails).size).toBe(emails.length);
  const plainAscii = /^[a-z0-9]+(?:[.-][a-z0-9]+)*@[a-z0-9]+\.example$/;
  expect(emails.filter((email) => !plainAscii.test(email))).toEqual([]);
}

function reachesCeo(people: readonly SeedPerson[], person: SeedPerson): boolean {
  const seen = new Set<number>();
  let current: SeedPerson | undefined = person;
  while (current && current.managerId !== null) {
    if (seen.has(current.id)) return false;
    seen.add(current.id);
    current = people[current.managerId - 1];
  }
  return current?.id === 1;
}

describe('generateCompany', () => {
  it('gives the same company for the same options and another for another seed', () => {
    const options = { seed: 42, size: 300, today: TODAY, name: 'Globex Corporation' };
    const company = generateCompany(options);
    expect(generateCompany(options)).toEqual(company);
    const other = generateCompany({ ...options, seed: 43 });
    expect(other.people).not.toEqual(company.people);
  });

  it('uses its documented defaults', () => {
    const before = new Date().toISOString().slice(0, 10);
    const company = generateCompany();
    const after = new Date().toISOString().slice(0, 10);
    expect([before, after]).toContain(company.today);
    expect(company).toMatchObject({
      seed: 1,
      name: 'Acme Rockets',
      domain: 'acmerockets',
      emailDomain: 'acmerockets.example',
    });
    expect(company.people).toHaveLength(250);
  });

  it.each([1, 2, 6, 20, 21, 22, 250, 1000])('honours size %i', (size) => {
    expectWellFormed(generateCompany({ size, today: TODAY }), size);
  });

  it('generates 100,000 people', () => {
    const company = generateCompany({ size: 100_000, seed: 9, today: TODAY });
    expectWellFormed(company, 100_000);
    const share = (test: (person: SeedPerson) => boolean): number => company.people.filter(test).length / 100_000;
    expect(share((person) => (person.terminationDate ?? '9999') < TODAY)).toBeCloseTo(0.08, 2);
    expect(share((person) => person.hireDate > TODAY)).toBeCloseTo(0.03, 2);
    expect(share((person) => person.statusHistory.length === 0)).toBeCloseTo(0.02, 2);
    expect(share((person) => person.accessEnabled)).toBeCloseTo(0.85, 2);
    expect(share((person) => person.workEmail === null)).toBeCloseTo(0.01, 2);
  });

  it('builds one tree under the CEO, with department heads reporting to the executives', () => {
    const { people } = generateCompany({ size: 2000, seed: 3, today: TODAY });
    expect(people.every((person) => reachesCeo(people, person))).toBe(true);
    expect(people[0]?.jobTitle).toBe(CEO_TITLE);
    const executives = people.filter((person) => person.managerId === 1 && person.department !== 'Executive');
    const executiveTitles = DIVISIONS.map((division) => division.executive);
    expect(executives.map((person) => person.jobTitle).sort()).toEqual(executiveTitles.sort());
    const executiveIds = new Set(executives.map((person) => person.id));
    const heads = new Set(DEPARTMENTS.flatMap((department) => department.head ?? []));
    const headPeople = people.filter((person) => heads.has(person.jobTitle));
    expect(headPeople).toHaveLength(heads.size);
    for (const head of headPeople) expect(executiveIds.has(head.managerId ?? 0)).toBe(true);
    for (const person of people.slice(1 + executives.length + heads.size)) {
      expect(people[(person.managerId ?? 0) - 1]?.department).toBe(person.department);
    }
  });

  it('gives titles that fit the department', () => {
    const { people } = generateCompany({ size: 1000, seed: 5, today: TODAY });
    for (const person of people) {
      const department = DEPARTMENTS.find((spec) => spec.name === person.department);
      const division = DIVISIONS.find((spec) => spec.executiveDepartment === person.department);
      const fitting = [...(department?.titles ?? []), department?.head, department?.manager, division?.executive, CEO_TITLE];
      expect(fitting).toContain(person.jobTitle);
    }
  });

  it('keeps status histories in date order, starting on the hire date, ending at any termination', () => {
    const company = generateCompany({ size: 5000, seed: 11, today: TODAY });
    const statuses = [...company.employmentStatuses, TERMINATED];
    for (const person of company.people) {
      const history = person.statusHistory;
      if (history.length === 0) continue;
      expect(history[0]?.date).toBe(person.hireDate);
      for (const [index, row] of history.entries()) {
        expect(statuses).toContain(row.status);
        if (index > 0) expect(row.date > (history[index - 1]?.date ?? '')).toBe(true);
      }
      const last = history[history.length - 1];
      if (person.terminationDate === null) {
        expect(history.some((row) => row.status === TERMINATED)).toBe(false);
      } else {
        expect(last).toEqual({ date: person.terminationDate, status: TERMINATED });
      }
    }
  });

  it('includes every case the sync must handle in a 250-person company', () => {
    const { people } = generateCompany({ seed: 1, size: 250, today: TODAY });
    const someone = (test: (person: SeedPerson) => boolean): SeedPerson | undefined => people.find(test);
    expect(someone((p) => p.terminationDate !== null && p.terminationDate < TODAY)).toBeDefined();
    expect(someone((p) => p.terminationDate !== null && p.terminationDate > TODAY)).toBeDefined();
    expect(someone((p) => p.hireDate > TODAY && p.hireDate <= addDays(TODAY, 30))).toBeDefined();
    expect(someone((p) => p.statusHistory.length === 0)).toBeDefined();
    const futureRow = (p: SeedPerson): boolean => p.statusHistory.some((row) => row.date > TODAY);
    expect(someone((p) => p.hireDate <= TODAY && p.terminationDate === null && futureRow(p))).toBeDefined();
    expect(someone((p) => p.statusHistory.length >= 3)).toBeDefined();
    expect(someone((p) => !p.accessEnabled)).toBeDefined();
    expect(someone((p) => /[^\x20-\x7e]/.test(p.firstName + p.lastName))).toBeDefined();
    expect(someone((p) => (p.firstName + p.lastName).includes("'"))).toBeDefined();
    expect(someone((p) => p.workEmail === null)).toBeDefined();
    expect(someone((p) => p.preferredName !== null)).toBeDefined();
    expect(someone((p) => p.workPhone === null)).toBeDefined();
    expect(someone((p) => p.country !== 'United States')).toBeDefined();
  });

  it('hires established people at least a week ago and pre-hires within the next 30 days', () => {
    const { people } = generateCompany({ seed: 8, size: 3000, today: TODAY });
    for (const person of people) {
      const established = person.hireDate <= addDays(TODAY, -7);
      const preHire = person.hireDate > TODAY && person.hireDate <= addDays(TODAY, 30);
      expect(established || preHire).toBe(true);
    }
  });

  it('derives work emails from folded names and numbers repeats', () => {
    const company = generateCompany({ seed: 2, size: 5000, today: TODAY });
    for (const person of company.people) {
      if (person.workEmail === null) continue;
      const localPart = emailLocalPart(person.firstName, person.lastName);
      const escaped = localPart.replace(/\./g, '\\.');
      const numbered = new RegExp(`^${escaped}(?:[2-9]|[1-9]\\d+)?@acmerockets\\.example$`);
      expect(person.workEmail).toMatch(numbered);
    }
  });

  it('folds names to ASCII for emails and domains', () => {
    expect(emailLocalPart('Łukasz', "O'Brien")).toBe('lukasz.obrien');
    expect(emailLocalPart('Søren', 'Groß')).toBe('soren.gross');
    expect(emailLocalPart('Ana-María', 'Nuñez')).toBe('ana-maria.nunez');
    expect(emailLocalPart('Zoë', 'van Dijk')).toBe('zoe.vandijk');
    expect(emailLocalPart('Þór', 'Guðmundsdóttir')).toBe('thor.gudmundsdottir');
    expect(foldToAscii('Çağla Yılmaz')).toBe('Cagla Yilmaz');
    expect(generateCompany({ name: 'Zürich Ölwerke AG', size: 1, today: TODAY })).toMatchObject({
      domain: 'zuricholwerkeag',
      emailDomain: 'zuricholwerkeag.example',
    });
  });

  it.each([
    [{ size: 0 }, 'size'],
    [{ size: 2.5 }, 'size'],
    [{ seed: -1 }, 'seed'],
    [{ today: '2025-02-30' }, 'today'],
    [{ today: '15/06/2025' }, 'today'],
    [{ name: '株式会社' }, 'name'],
  ])('rejects %o', (options, field) => {
    const attempt = (): SeedCompany => generateCompany({ today: TODAY, ...options });
    expect(attempt).toThrow(BadUserInputError);
    expect(attempt).toThrow(expect.objectContaining({ details: { field } }));
  });
});
