import { type ContactToMatch, toMatchRecord } from '@app/dedup';
import { type DedupQuality, measureQuality } from './held-out-sets.js';
import type { JobRunState } from '../support/http.js';
import { sampleRss } from '../support/measurements.js';
import { BenchFailure } from '../support/run.js';
import { AppStack } from '../support/stack.js';

/** The custom attribute holding each record's truth label: imported, never read by matching. */
export const TRUTH_ATTRIBUTE = 'eval_truth';

/** What eval:dedup and bench:dedup share: the app stack, and the truth-label attribute. */
export class DedupStack extends AppStack {
  static async start(prefix: string): Promise<DedupStack> {
    // the worker's "dedup run" line says where a run's time went (phases)
    const stack = (await DedupStack.open(prefix, { LOG_LEVEL: 'info' })) as DedupStack;
    await stack.defineTruthAttribute();
    return stack;
  }

  private async defineTruthAttribute(): Promise<void> {
    await this.gql(`mutation($input: DefineAttributeInput!) { defineAttribute(input: $input) { key } }`, {
      input: { key: TRUTH_ATTRIBUTE, label: 'Evaluation truth label', type: 'TEXT' },
    });
  }

  /** Goes on in a new organization of the same database, API and worker: no contacts, default settings, nothing learned. */
  async newOrganization(name: string): Promise<void> {
    this.useOrganization(await this.addOrganization(name));
    await this.defineTruthAttribute();
  }

  /** Imports a contacts file as it is (every row a contact, no dedup run), the truth column into the truth attribute. */
  async importContacts(file: string, truthColumn: string, options: Record<string, string> = {}): Promise<JobRunState> {
    const { mapping, ...rest } = options;
    return this.importFile('/imports', file, {
      strategy: 'CREATE_ALL',
      dedup: 'false',
      keepBadDates: 'true',
      mapping: [`${truthColumn}=attributes.${TRUTH_ATTRIBUTE}`, ...(mapping ? [mapping] : [])].join(','),
      ...rest,
    });
  }

  /**
   * Starts a dedup run and waits for it: its counts, its wall time, the worker's peak RSS meanwhile, and the phases
   * the worker logged (catch-up, loading and comparing, scoring, saving: ms).
   */
  async dedup(
    args: string,
  ): Promise<{ run: JobRunState; seconds: number; workerPeakRssMb: number; phases: Record<string, number> }> {
    const rss = sampleRss(this.worker.child.pid ?? 0, 50);
    const started = performance.now();
    const { startDedupRun } = await this.gql<{ startDedupRun: { id: string } }>(
      `mutation { startDedupRun(${args}) { id } }`,
    );
    const run = await this.finished(startDedupRun.id);
    const seconds = (performance.now() - started) / 1000;
    rss.stop();
    if (run.status !== 'SUCCEEDED') throw new BenchFailure(`Dedup run ${run.status}: ${JSON.stringify(run.errors)}`);
    return {
      run,
      seconds,
      workerPeakRssMb: Math.round(rss.peak() / 1024 / 1024),
      phases: this.dedupPhases(startDedupRun.id),
    };
  }

  private dedupPhases(jobRunId: string): Record<string, number> {
    const line = this.worker
      .output()
      .split('\n')
      .find((text) => text.includes('"dedup run"') && text.includes(jobRunId));
    if (!line) return {};
    const logged = JSON.parse(line) as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(logged).filter(
        (entry): entry is [string, number] => entry[0].endsWith('Ms') && typeof entry[1] === 'number',
      ),
    );
  }

  /**
   * Quality of what the runs stored, read as the owner (no row-level security): labels from the truth attribute
   * (`truthPattern`'s group when given), blocking recall from the same blocking on the same records, and precision,
   * recall and F1 at each threshold over the clusters the stored pairs form.
   */
  async quality(truthPattern: RegExp | null): Promise<DedupQuality> {
    const { rows: contacts } = await this.owner.query<ContactToMatch & { truth: string | null }>(
      `SELECT id, first_name AS "firstName", last_name AS "lastName", email, phone, address_line1 AS "addressLine1", address_line2 AS "addressLine2",
              city, postal_code AS "postalCode", coalesce(to_char(birth_date, 'YYYY-MM-DD'), entered->>'birthDate') AS "birthDate",
              attributes->>'${TRUTH_ATTRIBUTE}' AS truth
         FROM contacts WHERE org_id = $1 ORDER BY id`,
      [this.orgId],
    );
    const labels = contacts.map((contact) => {
      if (!truthPattern) return contact.truth ?? contact.id;
      const match = truthPattern.exec(contact.truth ?? '');
      if (!match?.[1]) throw new BenchFailure(`--truth-pattern does not match the truth value "${contact.truth}"`);
      return match[1];
    });
    const index = new Map(contacts.map((contact, i) => [contact.id, i]));
    const { rows: stored } = await this.owner.query<{ a: string; b: string; score: number }>(
      `SELECT contact_a AS a, contact_b AS b, score FROM duplicate_candidates WHERE org_id = $1 AND status = 'PENDING'`,
      [this.orgId],
    );
    const pairs = stored.map((pair) => ({ a: index.get(pair.a)!, b: index.get(pair.b)!, score: pair.score }));
    const { dedupSettings } = await this.gql<{
      dedupSettings: { autoMergeThreshold: number; reviewThreshold: number };
    }>(`{ dedupSettings { autoMergeThreshold reviewThreshold } }`);
    return measureQuality(contacts.map(toMatchRecord), labels, pairs, {
      review: dedupSettings.reviewThreshold,
      autoMerge: dedupSettings.autoMergeThreshold,
    });
  }
}
