/**
 * Key layout: `tenant:<t>:<kind>:<part>…` for tenant state, `<kind>:<part>…` for the few global
 * lookups (API tokens are presented without a tenant). Every segment is URI-encoded, so an id that
 * contains ':' cannot spell another tenant's key.
 */
export function tenantKey(tenant: string, kind: string, ...parts: string[]): string {
  return ['tenant', tenant, kind, ...parts].map(encodeURIComponent).join(':');
}

export function globalKey(kind: string, ...parts: string[]): string {
  return [kind, ...parts].map(encodeURIComponent).join(':');
}
