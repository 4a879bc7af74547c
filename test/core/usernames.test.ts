import { describe, expect, it } from 'vitest';
import type { Learner } from '../../src/model.js';
import type { PlannedAction, SyncPlan } from '../../src/core/plan.js';
import { planSync } from '../../src/core/plan.js';
import { bookUsernames, renameWaves, type Rename } from '../../src/core/usernames.js';
import { employee, inStepInput, learnerOf } from './builders.js';

const holder = (id: string, userName: string) => ({ id, userName }) as Learner;
const rename = (learnerId: string, from: string, to: string): Rename => ({ learnerId, from, to });
const updates = (plan: SyncPlan) =>
  plan.actions.filter((action): action is Extract<PlannedAction, { kind: 'UPDATE_LEARNER' }> => action.kind === 'UPDATE_LEARNER');

describe('bookUsernames', () => {
  it('lets a rename take a free username, or one freed by a chain of renames ending at a free one', () => {
    const book = bookUsernames(
      [holder('A', 'a@x'), holder('B', 'b@x'), holder('C', 'c@x')],
      [rename('A', 'a@x', 'b@x'), rename('B', 'b@x', 'c@x'), rename('C', 'c@x', 'free@x')],
    );
    expect(['A', 'B', 'C'].map((id) => book.canRename(id))).toEqual([true, true, true]);
  });

  it('lets a swap (a cycle) happen', () => {
    const book = bookUsernames([holder('A', 'a@x'), holder('B', 'b@x')], [rename('A', 'a@x', 'b@x'), rename('B', 'b@x', 'a@x')]);
    expect([book.canRename('A'), book.canRename('B')]).toEqual([true, true]);
  });

  it('refuses a rename onto a username its holder keeps, and every rename waiting on that one', () => {
    const book = bookUsernames([holder('A', 'a@x'), holder('B', 'b@x'), holder('OUT', 'out@x')], [rename('A', 'a@x', 'b@x'), rename('B', 'b@x', 'out@x')]);
    expect([book.canRename('B'), book.canRename('A')]).toEqual([false, false]);
  });

  it('gives a create a username freed by a rename, but not one a rename takes, one still held, or one claimed twice', () => {
    const book = bookUsernames([holder('A', 'a@x'), holder('K', 'kept@x')], [rename('A', 'a@x', 'new@x')]);
    expect(book.claimForCreate('new@x')).toBe(false);
    expect(book.claimForCreate('kept@x')).toBe(false);
    expect(book.claimForCreate('a@x')).toBe(true);
    expect(book.claimForCreate('a@x')).toBe(false);
  });
});

describe('renameWaves', () => {
  it('runs a rename after the one that frees its username', () => {
    const first = rename('A', 'a', 'b');
    const second = rename('B', 'b', 'c');
    const third = rename('C', 'c', 'd');
    expect(renameWaves([first, second, third])).toEqual({ aside: [], waves: [[third], [second], [first]] });
  });

  it('moves one learner of a swap aside; the other goes first, the one aside last', () => {
    const a = rename('A', 'a', 'b');
    const b = rename('B', 'b', 'a');
    const { aside, waves } = renameWaves([a, b]);
    expect(aside).toHaveLength(1);
    const [moved] = aside;
    const other = moved === a ? b : a;
    expect(waves).toEqual([[other], [moved]]);
  });

  it('orders a three-way rotation and a chain into it', () => {
    const cycle = [rename('A', 'a', 'b'), rename('B', 'b', 'c'), rename('C', 'c', 'a')];
    const into = rename('D', 'd', 'e');
    const { aside, waves } = renameWaves([...cycle, into]);
    expect(aside).toHaveLength(1);
    // Every username is taken only after its holder left it (or stepped aside).
    const freedBy = new Map<string, number>();
    waves.forEach((wave, i) => wave.forEach((r) => freedBy.set(r.from, aside.includes(r) ? -1 : i)));
    waves.forEach((wave, i) => wave.forEach((r) => expect(freedBy.get(r.to) ?? -1).toBeLessThan(i)));
    expect(waves.flat()).toHaveLength(4);
  });
});

describe('planSync: usernames that move', () => {
  it('lets two employees swap work emails', () => {
    const a = employee('1');
    const b = employee('2');
    const input = inStepInput([a, b]);
    const swapped = [employee('1', { workEmail: b.workEmail }), employee('2', { workEmail: a.workEmail })];
    const plan = planSync({ ...input, employees: swapped });
    expect(plan.skips).toEqual([]);
    expect(updates(plan).map((u) => u.changes.find((c) => c.field === 'userName'))).toEqual([
      { field: 'userName', before: a.workEmail, after: b.workEmail },
      { field: 'userName', before: b.workEmail, after: a.workEmail },
    ]);
  });

  it('creates a new hire with the address a colleague gave up in the same interval', () => {
    const a = employee('1');
    const input = inStepInput([a]);
    const moved = employee('1', { workEmail: 'alex.kim@acme.test' });
    const hire = employee('9', { workEmail: a.workEmail });
    const plan = planSync({ ...input, employees: [moved, hire] });
    expect(plan.skips).toEqual([]);
    expect(plan.actions.map((action) => action.kind)).toEqual(['UPDATE_LEARNER', 'CREATE_LEARNER', 'ADD_TO_TEAM']);
  });

  it('keeps the old username when the new one belongs to a Litmos user no HR system knows, updates the rest, and says why', () => {
    const a = employee('1');
    const input = inStepInput([a]);
    const outsider = learnerOf(employee('99'), { id: 'L-out', userName: 'boss@acme.test', email: 'boss@acme.test' });
    const plan = planSync({
      ...input,
      learners: [...input.learners, outsider],
      employees: [employee('1', { workEmail: 'boss@acme.test', lastName: 'Renamed' })],
    });
    expect(updates(plan)).toEqual([
      {
        kind: 'UPDATE_LEARNER',
        id: 'update:BAMBOOHR:1',
        sourceId: '1',
        learnerId: 'L1',
        changes: [
          { field: 'lastName', before: 'Last1', after: 'Renamed' },
          { field: 'email', before: a.workEmail, after: 'boss@acme.test' },
        ],
      },
    ]);
    expect(plan.skips).toEqual([{ sourceId: '1', reason: 'USERNAME_TAKEN', learnerId: 'L1' }]);
  });
});
