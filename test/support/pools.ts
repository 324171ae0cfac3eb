import type { GraphqlResponse, TestApi } from './test-app.js';

/** The GraphQL the pool specs share: a pool of organizations and the static audiences they share. */
export const POOL_GQL = {
  CREATE_POOL: `mutation($input: CreatePoolInput!) { createPool(input: $input) { id } }`,
  INVITE: `mutation($poolId: ID!, $organizationId: ID!) { invitePoolMember(poolId: $poolId, organizationId: $organizationId) { id } }`,
  ACCEPT: `mutation($poolId: ID!) { acceptPoolInvitation(poolId: $poolId) { id } }`,
  CREATE_CONTACT: `mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`,
  CREATE_AUDIENCE: `mutation($input: CreateAudienceInput!) { createAudience(input: $input) { id } }`,
  ADD: `mutation($id: ID!, $target: AudienceMembersTargetInput!) { addAudienceMembers(id: $id, target: $target) { size } }`,
};

/** An organization of a pool spec: its id, name and its owner's key. */
export interface PoolOrg {
  id: string;
  name: string;
  owner: string;
}

/** The first error's code and field. */
export const errorOf = (response: GraphqlResponse) => ({
  code: response.errors?.[0]?.extensions?.code,
  field: response.errors?.[0]?.extensions?.field,
});

export async function poolOrganization(api: TestApi, name: string): Promise<PoolOrg> {
  const created = await api.createOrganization(name);
  return { id: created.organization.id, name: created.organization.name, owner: created.token };
}

/** A pool `steward` creates (`input`: CreatePoolInput), which `members` join; its id. */
export async function poolOf(
  api: TestApi,
  steward: PoolOrg,
  members: PoolOrg[],
  input: Record<string, unknown>,
): Promise<string> {
  const { createPool } = await api.ok<any>(steward.owner, POOL_GQL.CREATE_POOL, { input });
  for (const member of members) {
    await api.ok(steward.owner, POOL_GQL.INVITE, { poolId: createPool.id, organizationId: member.id });
    await api.ok(member.owner, POOL_GQL.ACCEPT, { poolId: createPool.id });
  }
  return createPool.id as string;
}

/** Contacts of `org` (CreateContactInput each) in a new STATIC audience named `name`; its id and the contacts' ids. */
export async function staticAudience(
  api: TestApi,
  org: PoolOrg,
  name: string,
  contacts: Record<string, unknown>[],
): Promise<{ id: string; contacts: string[] }> {
  const ids: string[] = [];
  for (const input of contacts)
    ids.push((await api.ok<any>(org.owner, POOL_GQL.CREATE_CONTACT, { input })).createContact.id);
  const { createAudience } = await api.ok<any>(org.owner, POOL_GQL.CREATE_AUDIENCE, {
    input: { name, kind: 'STATIC' },
  });
  await api.ok(org.owner, POOL_GQL.ADD, { id: createAudience.id, target: { ids } });
  return { id: createAudience.id as string, contacts: ids };
}
