/**
 * The reference for warm throughput: a bare Apollo Server 5 that answers the benchmark's nested query
 * from memory — the very data the gateway answered, passed in — with graphql-js's default resolvers
 * walking it. No authentication, no limits, no cache: what serving the same bytes costs at the least
 * with Apollo Server. Started in a child process of its own by bare-child.ts, like the gateway.
 */
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

/** The gateway's names and nullability for the fields the nested query asks, and its arguments. */
const typeDefs = `#graphql
  enum Source { BAMBOOHR NAMELY }
  enum EmployeeStatus { ACTIVE INACTIVE PENDING }
  input EmployeeFilter { source: Source, status: EmployeeStatus }
  type Query { employees(first: Int, after: String, filter: EmployeeFilter): EmployeeConnection! }
  type EmployeeConnection { nodes: [Employee!]! }
  type Employee { displayName: String!, manager: Employee, learner: Learner }
  type Learner { userName: String!, teams: [Team!]!, courses: [CourseProgress!]! }
  type Team { name: String! }
  type CourseProgress { percentageComplete: Float!, course: Course }
  type Course { name: String! }
`;

export interface BareServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `data` (a nested query's `data`, with `employees`) for every `employees` asked. */
export async function startBareServer(data: { employees: unknown }): Promise<BareServer> {
  const server = new ApolloServer({ typeDefs, resolvers: { Query: { employees: () => data.employees } } });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return { url: url.replace(/\/$/, ''), close: () => server.stop() };
}
