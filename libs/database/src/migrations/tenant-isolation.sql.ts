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
      USING (org_id = crm_current_org())
      WITH CHECK (org_id = crm_current_org());
  `;
}
