import { DateTimeResolver } from 'graphql-scalars';
import { Arg, Authorized, Ctx, Field, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, registerEnumType } from 'type-graphql';
import type { GatewayContext } from '../context.js';
import { BadUserInputError, NotFoundError } from '../errors.js';
import { addTarget, listTargets, NOTIFICATION_EVENTS, removeTarget, type NotificationEvent } from '../notify/targets.js';
import type { NotificationDeliveryEntry, NotificationDeliveryState } from '../store/notifications.js';

const NotificationEventEnum = Object.fromEntries(NOTIFICATION_EVENTS.map((event) => [event, event])) as { [K in NotificationEvent]: K };
registerEnumType(NotificationEventEnum, {
  name: 'NotificationEvent',
  description:
    'What a notification target is sent: a run reaching SUCCEEDED, PARTIAL, FAILED or AWAITING_APPROVAL (once per run and status), a connection entering ERROR, or leaving it.',
});

const DELIVERY_STATES = ['PENDING', 'DELIVERED', 'FAILED'] as const satisfies readonly NotificationDeliveryState[];
const DeliveryStateEnum = Object.fromEntries(DELIVERY_STATES.map((state) => [state, state])) as { [K in NotificationDeliveryState]: K };
registerEnumType(DeliveryStateEnum, {
  name: 'NotificationDeliveryState',
  description:
    'PENDING: written, not yet accepted (more attempts to come); DELIVERED: answered 2xx; FAILED: refused (a 4xx other than 429) or out of attempts.',
});

@ObjectType({
  description:
    "Where notifications go: an http(s) URL that receives signed JSON POSTs (its signing secret is never shown again), or an email address that receives a plain-text summary with the run's CSV report attached.",
})
class NotificationTarget {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true, description: 'A webhook target: where it is POSTed; null for an email target.' }) url?: string;
  @Field(() => String, { nullable: true, description: 'An email target: whom it is mailed to; null for a webhook target.' }) email?: string;
  @Field(() => [NotificationEventEnum]) events!: NotificationEvent[];
  @Field(() => DateTimeResolver) createdAt!: string;
}

@ObjectType({ description: "A new target, with the secret a webhook target's deliveries are signed with: shown this once, stored sealed." })
class AddedNotificationTarget {
  @Field(() => NotificationTarget) target!: NotificationTarget;
  @Field(() => String, {
    nullable: true,
    description: 'The HMAC-SHA256 key of X-Rostergate-Signature (see the README, "Notifications"); null for an email target.',
  })
  secret!: string | null;
}

@InputType({ description: 'Exactly one of url and email.' })
class AddNotificationTargetInput {
  @Field(() => String, { nullable: true, description: 'A webhook: http:// or https://, without a user name or password.' }) url?: string | null;
  @Field(() => String, { nullable: true, description: 'An email address (needs SMTP configured: ROSTERGATE_SMTP_URL).' }) email?: string | null;
  @Field(() => [NotificationEventEnum]) events!: NotificationEvent[];
}

@ObjectType({ description: 'One event sent to one target, from when it was written to when it was delivered or given up.' })
class NotificationDelivery {
  @Field(() => ID) id!: string;
  @Field(() => ID) targetId!: string;
  @Field(() => NotificationEventEnum) event!: NotificationEvent;
  @Field(() => ID, { nullable: true, description: 'The run it is about; null for connection events.' }) runId!: string | null;
  @Field(() => DeliveryStateEnum) state!: NotificationDeliveryState;
  @Field(() => Int, { description: 'Attempts made so far.' }) attempts!: number;
  @Field(() => Int, { nullable: true, description: "The last attempt's HTTP status (an email's: the SMTP reply code); null when no answer came." })
  lastStatusCode!: number | null;
  @Field(() => String, { nullable: true, description: 'Why the last attempt failed, when it did.' }) lastError!: string | null;
  @Field(() => DateTimeResolver) createdAt!: string;
  @Field(() => DateTimeResolver) updatedAt!: string;
  @Field(() => DateTimeResolver, { nullable: true }) deliveredAt!: string | null;
  @Field(() => DateTimeResolver, { nullable: true, description: 'When the next attempt is due, while PENDING.' }) nextAttemptAt!: string | null;
}

const MAX_DELIVERIES = 200;

function deliveryOf(entry: NotificationDeliveryEntry): NotificationDelivery {
  const { id, targetId, runId, state, attempts, lastStatus, lastError, createdAt, updatedAt, deliveredAt, nextAttemptAt } = entry;
  return {
    id,
    targetId,
    event: entry.event as NotificationEvent,
    runId,
    state,
    attempts,
    lastStatusCode: lastStatus,
    lastError,
    createdAt,
    updatedAt,
    deliveredAt,
    nextAttemptAt,
  };
}

@Resolver()
export class NotificationResolver {
  @Authorized('ADMIN')
  @Query(() => [NotificationTarget], { description: "This tenant's notification targets, oldest first (never their secrets)." })
  notificationTargets(@Ctx() ctx: GatewayContext): Promise<NotificationTarget[]> {
    return listTargets(ctx.tenant.store, ctx.principal.tenant);
  }

  @Authorized('ADMIN')
  @Query(() => [NotificationDelivery], { description: "A target's delivery log, newest first." })
  async notificationDeliveries(
    @Arg('targetId', () => ID) targetId: string,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Ctx() ctx: GatewayContext,
  ): Promise<NotificationDelivery[]> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_DELIVERIES) {
      throw new BadUserInputError(`first must be from 1 to ${MAX_DELIVERIES}; received ${first}`, { argument: 'first' });
    }
    const { notifications } = ctx.tenant.store;
    if (!(await notifications.target(ctx.principal.tenant, targetId))) throw new NotFoundError(`no notification target ${targetId}`, { targetId });
    return (await notifications.deliveries(ctx.principal.tenant, targetId, first)).map(deliveryOf);
  }

  @Authorized('ADMIN')
  @Mutation(() => AddedNotificationTarget, {
    description:
      "Send these events to a URL as signed JSON POSTs, or to an email address with the run's CSV report attached; retried with backoff. A webhook's secret is returned this once.",
  })
  addNotificationTarget(@Arg('input', () => AddNotificationTargetInput) input: AddNotificationTargetInput, @Ctx() ctx: GatewayContext) {
    return addTarget(ctx.tenant.store, ctx.principal.tenant, input, ctx.tenant.clock(), ctx.notifier.email);
  }

  @Authorized('ADMIN')
  @Mutation(() => Boolean, { description: 'Remove a target by its id, with its delivery log and pending deliveries; true when it existed.' })
  removeNotificationTarget(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<boolean> {
    return removeTarget(ctx.tenant.store, ctx.principal.tenant, id);
  }
}
