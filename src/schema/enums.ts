import { registerEnumType } from 'type-graphql';

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
registerEnumType(MatchedByEnum, {
  name: 'MatchedBy',
  description: 'How an employee and a learner were found to be the same person: a stored link, or a match.',
});
