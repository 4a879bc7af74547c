import { Arg, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { GatewayContext } from '../context.js';
import { addDays } from '../core/eligibility.js';
import { planWithIdentities } from '../core/plan.js';
import { validatePolicy, type Policy } from '../core/policy.js';
import { diffPlans, type PreviewEntry } from '../core/preview.js';
import { BadUserInputError } from '../errors.js';
import type { Employee, LocalDate, Source } from '../model.js';
import { PreviewSyncInput, SyncPolicyDraft, SyncPreview } from '../schema/preview.type.js';
import { today } from '../time.js';
import { planInputNow } from './provisioning.service.js';
import { planView } from './sync/run.resolver.js';

/** Far enough for a leave or a reorganisation; further than that, HR's data says little of who will be where. */
const MAX_AS_OF_DAYS = 730;

function asOfDay(asOf: LocalDate | undefined, now: LocalDate): LocalDate {
  // GraphQL passes an explicit null, which type-graphql's field type (string | undefined) does not say.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above
  if (asOf === undefined || asOf === null) return now;
  if (asOf < now || asOf > addDays(now, MAX_AS_OF_DAYS)) {
    throw new BadUserInputError(`asOf: expected a day from today (${now}) to ${addDays(now, MAX_AS_OF_DAYS)}, received ${asOf}`, { field: 'asOf' });
  }
  return asOf;
}

/** The current policy with the draft's fields over it, checked as `setSyncPolicy` checks a policy. */
function draftPolicy(current: Policy, draft: SyncPolicyDraft | undefined): Policy {
  // GraphQL passes an explicit null for a field left out, which means "keep the current value" here too.
  const defined = Object.fromEntries(Object.entries(draft ?? {}).filter(([, value]) => value !== undefined && value !== null));
  if (Array.isArray(defined.blocklist)) defined.blocklist = [...new Set(defined.blocklist.map((status: string) => status.trim()).filter(Boolean))];
  const policy = validatePolicy({ ...current, ...defined });
  // The roster in the read model carries each employee's flag as read from the current field.
  if (policy.accessFlag.fieldName !== current.accessFlag.fieldName) {
    throw new BadUserInputError(
      `policy.accessFlag.fieldName: a preview reads the access flag from the current field "${current.accessFlag.fieldName}"; received "${policy.accessFlag.fieldName}" (set it with setSyncPolicy to preview by it)`,
      { field: 'accessFlag.fieldName' },
    );
  }
  return policy;
}

@Resolver()
export class PreviewResolver {
  @Authorized('OPERATOR')
  @Query(() => SyncPreview, {
    description:
      'What if: plans a sync under a draft policy and/or as of a later day, and shows the plan and how it differs from the plan under the current policy today. Writes nothing to Litmos and saves nothing; OPERATOR, like a dry run.',
  })
  async previewSync(@Arg('input', () => PreviewSyncInput) input: PreviewSyncInput, @Ctx() ctx: GatewayContext) {
    const source = input.source as Source;
    const now = today(ctx.tenant.clock());
    const asOf = asOfDay(input.asOf, now);
    const current = await ctx.tenant.engine.policy(source);
    const policy = draftPolicy(current, input.policy);
    const [currentInput, draftInput] = await Promise.all([planInputNow(ctx, source, current, now), planInputNow(ctx, source, policy, asOf)]);
    const planned = { current: { input: currentInput, ...planWithIdentities(currentInput) }, draft: { input: draftInput, ...planWithIdentities(draftInput) } };
    const diff = diffPlans(planned.current, planned.draft);
    const names = new Map(draftInput.employees.map((employee) => [employee.sourceId, employee]));
    const entry = (each: PreviewEntry) => ({ ...each, employeeSourceId: each.sourceId, name: nameOf(names.get(each.sourceId), each.sourceId) });
    return {
      source,
      asOf,
      policy: { source, ...policy },
      plan: planView(planned.draft.plan),
      safeguard: planned.draft.plan.safeguard,
      diff: {
        created: diff.created.map(entry),
        deactivated: diff.deactivated.map(entry),
        moved: diff.moved.map(entry),
        updated: diff.updated.map(entry),
        changed: diff.changed.map(entry),
      },
    };
  }
}

const nameOf = (employee: Employee | undefined, sourceId: string) => employee?.displayName ?? sourceId;
