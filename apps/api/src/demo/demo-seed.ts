import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import pg from 'pg';
import {
  ContactsService,
  DEMO_ORGANIZATIONS,
  generateDemoContacts,
  withSharedPublic,
  type CreateContactInput,
  type DemoContact,
  type Language,
  ConsentPurpose,
  ConsentState,
  ConsentStatus,
  LegalBasis,
  ImpliedConsentReason,
} from '@app/contacts';
import { logger } from '@app/common';
import { TenantContexts, TenantDb } from '@app/database';
import { generateDemoInteractions, InteractionsService, MAX_INTERACTIONS_PER_CALL } from '@app/engagement';
import { AudienceKind, AudiencesService } from '@app/audiences';
import { DemoCampaigns } from '@app/campaigns';
import { PoolPurpose, PoolsService, SharedSegmentsService } from '@app/pools';
import { OrganizationsService } from '@app/tenancy';

export const DEMO_CONTACTS_PER_ORGANIZATION = 2000;
/** The seed of the people the demo organizations share (demo-shared-public.ts). */
const SHARED_PUBLIC_SEED = 2026;
export const DEMO_POOL_NAME = "Réseau des diffuseurs de l'Est";

export interface DemoKey {
  organization: string;
  token: string;
}

/**
 * On an empty database: three demo organizations with ~2,000 contacts each (about a third of them the same people in
 * two or three organizations, as in a real region), written through ContactsService (so normalization applies), and
 * what they did over two seasons (InteractionsService); then a pool of the three, each sharing its newsletter
 * subscribers; and two past campaigns of each to those subscribers, with their opens, clicks and the tickets bought
 * after them (campaignStats shows at once). Their owners' keys are kept in <data folder>/demo-keys.json so later starts can print them.
 */
export async function seedDemoIfEmpty(
  ownerUrl: string,
  app: INestApplicationContext,
  dataDir: string,
): Promise<DemoKey[]> {
  const keysFile = path.join(path.dirname(path.resolve(dataDir)), 'demo-keys.json');
  if (!(await isEmpty(ownerUrl))) {
    return readFile(keysFile, 'utf8').then(
      (text) => JSON.parse(text) as DemoKey[],
      () => [],
    );
  }
  const organizations = app.get(OrganizationsService);
  const contacts = app.get(ContactsService);
  const interactions = app.get(InteractionsService);
  const db = app.get(TenantDb);
  const keys: DemoKey[] = [];
  const members: DemoMember[] = [];
  for (const [i, demo] of DEMO_ORGANIZATIONS.entries()) {
    const started = Date.now();
    const created = await organizations.create(demo.name, demo.ownerEmail, demo.ownerName);
    const ids: string[] = [];
    await TenantContexts.run({ orgId: created.organization.id }, () =>
      db.transaction(async () => {
        const own = generateDemoContacts(demo, DEMO_CONTACTS_PER_ORGANIZATION, i + 1);
        for (const contact of withSharedPublic(i, own, SHARED_PUBLIC_SEED))
          ids.push((await contacts.create(toInput(contact))).id);
        const records = generateDemoInteractions(ids, i + 1);
        for (let start = 0; start < records.length; start += MAX_INTERACTIONS_PER_CALL) {
          await interactions.record(records.slice(start, start + MAX_INTERACTIONS_PER_CALL));
        }
      }),
    );
    keys.push({ organization: demo.name, token: created.token });
    members.push({ orgId: created.organization.id, userId: created.owner.userId, contactIds: ids });
    logger.info(
      { organization: demo.name, contacts: DEMO_CONTACTS_PER_ORGANIZATION, ms: Date.now() - started },
      'demo organization seeded',
    );
  }
  const newsletters = await seedDemoPool(app, members);
  const campaigns = app.get(DemoCampaigns);
  for (const [i, member] of members.entries()) {
    const messages = await TenantContexts.run({ orgId: member.orgId, userId: member.userId }, () =>
      db.transaction((tx) =>
        campaigns.seed(tx, {
          organization: DEMO_ORGANIZATIONS[i],
          audienceId: newsletters[i],
          contactIds: member.contactIds,
          seed: i + 1,
        }),
      ),
    );
    logger.info({ organization: DEMO_ORGANIZATIONS[i].name, messages }, 'demo campaigns seeded');
  }
  await mkdir(path.dirname(keysFile), { recursive: true });
  await writeFile(keysFile, JSON.stringify(keys, null, 2), { mode: 0o600 });
  return keys;
}

interface DemoMember {
  orgId: string;
  userId: string;
  contactIds: readonly string[];
}

/**
 * The first demo organization stewards a pool of the three; each shares a dynamic audience of its newsletter
 * subscribers (materialized by its refresh job; the pool follows by the pools' sync job, within seconds of start).
 * Returns each member's newsletter audience id, in the members' order.
 */
async function seedDemoPool(app: INestApplicationContext, [steward, ...others]: DemoMember[]): Promise<string[]> {
  const pools = app.get(PoolsService);
  const audiences = app.get(AudiencesService);
  const segments = app.get(SharedSegmentsService);
  const as = <T>(member: DemoMember, work: () => Promise<T>) =>
    TenantContexts.run({ orgId: member.orgId, userId: member.userId }, work);
  const pool = await as(steward, () =>
    pools.create({
      name: DEMO_POOL_NAME,
      description: 'Diffuseurs et musées qui comparent leurs publics et se font connaître les uns des autres.',
      purposes: [PoolPurpose.AUDIENCE_RESEARCH, PoolPurpose.CROSS_PROMOTION],
      minGroupSize: 10,
    }),
  );
  for (const member of others) {
    await as(steward, () => pools.invite(pool.id, member.orgId));
    await as(member, () => pools.accept(pool.id));
  }
  const newsletters: string[] = [];
  for (const member of [steward, ...others]) {
    await as(member, async () => {
      const audience = await audiences.create({
        name: 'Abonnés à l’infolettre',
        description: 'Les personnes qui reçoivent notre infolettre.',
        kind: AudienceKind.DYNAMIC,
        rule: { consent: { purpose: ConsentPurpose.EMAIL_MARKETING, states: [ConsentState.GRANTED] } },
      });
      newsletters.push(audience.id);
      await segments.share({
        audienceId: audience.id,
        poolId: pool.id,
        purpose: PoolPurpose.CROSS_PROMOTION,
        description: 'Nos abonnés à l’infolettre, pour des promotions croisées entre membres du réseau.',
      });
    });
  }
  logger.info({ pool: DEMO_POOL_NAME, members: others.length + 1 }, 'demo pool seeded');
  return newsletters;
}

/** No user yet. (users is not FORCEd, so its owner sees every row.) */
async function isEmpty(ownerUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM users) AS any');
    return !rows[0].any;
  } finally {
    await client.end();
  }
}

function toInput(contact: DemoContact): CreateContactInput {
  return {
    ...contact,
    preferredLanguage: contact.preferredLanguage as Language,
    consents: contact.consents.map((consent) => ({
      ...consent,
      purpose: consent.purpose as ConsentPurpose,
      status: consent.status as ConsentStatus,
      legalBasis: consent.legalBasis as LegalBasis | null,
      impliedReason: consent.impliedReason as ImpliedConsentReason | null,
    })),
  };
}
