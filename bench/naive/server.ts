/**
 * The baseline a user would otherwise write: a small Apollo server over the same sandbox whose
 * field resolvers each call the vendor directly — no DataLoader, no cache — answering the same
 * nested query as the gateway (a subset of its schema, with the same field names).
 */
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { naiveUpstream, type DirectoryEmployee, type LitmosUser, type LitmosUserCourse, type NaiveUpstreamOptions } from './upstream.js';

const typeDefs = `#graphql
  enum Source { BAMBOOHR NAMELY }
  enum EmployeeStatus { ACTIVE INACTIVE PENDING }
  input EmployeeFilter { source: Source, status: EmployeeStatus }
  type Query { employees(first: Int, filter: EmployeeFilter): EmployeeConnection! }
  type EmployeeConnection { nodes: [Employee!]!, totalCount: Int! }
  type Employee { id: ID!, displayName: String!, workEmail: String, manager: Employee, learner: Learner }
  type Learner { id: ID!, userName: String!, teams: [Team!]!, courses: [CourseProgress!]! }
  type Team { id: ID!, name: String! }
  type CourseProgress { percentageComplete: Float!, course: Course }
  type Course { id: ID!, name: String! }
`;

export interface NaiveServer {
  url: string;
  close(): Promise<void>;
}

export async function startNaiveServer(options: NaiveUpstreamOptions): Promise<NaiveServer> {
  const upstream = naiveUpstream(options);
  const resolvers = {
    Query: {
      // The directory lists only current employees, which is what the filter asks for anyway.
      employees: async (_: unknown, args: { first?: number }) => {
        const all = await upstream.directory();
        return { nodes: all.slice(0, args.first ?? 50), totalCount: all.length };
      },
    },
    Employee: {
      manager: async (employee: DirectoryEmployee) => {
        const id = await upstream.supervisorId(employee.id);
        return id ? upstream.employee(id) : null;
      },
      learner: (employee: DirectoryEmployee) => (employee.workEmail ? upstream.user(employee.workEmail) : null),
    },
    Learner: {
      id: (user: LitmosUser) => user.Id,
      userName: (user: LitmosUser) => user.UserName,
      teams: (user: LitmosUser) => upstream.userTeams(user.Id),
      courses: (user: LitmosUser) => upstream.userCourses(user.Id),
    },
    Team: { id: (team: { Id: string }) => team.Id, name: (team: { Name: string }) => team.Name },
    CourseProgress: {
      percentageComplete: (row: LitmosUserCourse) => row.PercentageComplete,
      course: (row: LitmosUserCourse) => upstream.course(row.Id),
    },
    Course: { id: (course: { Id: string }) => course.Id, name: (course: { Name: string }) => course.Name },
  };
  const server = new ApolloServer({ typeDefs, resolvers });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return { url: url.replace(/\/$/, ''), close: () => server.stop() };
}
