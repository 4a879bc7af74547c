import { describe, expect, it } from 'vitest';
import type { ActionResult } from '../../src/core/plan-types.js';
import { shadowWrites, updateShadow, withShadow } from '../../src/core/shadow.js';
import type { LearnerField } from '../../src/core/policy.js';
import { employee, learnerOf } from './builders.js';

const HIDDEN: LearnerField[] = ['title', 'phoneWork', 'city'];

const created = (learnerId: string, ok = true): ActionResult => ({
  action: {
    kind: 'CREATE_LEARNER',
    id: `create:${learnerId}`,
    sourceId: learnerId,
    fields: { userName: `u${learnerId}`, firstName: 'Zoë', title: 'Engineer', city: null },
  },
  ok,
  learnerId: ok ? learnerId : null,
  error: ok ? null : 'refused',
  resumed: false,
});

const updated = (learnerId: string, changes: { field: LearnerField; before: string | null; after: string | null }[]): ActionResult => ({
  action: { kind: 'UPDATE_LEARNER', id: `update:${learnerId}`, sourceId: learnerId, learnerId, changes },
  ok: true,
  learnerId,
  error: null,
  resumed: false,
});

describe('the shadow of hidden learner fields', () => {
  it('fills listed learners from what it knows, leaving the others and the visible fields as listed', () => {
    const listed = [learnerOf(employee('1'), { id: 'L1', title: null, firstName: 'Ana' }), learnerOf(employee('2'), { id: 'L2', title: null })];
    const [known, unknown] = withShadow(listed, { L1: { title: 'Engineer', firstName: 'Stale', phoneWork: null } }, HIDDEN);
    expect(known).toEqual({ ...listed[0], title: 'Engineer', phoneWork: null });
    expect(known).not.toBe(listed[0]);
    expect(listed[0]?.title).toBeNull();
    expect(unknown).toBe(listed[1]);
  });

  it('has nothing to write after a run that wrote no hidden field: failed creates and visible-only updates', () => {
    expect(shadowWrites([created('L1', false), updated('L2', [{ field: 'firstName', before: 'Ana', after: 'Anna' }])], HIDDEN)).toEqual({});
  });

  it('remembers the hidden fields that creates and updates wrote, laid over what it held', () => {
    const writes = shadowWrites(
      [
        created('L1'),
        updated('L2', [
          { field: 'title', before: 'Clerk', after: 'Manager' },
          { field: 'firstName', before: 'A', after: 'B' },
        ]),
      ],
      HIDDEN,
    );
    expect(writes).toEqual({ L1: { title: 'Engineer', city: null }, L2: { title: 'Manager' } });
    const held = { L2: { title: 'Clerk', phoneWork: '555' }, L3: { city: 'Oslo' } };
    expect(updateShadow(held, writes)).toEqual({ L1: { title: 'Engineer', city: null }, L2: { title: 'Manager', phoneWork: '555' }, L3: { city: 'Oslo' } });
    expect(held.L2.title).toBe('Clerk');
  });
});
