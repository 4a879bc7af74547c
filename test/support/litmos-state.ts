/**
 * Litmos as its own API shows it, user by user, for the rollback tests that compare whole states: what
 * `litmos()` (upstreams.ts) lists, plus each user's full profile and every team they are in.
 */
import { QUIET_HEADER, SANDBOX_CREDENTIALS, type RunningSandbox } from '@rostergate/sandbox';
import { litmos } from './upstreams.js';

export type LitmosState = Map<string, { profile: unknown; teams: string[] }>;

/** A read of Litmos's own API with the test's key, waiting out throttling as any client must. */
export async function litmosGet<T>(sandbox: RunningSandbox, path: string): Promise<T> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const response = await fetch(`${sandbox.litmos.baseUrl}${path}?source=tests&format=json&limit=1000`, {
      headers: { apikey: SANDBOX_CREDENTIALS.litmos.apiKey, [QUIET_HEADER]: '1' },
    });
    if (response.status === 200) return (await response.json()) as T;
    if (response.status !== 503) throw new Error(`Litmos ${path}: ${response.status}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`Litmos ${path}: still throttled`);
}

/**
 * Every Litmos user as the vendor's API shows it: the full profile (title, phones, address too) and
 * every team, active or not. A blank member reads as null: Litmos's clients clear a field by writing
 * `""` (there is no writing null back), and a blank is what the gateway treats as absent.
 */
export async function litmosState(sandbox: RunningSandbox): Promise<LitmosState> {
  const state: LitmosState = new Map();
  for (const user of await litmos(sandbox).users()) {
    const teams = await litmosGet<{ Id: string }[]>(sandbox, `/users/${user.Id}/teams`);
    const profile = await litmosGet<Record<string, unknown>>(sandbox, `/users/${user.Id}`);
    const blankAsNull = Object.fromEntries(Object.entries(profile).map(([member, value]) => [member, value === '' ? null : value]));
    state.set(user.Id, { profile: blankAsNull, teams: teams.map((team) => team.Id).sort() });
  }
  return state;
}
