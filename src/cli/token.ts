/**
 * `rostergate token create|revoke`: API tokens for scripts. The schema has no way to list tokens
 * (only their hashes are stored, and no query exposes them), so there is no `token list`.
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

async function revoke(id: string, options: ClientOptions): Promise<void> {
  const { revokeApiToken } = await request<{ revokeApiToken: boolean }>(targetOf(options), 'mutation($id: ID!) { revokeApiToken(id: $id) }', { id });
  if (!revokeApiToken) throw new NotFoundError(`no API token ${id}`, { id });
  print(options, { id, revoked: true }, () => [`revoked token ${id}`]);
}

export function tokenCommand(): Command {
  const token = new Command('token').description('issue and revoke API tokens (needs an ADMIN token)');
  withClientOptions(
    token
      .command('create')
      .description('issue a token; it is shown once')
      .addOption(new Option('--role <role>', 'what it may do').choices(['admin', 'operator', 'viewer']).makeOptionMandatory())
      .requiredOption('--label <label>', 'who or what holds it, e.g. "nightly sync script"'),
  ).action(create);
  withClientOptions(token.command('revoke <id>').description('revoke a token by its id')).action(revoke);
  return token;
}
