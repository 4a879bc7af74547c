import { registerEnumType } from 'type-graphql';
import { SYNC_MODES, type SyncMode } from '../core/schedule.js';

export enum SourceEnum {
  BAMBOOHR = 'BAMBOOHR',
  NAMELY = 'NAMELY',
}
registerEnumType(SourceEnum, { name: 'Source', description: 'The HR system an employee comes from.' });

export enum EmployeeStatusEnum {
  ACTIVE = 'ACTIVE',
  INACTIVE = 'INACTIVE',
  PENDING = 'PENDING',
}
registerEnumType(EmployeeStatusEnum, {
  name: 'EmployeeStatus',
  description: 'ACTIVE works here today, INACTIVE has left, PENDING has not started yet.',
});

export enum MatchedByEnum {
  LINK = 'LINK',
  USERNAME = 'USERNAME',
  EMAIL = 'EMAIL',
}
/** Registered here because runs, schedules and `startSync` all take it. */
export const SyncModeEnum = Object.fromEntries(SYNC_MODES.map((mode) => [mode, mode])) as { [K in SyncMode]: K };
registerEnumType(SyncModeEnum, {
  name: 'SyncMode',
  description:
    'What a run reads: FULL, the whole roster of its source and every Litmos user; INCREMENTAL, only the employees changed since the last successful run (the change feeds) and the learners they touch.',
});

registerEnumType(MatchedByEnum, {
  name: 'MatchedBy',
  description: 'How an employee and a learner were found to be the same person: a stored link, or a match.',
});
