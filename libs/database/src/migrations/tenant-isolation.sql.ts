/**
 * What every tenant policy asks of a row: its organization is the claim's, and the claim's signature checks out
 * (a one-time filter per statement; see the tenant-claim migration).
 */
export const TENANT_POLICY = (column: string): string =>
  `${column} = crm_current_org() AND (SELECT crm_tenant_verified())`;

/**
 * The row-level security every tenant table gets: ENABLEd and FORCEd (so the
 * owner is bound too), one policy for reads and writes on the current tenant.
 * This is the form of the migrations before the tenant claim (which rewrites
 * their policies); a table created after it takes TENANT_POLICY, and the
 * isolation test refuses a policy without it.
 */
export function enableTenantIsolation(table: string): string {
  return `
    ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
    ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
    CREATE POLICY tenant_isolation ON ${table}
      USING (org_id = crm_current_org())
      WITH CHECK (org_id = crm_current_org());
  `;
}
