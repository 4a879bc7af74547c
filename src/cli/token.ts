/**
 * `rostergate token create|list|revoke`: API tokens for scripts. A token is shown once, when it is
 * created; the list shows what it is for, never the token.
 */
import { Command, Option } from 'commander';
import { NotFoundError } from '../errors.js';
import { print, request, targetOf, withClientOptions, type ClientOptions } from './client.js';

interface IssuedToken {
  id: string;
  token: string;
  role: string;
}

async function create(options: ClientOptions & { role: string; label: string }): Promise<void> {
  const { createApiToken: issued } = await request<{ createApiToken: IssuedToken }>(
    targetOf(options),
    'mutation($label: String!, $role: Role!) { createApiToken(label: $label, role: $role) { id token role } }',
    { label: options.label, role: options.role.toUpperCase() },
  );
  // The secret last and alone on its line, so `| tail -n 1` takes it.
  print(options, { ...issued, label: options.label }, () => [`token ${issued.id} (${issued.role}, "${options.label}"), shown this once:`, issued.token]);
}

interface ListedToken {
  id: string;
  role: string;
  label: string;
  createdAt: string;
}

async function list(options: ClientOptions): Promise<void> {
  const { apiTokens } = await request<{ apiTokens: ListedToken[] }>(targetOf(options), '{ apiTokens { id role label createdAt } }');
  print(options, apiTokens, () => apiTokens.map((token) => `${token.id}  ${token.role.padEnd(8)}  ${token.createdAt}  ${token.label}`));
}

async function revoke(id: string, options: ClientOptions): Promise<void> {
  const { revokeApiToken } = await request<{ revokeApiToken: boolean }>(targetOf(options), 'mutation($id: ID!) { revokeApiToken(id: $id) }', { id });
  if (!revokeApiToken) throw new NotFoundError(`no API token ${id}`, { id });
  print(options, { id, revoked: true }, () => [`revoked token ${id}`]);
}

export function tokenCommand(): Command {
  const token = new Command('token').description('issue, list and revoke API tokens (needs an ADMIN token)');
  withClientOptions(
    token
      .command('create')
      .description('issue a token; it is shown once')
      .addOption(new Option('--role <role>', 'what it may do').choices(['admin', 'operator', 'viewer']).makeOptionMandatory())
      .requiredOption('--label <label>', 'who or what holds it, e.g. "nightly sync script"'),
  ).action(create);
  withClientOptions(token.command('list').description("this tenant's tokens: id, role, when issued, label")).action(list);
  withClientOptions(token.command('revoke <id>').description('revoke a token by its id')).action(revoke);
  return token;
}
