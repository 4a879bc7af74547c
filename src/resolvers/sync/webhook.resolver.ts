import { Arg, Authorized, Ctx, Field, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { GatewayContext } from '../../context.js';
import { BadUserInputError } from '../../errors.js';
import { SECRET } from '../../tenant.js';
import { registerBambooHrWebhook } from '../../datasources/bamboohr/webhooks.js';

@ObjectType({ description: 'A BambooHR webhook that sends employee changes to this gateway. Its private key is stored encrypted and never returned.' })
class WebhookRegistration {
  @Field(() => String) id!: string;
  @Field(() => String) url!: string;
}

@Resolver()
export class WebhookResolver {
  @Authorized('ADMIN')
  @Mutation(() => WebhookRegistration, {
    description: "Register `url` (this gateway's public /webhooks/bamboohr address) with BambooHR, so changes trigger targeted syncs.",
  })
  async connectBambooHrWebhook(@Arg('url', () => String) url: string, @Ctx() ctx: GatewayContext) {
    const http = ctx.tenant.http.bamboohr;
    if (!http) throw new BadUserInputError('BAMBOOHR is not connected for this tenant', { source: 'BAMBOOHR' });
    if (!/^https?:\/\/[^\s]+\/webhooks\/bamboohr$/.test(url)) {
      throw new BadUserInputError(`url must end in /webhooks/bamboohr; received "${url}"`, { argument: 'url' });
    }
    const policy = await ctx.tenant.engine.policy('BAMBOOHR');
    const { id, privateKey } = await registerBambooHrWebhook(http, { url, accessFlagFieldName: policy.accessFlag.fieldName });
    await ctx.tenant.store.secrets.put(ctx.tenant.id, SECRET.bamboohrWebhookKey, privateKey);
    return { id, url };
  }
}
