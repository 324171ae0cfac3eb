import { type LoadResult, loadAudienceData } from '../audiences/audience-data.js';
import { log, n } from '../support/run.js';
import type { AppStack } from '../support/stack.js';

/**
 * The people a campaign benchmark sends to, loaded with COPY as the owner: the audiences benchmark's contacts and
 * EMAIL_MARKETING consents (audience-data.ts: 78% of those with an email granted it, 55% of them expressly, the others
 * by implication, some expired; 12% withdrew later; about 10% have no email), no interactions, then:
 * - 1% of the contacts with an email have it marked bounced;
 * - 0.5% share their address with others (one of contacts / 200 addresses, in upper or lower case), besides the
 *   generator's own duplicate people: duplicate addresses;
 * - a STATIC audience of `members` contacts drawn at random, and an excluded STATIC audience of `excluded` contacts,
 *   half of them members of the first. Both created over GraphQL, their members written with SQL.
 */
export interface CampaignData {
  audienceId: string;
  excludedAudienceId: string;
  loaded: LoadResult;
  seconds: number;
}

export interface CampaignDataSizes {
  contacts: number;
  members: number;
  excluded: number;
}

const CREATE_AUDIENCE = 'mutation($input: CreateAudienceInput!) { createAudience(input: $input) { id } }';

export async function loadCampaignData(stack: AppStack, sizes: CampaignDataSizes): Promise<CampaignData> {
  const started = performance.now();
  const { owner, orgId } = stack;
  log(`Loading ${n(sizes.contacts)} contacts and their consents with COPY...`);
  const loaded = await loadAudienceData(
    owner,
    orgId,
    { contacts: sizes.contacts, interactions: 0, now: new Date() },
    log,
  );

  const audience = async (name: string) =>
    (await stack.gql<{ createAudience: { id: string } }>(CREATE_AUDIENCE, { input: { name, kind: 'STATIC' } }))
      .createAudience.id;
  const audienceId = await audience('Infolettre — liste principale');
  const excludedAudienceId = await audience('Ne pas solliciter');

  // without triggers (session_replication_role = replica): no search-token rework, no audience sync of 100,000 rows
  await owner.query('SET session_replication_role = replica');
  try {
    await owner.query(
      `UPDATE contacts SET bounced_email = email, bounced_at = now() - interval '30 days'
        WHERE org_id = $1 AND email IS NOT NULL AND abs(hashtext(id::text)) % 100 = 0`,
      [orgId],
    );
    await owner.query(
      `UPDATE contacts
          SET email = CASE WHEN abs(hashtext(id::text || 'c')) % 2 = 0 THEN 'Partage' ELSE 'partage' END
                      || abs(hashtext(id::text || 'd')) % $2 || '@example.org'
        WHERE org_id = $1 AND email IS NOT NULL AND abs(hashtext(id::text)) % 200 = 1`,
      [orgId, Math.max(5, Math.floor(sizes.contacts / 200))],
    );
    await owner.query(
      `INSERT INTO audience_members (org_id, audience_id, contact_id)
       SELECT $1::uuid, $2::uuid, id FROM contacts WHERE org_id = $1 ORDER BY md5(id::text) LIMIT $3`,
      [orgId, audienceId, sizes.members],
    );
    // half among the members, half among the others
    await owner.query(
      `INSERT INTO audience_members (org_id, audience_id, contact_id)
       (SELECT $1::uuid, $2::uuid, contact_id FROM audience_members WHERE org_id = $1 AND audience_id = $3
         ORDER BY md5(contact_id::text || 'x') LIMIT $4)
       UNION ALL
       (SELECT $1::uuid, $2::uuid, c.id FROM contacts c WHERE c.org_id = $1
           AND NOT EXISTS (SELECT 1 FROM audience_members m WHERE m.org_id = $1 AND m.audience_id = $3 AND m.contact_id = c.id)
         ORDER BY md5(c.id::text || 'x') LIMIT $5)`,
      [orgId, excludedAudienceId, audienceId, Math.floor(sizes.excluded / 2), Math.ceil(sizes.excluded / 2)],
    );
  } finally {
    await owner.query('RESET session_replication_role');
  }
  log('  VACUUM (ANALYZE)...');
  await owner.query('VACUUM (ANALYZE)');
  return { audienceId, excludedAudienceId, loaded, seconds: (performance.now() - started) / 1000 };
}
