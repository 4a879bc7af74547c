import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Info, InputType, Int, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../context.js';
import { BadUserInputError } from '../errors.js';
import { employeeKey, type Employee as EmployeeRecord, type Source } from '../model.js';
import { Connection, PageArgs, paginate } from '../schema/connection.js';
import { Employee } from '../schema/employee.type.js';
import { EmployeeStatusEnum, MatchedByEnum, SourceEnum } from '../schema/enums.js';
import { Learner } from '../schema/learner.type.js';
import { fromGlobalId, toGlobalId } from '../schema/node.js';
import { employmentStatusOn } from '../core/eligibility.js';
import { today } from '../time.js';
import { answerInPart } from './partial.js';
import { learnerPartsAsked } from './prefetch.js';
import { contains } from './search.js';

@InputType({ description: 'Every given condition must hold.' })
export class EmployeeFilter {
  @Field(() => SourceEnum, { nullable: true })
  source?: SourceEnum;
  @Field(() => String, { nullable: true, description: 'Department name, compared without case.' })
  department?: string;
  @Field(() => EmployeeStatusEnum, { nullable: true })
  status?: EmployeeStatusEnum;
  @Field(() => Boolean, { nullable: true, description: 'Only employees with the access flag on (or off).' })
  accessEnabled?: boolean;
  @Field(() => String, { nullable: true, description: 'Matches names, email, employee number and job title.' })
  search?: string;
}

@ArgsType()
class EmployeesArgs extends PageArgs {
  @Field(() => EmployeeFilter, { nullable: true })
  filter?: EmployeeFilter;
}

@ObjectType()
export class EmployeeConnection extends Connection(Employee) {
  @Field(() => Int, {
    description:
      "How many employees match, counting only the sources that answered: a failed source's employees are neither listed nor counted (the error beside the data names it).",
  })
  declare totalCount: number;
}

export const employeeGlobalId = (employee: EmployeeRecord) => toGlobalId('Employee', employeeKey(employee));

export async function employeeById(ctx: GatewayContext, id: string): Promise<EmployeeRecord | null> {
  const { type, localId } = fromGlobalId(id);
  if (type !== 'Employee') throw new BadUserInputError(`${id} is a ${type} id, not an Employee id`, { id });
  return ctx.loaders.employee.load(localId);
}

function matches(employee: EmployeeRecord, filter: EmployeeFilter): boolean {
  if (filter.department && employee.department?.toLowerCase() !== filter.department.trim().toLowerCase()) return false;
  if (filter.status && employee.status !== (filter.status as string)) return false;
  // GraphQL passes an explicit null, which type-graphql's field type (boolean | undefined) does not say.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above
  if (filter.accessEnabled !== undefined && filter.accessEnabled !== null && employee.accessEnabled !== filter.accessEnabled) return false;
  return contains(filter.search, [
    employee.firstName,
    employee.lastName,
    employee.preferredName,
    employee.displayName,
    employee.workEmail,
    employee.employeeNumber,
    employee.jobTitle,
  ]);
}

@Resolver(() => Employee)
export class EmployeeResolver {
  @Authorized()
  @Query(() => EmployeeConnection, {
    description:
      "Employees of every connected HR system, in the unified shape. When a source fails the others still answer: its employees are left out, and an error at this field's path names it (`extensions.source`, `extensions.code`). When every source asked for fails, the field fails.",
  })
  async employees(@Args(() => EmployeesArgs) args: EmployeesArgs, @Ctx() ctx: GatewayContext, @Info() info: GraphQLResolveInfo) {
    const filter = args.filter ?? {};
    const sources: Source[] = filter.source ? [filter.source] : ctx.tenant.readModel.sources();
    ctx.tenant.readModel.prefetch(learnerPartsAsked(info));
    const { employees, failures } = await ctx.tenant.readModel.rosters(sources);
    answerInPart(ctx, info, sources.length, failures);
    return paginate(
      employees.filter((employee) => matches(employee, filter)),
      args,
    );
  }

  @Authorized()
  @Query(() => Employee, { nullable: true })
  employee(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext) {
    return employeeById(ctx, id);
  }

  @FieldResolver(() => ID)
  id(@Root() employee: EmployeeRecord) {
    return employeeGlobalId(employee);
  }

  @FieldResolver(() => String, { nullable: true })
  employmentStatus(@Root() employee: EmployeeRecord, @Ctx() ctx: GatewayContext) {
    return employmentStatusOn(employee, today(ctx.tenant.clock()));
  }

  @FieldResolver(() => Employee, { nullable: true })
  manager(@Root() employee: EmployeeRecord, @Ctx() ctx: GatewayContext) {
    return employee.managerId ? ctx.loaders.employee.load(`${employee.source}:${employee.managerId}`) : null;
  }

  @FieldResolver(() => [Employee])
  directReports(@Root() employee: EmployeeRecord, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.directReports.load(employeeKey(employee));
  }

  @FieldResolver(() => Learner, { nullable: true, description: 'The Litmos learner for this employee: a stored link, else a username or email match.' })
  async learner(@Root() employee: EmployeeRecord, @Ctx() ctx: GatewayContext) {
    return (await ctx.loaders.learnerOfEmployee.load(employeeKey(employee)))?.learner ?? null;
  }

  @FieldResolver(() => MatchedByEnum, { nullable: true, description: 'How `learner` was found; null when there is none.' })
  async learnerMatchedBy(@Root() employee: EmployeeRecord, @Ctx() ctx: GatewayContext) {
    return (await ctx.loaders.learnerOfEmployee.load(employeeKey(employee)))?.matchedBy ?? null;
  }
}
