/**
 * The tenant as policies read it: a scalar subquery, so that PostgreSQL verifies the tenant claim once per
 * statement (an InitPlan), not once per row (see the tenant-claim migration).
 */
export const TENANT_POLICY_ORG = '(SELECT crm_current_org())';

/**
 * The row-level security every tenant table gets: ENABLEd and FORCEd (so the
 * owner is bound too), one policy for reads and writes on the current tenant.
 * Later migrations call it for each new tenant table.
 */
export function enableTenantIsolation(table: string): string {
  return `
    ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
    ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
    CREATE POLICY tenant_isolation ON ${table}
      USING (org_id = ${TENANT_POLICY_ORG})
      WITH CHECK (org_id = ${TENANT_POLICY_ORG});
  `;
}
