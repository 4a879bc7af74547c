import { Arg, Authorized, Ctx, Field, ID, InputType, Mutation, Query, Resolver } from 'type-graphql';
import type { GatewayContext } from '../../context.js';
import { BadUserInputError } from '../../errors.js';
import type { Source } from '../../model.js';
import { SourceEnum, SyncModeEnum } from '../../schema/enums.js';
import type { SyncMode } from '../../core/schedule.js';
import { fromGlobalId } from '../../schema/node.js';
import { SyncPolicy, SyncPolicyInput } from '../../schema/policy.type.js';
import { SyncRun } from '../../schema/sync-run.type.js';
import { validatePolicy } from '../../core/policy.js';
import { checkAccessFlagField, listAccessFlagFields } from './access-flag.js';
import { runIdOf } from './run.resolver.js';

@InputType()
class StartSyncInput {
  @Field(() => SourceEnum) source!: Source;
  @Field(() => Boolean, { nullable: true, description: 'Plan only: nothing is written to Litmos. @default false' }) dryRun?: boolean;
  @Field(() => SyncModeEnum, {
    nullable: true,
    description: 'INCREMENTAL reads only what changed since the last successful run (the run says when it ran FULL instead, and why). @default FULL',
  })
  mode?: SyncMode;
}

@InputType()
class ImportEmployeesInput {
  @Field(() => SourceEnum) source!: Source;
  @Field(() => [ID], { description: 'Employee global ids (from `employees`) or the HR system ids.' }) employeeIds!: string[];
  @Field(() => Boolean, { nullable: true }) dryRun?: boolean;
}

@InputType()
class SetBlocklistInput {
  @Field(() => SourceEnum) source!: Source;
  @Field(() => [String], { description: 'Employment statuses that are not provisioned, e.g. ["Contractor", "Intern"].' }) statuses!: string[];
}

const MAX_IMPORT = 10_000;

/** An employee global id names its source; a bare id is taken as the source's own. */
function sourceIdOf(id: string, source: Source): string {
  let decoded: ReturnType<typeof fromGlobalId> | undefined;
  try {
    decoded = fromGlobalId(id);
  } catch {
    return id;
  }
  const [idSource, ...rest] = decoded.localId.split(':');
  if (decoded.type !== 'Employee' || idSource !== source) {
    throw new BadUserInputError(`${id} is not an employee of ${source}`, { argument: 'employeeIds', id });
  }
  return rest.join(':');
}

@Resolver()
export class SyncMutationResolver {
  @Authorized('OPERATOR')
  @Mutation(() => SyncRun, {
    description: 'A reconcile of one source now ("Sync Now"): FULL, or INCREMENTAL. Returns the active run instead when one is under way.',
  })
  async startSync(@Arg('input', () => StartSyncInput) input: StartSyncInput, @Ctx() ctx: GatewayContext) {
    const { run } = await ctx.tenant.engine.start({ source: input.source, trigger: 'MANUAL', dryRun: input.dryRun ?? false, mode: input.mode ?? 'FULL' });
    return run;
  }

  @Authorized('OPERATOR')
  @Mutation(() => SyncRun, { description: 'Provision just these employees ("Import Employees"); nobody else is touched.' })
  async importEmployees(@Arg('input', () => ImportEmployeesInput) input: ImportEmployeesInput, @Ctx() ctx: GatewayContext) {
    const ids = [...new Set(input.employeeIds.map((id) => sourceIdOf(id.trim(), input.source)))].filter(Boolean);
    if (ids.length === 0 || ids.length > MAX_IMPORT) {
      throw new BadUserInputError(`employeeIds must name 1 to ${MAX_IMPORT} employees; received ${ids.length}`, { argument: 'employeeIds' });
    }
    const { run } = await ctx.tenant.engine.start({ source: input.source, trigger: 'IMPORT', dryRun: input.dryRun ?? false, scope: ids });
    return run;
  }

  @Authorized('ADMIN')
  @Mutation(() => SyncPolicy, { description: 'Employment statuses that are not provisioned; their learners are deactivated by the next sync.' })
  async setBlocklist(@Arg('input', () => SetBlocklistInput) input: SetBlocklistInput, @Ctx() ctx: GatewayContext) {
    const current = await ctx.tenant.engine.policy(input.source);
    const statuses = [...new Set(input.statuses.map((status) => status.trim()).filter(Boolean))];
    const policy = await ctx.tenant.engine.setPolicy(input.source, validatePolicy({ ...current, blocklist: statuses }));
    return { source: input.source, ...policy };
  }

  @Authorized('ADMIN')
  @Mutation(() => SyncPolicy, {
    description:
      'Change how a source is reconciled. A new access flag field must exist in the HR system as a yes/no field; otherwise BAD_USER_INPUT lists the candidates.',
  })
  async setSyncPolicy(@Arg('input', () => SyncPolicyInput) input: SyncPolicyInput, @Ctx() ctx: GatewayContext) {
    const { source: name, ...patch } = input;
    const source = name as Source;
    const current = await ctx.tenant.engine.policy(source);
    // GraphQL passes an explicit null, which type-graphql's field types (T | undefined) do not say.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above
    const defined = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined && value !== null));
    const next = validatePolicy({ ...current, ...defined });
    // Checked only when given: a policy change elsewhere must not be refused because HR changed since.
    if (input.accessFlag) await checkAccessFlagField(ctx.tenant, source, next.accessFlag.fieldName);
    const policy = await ctx.tenant.engine.setPolicy(source, next);
    // Cached employees carry the old field's flag; the next read must use the new one.
    if (input.accessFlag) await ctx.tenant.readModel.invalidate({ source });
    return { source, ...policy };
  }

  @Authorized()
  @Query(() => SyncPolicy)
  async syncPolicy(@Arg('source', () => SourceEnum) source: Source, @Ctx() ctx: GatewayContext) {
    return { source, ...(await ctx.tenant.engine.policy(source)) };
  }

  @Authorized()
  @Query(() => [String], {
    description:
      "The HR system's fields able to hold the access flag (BambooHR's checkbox fields, Namely's select fields), read from it now: the names `setSyncPolicy` accepts as `accessFlag.fieldName`.",
  })
  accessFlagFields(@Arg('source', () => SourceEnum) source: Source, @Ctx() ctx: GatewayContext): Promise<string[]> {
    return listAccessFlagFields(ctx.tenant, source);
  }

  @Authorized('ADMIN')
  @Mutation(() => SyncRun, { description: 'Apply a run that stopped at AWAITING_APPROVAL because of the safeguard.' })
  approveSyncRun(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext) {
    return ctx.tenant.engine.approve(runIdOf(id), ctx.principal.tokenId);
  }

  @Authorized('OPERATOR')
  @Mutation(() => SyncRun, { description: 'Stop a run; what it already wrote stays written and journaled.' })
  cancelSyncRun(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext) {
    return ctx.tenant.engine.cancel(runIdOf(id));
  }
}
