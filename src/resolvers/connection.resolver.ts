import { DateTimeResolver } from 'graphql-scalars';
import { Arg, Authorized, Ctx, Field, InputType, Int, Mutation, ObjectType, Query, Resolver, registerEnumType } from 'type-graphql';
import type { ConnectionView, ConnectionTest as ConnectionTestView } from '../connections/service.js';
import type { ManagedBy } from '../connections/stored.js';
import type { GatewayContext } from '../context.js';
import { CONNECTION_STATUSES, type ConnectionStatus } from '../core/connection-health.js';
import { LITMOS_REGIONS, type LitmosRegion } from '../datasources/base-url.js';
import { PROBE_PROBLEMS, type ProbeProblem } from '../datasources/probe.js';
import type { UpstreamSystem } from '../errors.js';

const enumOf = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((value) => [value, value])) as { [K in T]: K };

/** Named as the schema names them, valued as the code does. */
const UpstreamSystemEnum: Record<Uppercase<UpstreamSystem>, UpstreamSystem> = { BAMBOOHR: 'bamboohr', NAMELY: 'namely', LITMOS: 'litmos' };
registerEnumType(UpstreamSystemEnum, {
  name: 'UpstreamSystem',
  description: 'A system the gateway connects to: an HR system (a `Source`: BAMBOOHR, NAMELY) or LITMOS, which every source provisions into.',
});

const ConnectionStatusEnum = enumOf(CONNECTION_STATUSES);
registerEnumType(ConnectionStatusEnum, {
  name: 'ConnectionStatus',
  description:
    'UNTESTED: no run or test has used it yet. CONNECTED: the last run or test succeeded cleanly. DEGRADED: it succeeded only after retries or throttling, or failed once or twice in a row. ERROR: three runs or tests in a row failed; the next success clears it.',
});

const LitmosRegionEnum = enumOf(Object.keys(LITMOS_REGIONS) as LitmosRegion[]);
registerEnumType(LitmosRegionEnum, { name: 'LitmosRegion', description: 'Litmos hosts: US api.litmos.com, EU api.litmoseu.com, AU api.litmos.com.au.' });

const ManagedByEnum = enumOf<ManagedBy>(['ENVIRONMENT', 'API']);
registerEnumType(ManagedByEnum, {
  name: 'ManagedBy',
  description: 'ENVIRONMENT: set from the environment, and set again from it at every start. API: set with setConnection.',
});

const ConnectionProblemEnum = enumOf(PROBE_PROBLEMS);
registerEnumType(ConnectionProblemEnum, {
  name: 'ConnectionProblem',
  description:
    "What a test found wrong. CREDENTIAL_REJECTED: 401/403. BASE_PATH_WRONG: 404, the API is not at baseUrl. UNKNOWN_COMPANY: BambooHR knows no company by that subdomain. NOT_THE_API: something answered, but not the vendor's API. UNAVAILABLE: no answer, or only errors after retries. UNEXPECTED_ANSWER: another status.",
});

@ObjectType({ description: 'An upstream credential as the API shows it: whether one is set and how it ends — never the credential itself.' })
class Credential {
  @Field(() => Boolean) set!: boolean;
  @Field(() => String, { nullable: true, description: 'Its last four characters; null when none is set or it is shorter than eight.' }) last4!: string | null;
}

@ObjectType({ description: "A tenant's connection to one upstream, and its health (judged from the runs and tests that used it)." })
class Connection {
  @Field(() => UpstreamSystemEnum) system!: UpstreamSystem;
  @Field(() => String, { description: "BambooHR's origin (its company is `subdomain`); Namely's and Litmos's API base URI." }) baseUrl!: string;
  @Field(() => String, { nullable: true, description: "BambooHR's company; Namely's, when its host is {subdomain}.namely.com." }) subdomain!: string | null;
  @Field(() => String, { nullable: true, description: 'Litmos: what its `source` parameter carries on every call.' }) applicationName!: string | null;
  @Field(() => LitmosRegionEnum, { nullable: true, description: 'Litmos: the region whose host baseUrl is; null for another host.' })
  region!: LitmosRegion | null;
  @Field(() => Credential) credential!: Credential;
  @Field(() => ManagedByEnum) managedBy!: ManagedBy;
  @Field(() => DateTimeResolver, { nullable: true, description: 'When it was last set (null: before this was kept).' }) updatedAt!: string | null;
  @Field(() => ConnectionStatusEnum) status!: ConnectionStatus;
  @Field(() => Int, { description: 'Failed runs or tests since the last success.' }) consecutiveFailures!: number;
  @Field(() => DateTimeResolver, { nullable: true }) lastSuccessAt!: string | null;
  @Field(() => DateTimeResolver, { nullable: true }) lastFailureAt!: string | null;
  @Field(() => String, { nullable: true, description: 'Why the last failure failed (kept after a success, beside lastFailureAt).' }) lastError!: string | null;
}

@ObjectType({ description: 'What one cheap authenticated call to the upstream found.' })
class ConnectionTest {
  @Field(() => UpstreamSystemEnum) system!: UpstreamSystem;
  @Field(() => Boolean) ok!: boolean;
  @Field(() => ConnectionProblemEnum, { nullable: true }) problem!: ProbeProblem | null;
  @Field(() => String, { description: 'What was found, naming the setConnection field to fix.' }) message!: string;
  @Field(() => Connection, { description: 'The connection with its health after the test, which counts like a run.' }) connection!: Connection;
}

@InputType({
  description:
    "One upstream's connection. BAMBOOHR: subdomain (or a baseUrl naming the company), credential (API key), baseUrl (default https://api.bamboohr.com). NAMELY: subdomain or baseUrl, credential (personal access token). LITMOS: applicationName, credential (API key), region or baseUrl (default US). A baseUrl is the origin or the documented API base URI. Fields left out keep their value on a connection that exists.",
})
class SetConnectionInput {
  @Field(() => UpstreamSystemEnum) system!: UpstreamSystem;
  @Field(() => String, { nullable: true }) baseUrl?: string;
  @Field(() => String, { nullable: true, description: "The company: BambooHR's, or Namely's host (https://{subdomain}.namely.com)." }) subdomain?: string;
  @Field(() => LitmosRegionEnum, { nullable: true }) region?: LitmosRegion;
  @Field(() => String, { nullable: true, description: "Litmos's `source` parameter: the name Litmos knows this integration by." }) applicationName?: string;
  @Field(() => String, { nullable: true, description: 'Write-only: stored encrypted, never shown again (`credential { set last4 }`).' }) credential?: string;
}

const shown = ({ health, ...connection }: ConnectionView): Connection => ({ ...connection, ...health });

@Resolver()
export class ConnectionResolver {
  @Authorized('VIEWER')
  @Query(() => [Connection], { description: "This tenant's connections, with their health; credentials only as set or not and their last four characters." })
  async connections(@Ctx() ctx: GatewayContext): Promise<Connection[]> {
    return (await ctx.connections.list(ctx.principal.tenant)).map(shown);
  }

  @Authorized('ADMIN')
  @Mutation(() => Connection, {
    description:
      'Connect an upstream, or change its connection. Takes effect without a restart: new requests and runs use it at once here and within seconds in every other process; runs under way finish with the connection they started with.',
  })
  async setConnection(@Arg('input', () => SetConnectionInput) input: SetConnectionInput, @Ctx() ctx: GatewayContext): Promise<Connection> {
    // GraphQL's null for an optional field means "left out" here, as it does for every other input.
    const given = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== null && value !== undefined));
    return shown(await ctx.connections.set(ctx.principal.tenant, { ...given, system: input.system }));
  }

  @Authorized('OPERATOR')
  @Mutation(() => ConnectionTest, {
    description:
      "One cheap authenticated call to the upstream (BambooHR GET /employees/0, Namely GET /profiles/me, Litmos GET /users?limit=1) that says what is wrong: the credential, the base path, BambooHR's company. Counts toward the connection's health like a run.",
  })
  async testConnection(@Arg('system', () => UpstreamSystemEnum) system: UpstreamSystem, @Ctx() ctx: GatewayContext): Promise<ConnectionTest> {
    const test: ConnectionTestView = await ctx.connections.test(ctx.principal.tenant, system);
    return { ...test, connection: shown(test.connection) };
  }
}
