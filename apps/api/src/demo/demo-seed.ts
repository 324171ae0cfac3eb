import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import pg from 'pg';
import {
  ContactsService,
  DEMO_ORGANIZATIONS,
  generateDemoContacts,
  type CreateContactInput,
  type DemoContact,
  type Language,
  ConsentPurpose,
  ConsentStatus,
  LegalBasis,
  ImpliedConsentReason,
} from '@app/contacts';
import { logger } from '@app/common';
import { TenantContexts, TenantDb } from '@app/database';
import { generateDemoInteractions, InteractionsService, MAX_INTERACTIONS_PER_CALL } from '@app/engagement';
import { OrganizationsService } from '@app/tenancy';

export const DEMO_CONTACTS_PER_ORGANIZATION = 2000;

export interface DemoKey {
  organization: string;
  token: string;
}

/**
 * On an empty database: three demo organizations with ~2,000 contacts each,
 * written through ContactsService (so normalization applies), and what they did
 * over two seasons (InteractionsService). Their owners'
 * keys are kept in <data folder>/demo-keys.json so later starts can print them.
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
  for (const [i, demo] of DEMO_ORGANIZATIONS.entries()) {
    const started = Date.now();
    const created = await organizations.create(demo.name, demo.ownerEmail, demo.ownerName);
    await TenantContexts.run({ orgId: created.organization.id }, () =>
      db.transaction(async () => {
        const ids: string[] = [];
        for (const contact of generateDemoContacts(demo, DEMO_CONTACTS_PER_ORGANIZATION, i + 1))
          ids.push((await contacts.create(toInput(contact))).id);
        const records = generateDemoInteractions(ids, i + 1);
        for (let start = 0; start < records.length; start += MAX_INTERACTIONS_PER_CALL) {
          await interactions.record(records.slice(start, start + MAX_INTERACTIONS_PER_CALL));
        }
      }),
    );
    keys.push({ organization: demo.name, token: created.token });
    logger.info(
      { organization: demo.name, contacts: DEMO_CONTACTS_PER_ORGANIZATION, ms: Date.now() - started },
      'demo organization seeded',
    );
  }
  await mkdir(path.dirname(keysFile), { recursive: true });
  await writeFile(keysFile, JSON.stringify(keys, null, 2), { mode: 0o600 });
  return keys;
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
