/**
 * The access flag's field, checked against the HR system before a policy naming it is stored. A name
 * HR has no such field for is refused with the fields it could have meant: saved as it is, it would
 * fail every run (or, read loosely, turn everyone's flag off).
 */
import { bambooHrAccessFlagKey } from '../../datasources/bamboohr/client.js';
import type { UpstreamClient } from '../../datasources/http.js';
import { parseFields } from '../../datasources/namely/payload.js';
import { BadUserInputError, ConfigError } from '../../errors.js';
import type { Source } from '../../model.js';
import type { Tenant } from '../../tenant.js';

const FIELD = 'accessFlag.fieldName';

/** Namely's flag is a Yes/No select; the client reads it as "Yes" or not, so no other type can hold it. */
const NAMELY_FLAG_TYPES = new Set(['select']);

/**
 * BambooHR's own lookup (the one every read makes), so the refusal here and a run's failure when the
 * field has since gone say the same thing; only the code differs, as here it is the caller's input.
 */
async function checkBambooHr(http: UpstreamClient, fieldName: string): Promise<void> {
  try {
    await bambooHrAccessFlagKey(http, fieldName);
  } catch (error) {
    if (error instanceof ConfigError && error.details.field === FIELD) throw new BadUserInputError(error.message, error.details);
    throw error;
  }
}

/** Matched as the Namely client matches labels: ignoring case and surrounding blanks. */
async function checkNamely(http: UpstreamClient, fieldName: string): Promise<void> {
  const fields = parseFields((await http.request({ method: 'GET', path: '/profiles/fields' })).body);
  const wanted = fieldName.trim().toLowerCase();
  const field = fields.find((candidate) => candidate.label.trim().toLowerCase() === wanted);
  if (field && NAMELY_FLAG_TYPES.has(field.type)) return;
  const candidates = fields.filter((candidate) => NAMELY_FLAG_TYPES.has(candidate.type)).map((candidate) => candidate.label);
  const problem = field
    ? `Namely's profile field ${JSON.stringify(field.label)} is a ${field.type} field, not a Yes/No select, so it cannot hold the access flag`
    : `Namely has no profile field labelled ${JSON.stringify(fieldName)} to read the access flag from`;
  const choice =
    candidates.length > 0
      ? `its select fields are ${candidates.map((label) => JSON.stringify(label)).join(', ')}`
      : 'it has no select fields; create a Yes/No one';
  throw new BadUserInputError(`${problem}; ${choice}`, { field: FIELD, received: fieldName, candidates });
}

/** Throws `BadUserInputError` (with `candidates`) unless `source`'s HR system has a field by that name able to hold the flag. */
export async function checkAccessFlagField(tenant: Tenant, source: Source, fieldName: string): Promise<void> {
  const http = source === 'BAMBOOHR' ? tenant.http.bamboohr : tenant.http.namely;
  if (!http) throw new BadUserInputError(`${source} is not connected for this tenant, so its fields cannot be checked`, { field: FIELD, source });
  return source === 'BAMBOOHR' ? checkBambooHr(http, fieldName) : checkNamely(http, fieldName);
}
