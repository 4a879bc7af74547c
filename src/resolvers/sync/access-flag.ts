/**
 * The access flag's field, as the HR system has it: the fields able to hold it (for an admin to choose
 * from), and a name checked against them before a policy naming it is stored. A name HR has no such
 * field for is refused with those same fields: saved as it is, it would fail every run (or, read
 * loosely, turn everyone's flag off). Which fields qualify is each vendor's rule, in its folder.
 */
import { bambooHrAccessFlagFields, bambooHrAccessFlagKey } from '../../datasources/bamboohr/client.js';
import type { UpstreamClient } from '../../datasources/http.js';
import { checkNamelyAccessFlagField, namelyAccessFlagFields } from '../../datasources/namely/client.js';
import { BadUserInputError, ConfigError } from '../../errors.js';
import type { Source } from '../../model.js';
import type { Tenant } from '../../tenant.js';

const FIELD = 'accessFlag.fieldName';

interface FlagFields {
  /** The names of the fields able to hold the flag. */
  list(http: UpstreamClient): Promise<string[]>;
  /** Throws a `ConfigError` on `FIELD`, listing `list`'s fields, unless `fieldName` is one of them. */
  check(http: UpstreamClient, fieldName: string): Promise<void>;
}

const VENDORS: Record<Source, FlagFields> = {
  // BambooHR's own lookup (the one every read makes), so the refusal here and a run's failure when
  // the field has since gone say the same thing.
  BAMBOOHR: {
    list: bambooHrAccessFlagFields,
    check: async (http, fieldName) => {
      await bambooHrAccessFlagKey(http, fieldName);
    },
  },
  NAMELY: { list: namelyAccessFlagFields, check: checkNamelyAccessFlagField },
};

function connected(tenant: Tenant, source: Source): UpstreamClient {
  const http = source === 'BAMBOOHR' ? tenant.http.bamboohr : tenant.http.namely;
  if (!http) throw new BadUserInputError(`${source} is not connected for this tenant, so its fields cannot be read`, { field: 'source', source });
  return http;
}

/** The names of `source`'s fields able to hold the flag, as its HR system has them now. */
export function listAccessFlagFields(tenant: Tenant, source: Source): Promise<string[]> {
  return VENDORS[source].list(connected(tenant, source));
}

/** Throws `BadUserInputError` (with `candidates`: `listAccessFlagFields`) unless `source`'s HR system has a field by that name able to hold the flag. */
export async function checkAccessFlagField(tenant: Tenant, source: Source, fieldName: string): Promise<void> {
  try {
    await VENDORS[source].check(connected(tenant, source), fieldName);
  } catch (error) {
    // Only the code differs from a run's failure: here the name is the caller's input.
    if (error instanceof ConfigError && error.details.field === FIELD) throw new BadUserInputError(error.message, error.details);
    throw error;
  }
}
