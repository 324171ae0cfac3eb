import { setTimeout as sleep } from 'node:timers/promises';
import { candidatesSql } from '@app/campaigns';
import { SqlParams } from '@app/database';
import { JobName } from '@app/jobs';
import { BenchFailure, log, n } from '../support/run.js';
import type { AppStack } from '../support/stack.js';
import { asApp } from '../support/tenant.js';
import { executionMs, planGist } from '../support/timings.js';
import type { CampaignData } from './campaign-data.js';

export const SNAPSHOT_TARGET_MS = 5_000;
/** The organization's frequency cap (the example): the snapshot checks it for every candidate. */
const CAP = { count: 3, days: 7 };
const POLL_MS = 20;
const TIMEOUT_MS = 30 * 60_000;

const SENDER = 'mutation($input: SenderIdentityInput!) { createSenderIdentity(input: $input) { id } }';
const SETTINGS =
  'mutation($input: CampaignSettingsInput!) { setCampaignSettings(input: $input) { frequencyCapCount } }';
const CREATE = 'mutation($input: CampaignInput!) { createCampaign(input: $input) { id } }';
const SCHEDULE = 'mutation($id: ID!) { scheduleCampaign(id: $id) { status } }';

/** A newsletter of a realistic size: merge fields, five links, a few kilobytes a language. */
function variant(language: 'FR' | 'EN') {
  const fr = language === 'FR';
  const paragraph = fr
    ? '<p>La saison se poursuit avec des créations, des reprises attendues et des rencontres après les représentations. Les abonnés profitent de places réservées jusqu’à la veille.</p>'
    : '<p>The season goes on with new works, long-awaited revivals and talks after the shows. Subscribers keep their reserved seats until the day before.</p>';
  const links = ['programmation', 'billets', 'abonnements', 'don', 'nouvelles'].map(
    (page, i) =>
      `<li><a href="https://theatre.example/${fr ? 'fr' : 'en'}/${page}?utm_campaign=bench">${i + 1}. ${page}</a></li>`,
  );
  return {
    language,
    subject: fr ? 'Votre saison, {{firstName|cher public}}' : 'Your season, {{firstName|dear friend}}',
    html: `<h1>${fr ? 'Bonjour' : 'Hello'} {{firstName|ami}} {{lastName}}</h1>${paragraph.repeat(6)}<p>{{city|Québec}}</p><ul>${links.join('')}</ul>`,
    text: null,
  };
}

export interface SnapshotResult {
  campaignId: string;
  recipients: number;
  excluded: Record<string, number>;
  /** From the scheduleCampaign request to the snapshot run seen SUCCEEDED (polled every 20 ms). */
  totalMs: number;
  /** The run's queue wait and its own time (job_runs: created → started → finished): its transaction, nearly all. */
  waitMs: number;
  runMs: number;
}

export interface CandidatesPlan {
  ms: number | null;
  plan: string[];
}

/**
 * EXPLAIN ANALYZE of the campaign's recipients statement (candidatesSql, as CampaignRecipients.take runs it: a tenant
 * transaction, no parallel workers), rolled back. Run once the dispatch has been measured: not to slow it.
 */
export async function explainCandidates(
  stack: AppStack,
  data: CampaignData,
  campaignId: string,
): Promise<CandidatesPlan> {
  // the statement of CampaignRecipients.take, with the campaign's rules, as the application role
  const params = new SqlParams();
  const sql = candidatesSql(
    {
      campaignId,
      include: [data.audienceId],
      exclude: [data.excludedAudienceId],
      languages: ['fr', 'en'],
      defaultLanguage: 'fr',
      cap: CAP,
      partnerSharing: false,
    },
    params,
  );
  const { rows } = await asApp<{ 'QUERY PLAN': string }>(
    stack.owner,
    stack.orgId,
    `EXPLAIN (ANALYZE, BUFFERS) ${sql}`,
    params.values,
    { parallel: false },
  );
  const plan = rows.map((row) => row['QUERY PLAN']);
  const candidatesMs = executionMs(plan);
  log(`  candidates statement: ${candidatesMs === null ? '?' : Math.round(candidatesMs)} ms`);
  for (const line of planGist(plan, 0.1, 25)) log(`    ${line}`);
  return { ms: candidatesMs, plan };
}

/**
 * A sender, the frequency cap, a campaign to `data`'s audience minus its excluded one (sendRate 100,000 a minute: the
 * rate is never the limit) over GraphQL; then scheduleCampaign and the time until its snapshot run has SUCCEEDED
 * (its dispatch starts right after).
 */
export async function snapshotPhase(stack: AppStack, data: CampaignData): Promise<SnapshotResult> {
  const { createSenderIdentity: sender } = await stack.gql<{ createSenderIdentity: { id: string } }>(SENDER, {
    input: {
      fromName: 'Théâtre du banc d’essai',
      fromEmail: 'infolettre@theatre.example',
      replyTo: 'billetterie@theatre.example',
      mailingAddress: '123, rue Principale, Montréal (Québec) H2X 1Y4',
      contactLine: '514 555-0100 · theatre.example',
    },
  });
  await stack.gql(SETTINGS, { input: { frequencyCapCount: CAP.count, frequencyCapDays: CAP.days } });
  const { createCampaign: campaign } = await stack.gql<{ createCampaign: { id: string } }>(CREATE, {
    input: {
      name: 'Lancement de saison',
      senderId: sender.id,
      defaultLanguage: 'FR',
      variants: [variant('FR'), variant('EN')],
      includeAudienceIds: [data.audienceId],
      excludeAudienceIds: [data.excludedAudienceId],
      sendRate: 100_000,
    },
  });

  log('Snapshot: scheduleCampaign → snapshot run SUCCEEDED...');
  const started = performance.now();
  await stack.gql(SCHEDULE, { id: campaign.id });
  const deadline = Date.now() + TIMEOUT_MS;
  let run: { status: string; waitMs: number; runMs: number; counts: Record<string, number> } | undefined;
  for (;;) {
    [run] = (
      await stack.owner.query<NonNullable<typeof run>>(
        `SELECT status, extract(epoch FROM started_at - created_at) * 1000 AS "waitMs",
                extract(epoch FROM finished_at - started_at) * 1000 AS "runMs", counts
           FROM job_runs WHERE org_id = $1 AND kind = $2 AND payload->>'campaignId' = $3`,
        [stack.orgId, JobName.CAMPAIGN_SNAPSHOT, campaign.id],
      )
    ).rows;
    if (run?.status === 'SUCCEEDED') break;
    if (run && run.status !== 'QUEUED' && run.status !== 'RUNNING')
      throw new BenchFailure(`The snapshot run ${run.status}: ${stack.worker.output().slice(-2000)}`);
    if (Date.now() > deadline) throw new BenchFailure('The snapshot did not finish in time');
    await sleep(POLL_MS);
  }
  const totalMs = performance.now() - started;
  const [{ recipients, exclusions }] = (
    await stack.owner.query<{ recipients: number; exclusions: Record<string, number> }>(
      'SELECT recipients, exclusions FROM campaigns WHERE id = $1',
      [campaign.id],
    )
  ).rows;
  log(
    `  ${Math.round(totalMs)} ms (queue ${Math.round(run.waitMs)} ms, run ${Math.round(run.runMs)} ms): ` +
      `${n(recipients)} recipients, excluded ${JSON.stringify(exclusions)}`,
  );

  return {
    campaignId: campaign.id,
    recipients,
    excluded: exclusions,
    totalMs,
    waitMs: Number(run.waitMs),
    runMs: Number(run.runMs),
  };
}
