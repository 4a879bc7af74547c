import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../context.js';
import { holdId, holdInForce, placeHold, type Hold as HoldRecord } from '../core/holds.js';
import { NotFoundError } from '../errors.js';
import type { Source } from '../model.js';
import { Employee } from '../schema/employee.type.js';
import { SourceEnum } from '../schema/enums.js';
import { Hold, HoldEmployeeInput } from '../schema/hold.type.js';
import { today } from '../time.js';
import { toGlobalId } from '../schema/node.js';
import { employeeById } from './employee.resolver.js';

/** A hold as shown, with its employee key for `employee`. */
type HoldView = Hold & { key: string };

const toHold = (hold: HoldRecord): HoldView => ({
  key: hold.id,
  employeeId: toGlobalId('Employee', hold.id),
  source: hold.source,
  employeeSourceId: hold.sourceId,
  until: hold.until,
  reason: hold.reason,
  heldBy: hold.heldBy,
  heldAt: hold.heldAt,
});

async function heldEmployee(ctx: GatewayContext, employeeId: string) {
  const employee = await employeeById(ctx, employeeId);
  if (!employee) throw new NotFoundError(`no employee ${employeeId}`, { employeeId });
  return employee;
}

/**
 * Holds are ADMIN's: a hold overrides HR's evidence and the policy for one person (it keeps access for
 * someone HR says has left), and changing the policy is the admin's, as are approvals of deactivations.
 */
@Resolver(() => Hold)
export class HoldResolver {
  @Authorized('ADMIN')
  @Mutation(() => Hold, { description: "Keep an employee's learner exactly as it is until a date; a second hold on them replaces the first." })
  async holdEmployee(@Arg('input', () => HoldEmployeeInput) input: HoldEmployeeInput, @Ctx() ctx: GatewayContext) {
    const employee = await heldEmployee(ctx, input.employeeId);
    const now = ctx.tenant.clock();
    const hold = placeHold({ employee, until: input.until, reason: input.reason, heldBy: ctx.principal.tokenId, today: today(now), heldAt: now.toISOString() });
    await ctx.tenant.store.holds.put(ctx.tenant.id, hold, today(now));
    return toHold(hold);
  }

  @Authorized('ADMIN')
  @Mutation(() => Hold, { description: 'End a hold now: the next sync acts on the employee again. NOT_FOUND when they have no hold.' })
  async releaseHold(@Arg('employeeId', () => ID) employeeId: string, @Ctx() ctx: GatewayContext) {
    const employee = await heldEmployee(ctx, employeeId);
    const released = await ctx.tenant.store.holds.remove<HoldRecord>(ctx.tenant.id, holdId(employee));
    if (!released) throw new NotFoundError(`employee ${employeeId} has no hold`, { employeeId });
    return toHold(released);
  }

  @FieldResolver(() => Employee, { nullable: true, description: 'The held employee, as HR has them now (null when HR no longer returns them).' })
  employee(@Root() hold: HoldView, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.employee.load(hold.key);
  }

  @Authorized()
  @Query(() => [Hold], { description: 'Holds in force today, soonest to lapse first; of one source or all.' })
  async holds(@Arg('source', () => SourceEnum, { nullable: true }) source: Source | undefined, @Ctx() ctx: GatewayContext) {
    const day = today(ctx.tenant.clock());
    const holds = await ctx.tenant.store.holds.list<HoldRecord>(ctx.tenant.id);
    return holds
      .filter((hold) => holdInForce(hold, day) && (!source || hold.source === source))
      .sort((a, b) => a.until.localeCompare(b.until) || a.id.localeCompare(b.id))
      .map(toHold);
  }
}
