import 'reflect-metadata';
import { setTimeout as sleep } from 'node:timers/promises';
import { compileRule, type RuleContext } from '@app/audiences';
import { logger } from '@app/common';
import { SqlParams } from '@app/database';
import { BUILT_IN_TERMS, TermKind, Vocabulary } from '@app/engagement';
import { JobName } from '@app/jobs';
import { postgresVersion } from '../support/database.js';
import { type CpuSnapshot, cpuBetween, cpuSnapshot, machine } from '../support/measurements.js';
import { BenchFailure, countOptions, log, n, runBench, SMOKE, writeBenchmarksSection } from '../support/run.js';
import { AppStack } from '../support/stack.js';
import { asApp } from '../support/tenant.js';
import { CONTACT_SOURCE, type LoadResult, loadAudienceData } from './audience-data.js';
import { executionMs, planGist, type Summary, summarize } from '../support/timings.js';

const SECTION_TITLE = '## Audiences (`npm run bench:audiences`)';
const TARGET_MS = { materialize: 2_000, preview: 300, incremental: 1_000 };
/** Contacts changed by each incremental run. */
const CHANGED = SMOKE ? 20 : 1_000;
const POLL_MS = 10;
const WAIT_TIMEOUT_MS = 30 * 60_000;

type Rule = Record<string, unknown>;

/**
 * Montréal and Laval (regions from the postal code), email consent, and two tickets to dance, theatre or circus bought
 * in the last year. Dance alone is too rare in the generated data (a few hundredths of a percent of the contacts
 * buy two dance tickets a year): with the stage arts together the audience is about 0.3% of the contacts.
 */
const MAIN_NAME = 'Arts de la scène — Montréal et Laval';
const MAIN_RULE: Rule = {
  and: [
    { field: { field: 'REGION', in: ['Montréal', 'Laval'] } },
    { consent: { purpose: 'EMAIL_MARKETING', states: ['GRANTED'] } },
    {
      interactions: {
        filter: { types: ['TICKET_PURCHASE'], disciplines: ['DANCE', 'THEATRE', 'CIRCUS'] },
        withinLastDays: 365,
        comparison: 'AT_LEAST',
        value: 2,
      },
    },
  ],
};

/** The tag the incremental runs add; the "Relances" audiences select it. */
const RELANCE = 'relance';

/** The other dynamic audiences defined during the incremental runs: each kind of condition, `mainId` for inAudience. */
function otherAudiences(mainId: string): { name: string; rule: Rule }[] {
  return [
    {
      name: 'Abonnés francophones',
      rule: { and: [{ tags: { any: ['abonné'] } }, { field: { field: 'PREFERRED_LANGUAGE', equals: 'fr' } }] },
    },
    {
      name: 'Grands donateurs (2 ans)',
      rule: {
        interactions: {
          measure: 'AMOUNT_CENTS',
          filter: { types: ['DONATION'] },
          withinLastDays: 730,
          comparison: 'AT_LEAST',
          value: 50_000,
        },
      },
    },
    { name: 'Fidèles (fréquence ≥ 3)', rule: { score: { score: 'FREQUENCY', comparison: 'AT_LEAST', value: 3 } } },
    {
      name: 'Consentants sans ouverture (6 mois)',
      rule: {
        and: [
          { consent: { purpose: 'EMAIL_MARKETING', states: ['GRANTED'] } },
          {
            interactions: { filter: { types: ['EMAIL_OPENED'] }, withinLastDays: 183, comparison: 'EXACTLY', value: 0 },
          },
        ],
      },
    },
    {
      name: 'Région de Québec, sauf VIP',
      rule: {
        and: [
          {
            or: [
              { field: { field: 'CITY', in: ['Québec', 'Lévis'] } },
              { field: { field: 'REGION', equals: 'Capitale-Nationale' } },
            ],
          },
          { not: { tags: { any: ['VIP'] } } },
        ],
      },
    },
    {
      name: 'Acheteurs récents (90 jours)',
      rule: {
        interactions: { filter: { types: ['TICKET_PURCHASE'] }, withinLastDays: 90, comparison: 'AT_LEAST', value: 1 },
      },
    },
    { name: 'Relances', rule: { tags: { any: [RELANCE] } } },
    { name: 'Relances des arts de la scène', rule: { and: [{ inAudience: mainId }, { tags: { any: [RELANCE] } }] } },
  ];
}

const AUDIENCE_FIELDS = 'id name status size';
const CREATE = `mutation($input: CreateAudienceInput!) { createAudience(input: $input) { ${AUDIENCE_FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateAudienceInput!) { updateAudience(id: $id, input: $input) { ${AUDIENCE_FIELDS} } }`;
const AUDIENCE = `query($id: ID!) { audience(id: $id) { ${AUDIENCE_FIELDS} } }`;
const AUDIENCES = `query { audiences { ${AUDIENCE_FIELDS} rule } }`;
const PREVIEW = 'query($rule: AudienceRuleInput!) { previewAudience(rule: $rule) { count } }';

interface AudienceState {
  id: string;
  name: string;
  status: 'REFRESHING' | 'CURRENT';
  size: number;
}

interface JobTiming {
  /** From the job run's creation to its start: the queue. */
  waitMs: number;
  /** From its start to its end. */
  runMs: number;
  counts: Record<string, number>;
}

interface Materialization {
  totalMs: number;
  job: JobTiming;
  size: number;
}

interface IncrementalRun {
  /** From the mutation's answer until no changed contact is pending: every audience is current. */
  currentMs: number;
  /** ...until no sync is queued or running either (the job run is marked done). */
  idleMs: number;
  /** Sync runs created for the change, with the first one's queue wait and their time. */
  syncs: number;
  firstCreatedMs: number;
  waitMs: number;
  runMs: number;
}

/**
 * `npm run bench:audiences [-- --contacts 1000000 --interactions 10000000 --repeat 5]`: contacts, tags, consents and
 * interactions loaded with COPY (audience-data.ts), then, over GraphQL with the API and the worker as separate
 * processes: (a) a three-condition rule's materialization, from createAudience to status CURRENT, and again after
 * updateAudience; (b) previewAudience's count for the same rule; (c) with nine dynamic audiences, how long after a
 * change of 1,000 contacts (tagContacts, recordInteractions) every audience is current again. EXPLAIN ANALYZE of the
 * statements when a target is missed. Prints one JSON line and replaces the "Audiences" section of BENCHMARKS.md.
 * BENCH_SMOKE=1: 2,000 contacts, 10,000 interactions, one run of each step changing 20 contacts; nothing written.
 */
async function main(): Promise<void> {
  const { contacts, interactions, repeat } = countOptions({
    contacts: [1_000_000, 2_000],
    interactions: [10_000_000, 10_000],
    repeat: [5, 1],
  });
  if (contacts < 3 * CHANGED * repeat)
    throw new BenchFailure(`--contacts must be at least ${n(3 * CHANGED)} × --repeat (${n(3 * CHANGED * repeat)})`);
  const startedAt = new Date();
  const stack = await AppStack.open('crm_bench_audiences');
  const { owner, orgId } = stack;

  log(`Loading ${n(contacts)} contacts and ${n(interactions)} interactions with COPY...`);
  const loaded = await loadAudienceData(owner, orgId, { contacts, interactions, now: startedAt }, log);
  log(`  ${Math.round(loaded.seconds)} s; VACUUM (ANALYZE)...`);
  let started = performance.now();
  await owner.query('VACUUM (ANALYZE)');
  const vacuumSeconds = (performance.now() - started) / 1000;

  const cpu: Record<string, { start: CpuSnapshot; others?: number | null }> = {};
  const phase = async (name: string) => {
    cpu[name] = { start: await cpuSnapshot([stack.api.child.pid!, stack.worker.child.pid!], stack.database) };
  };
  const endPhase = async (name: string) => {
    const between = cpuBetween(
      cpu[name].start,
      await cpuSnapshot([stack.api.child.pid!, stack.worker.child.pid!], stack.database),
    );
    const seconds = (Date.now() - cpu[name].start.at) / 1000;
    cpu[name].others = between.others === null ? null : Math.round((between.others / seconds) * 100) / 100;
  };

  // (a) materialization
  await phase('materialize');
  log(`(a) createAudience → CURRENT, ${repeat} times...`);
  const created: Materialization[] = [];
  let mainId = '';
  for (let run = 0; run < repeat; run++) {
    const name = run === 0 ? MAIN_NAME : `${MAIN_NAME} (${run + 1})`;
    started = performance.now();
    const { createAudience } = await stack.gql<{ createAudience: AudienceState }>(CREATE, {
      input: { name, kind: 'DYNAMIC', rule: MAIN_RULE },
    });
    const current = await untilCurrent(stack, createAudience.id);
    const totalMs = performance.now() - started;
    created.push({ totalMs, job: await refreshJob(stack, createAudience.id), size: current.size });
    log(`  ${Math.round(totalMs)} ms, ${n(current.size)} members`);
    if (run === 0) mainId = createAudience.id;
    else await stack.gql('mutation($id: ID!) { deleteAudience(id: $id) }', { id: createAudience.id });
  }
  log(`(a) updateAudience (same rule) → CURRENT, ${repeat} times...`);
  const updated: Materialization[] = [];
  for (let run = 0; run < repeat; run++) {
    started = performance.now();
    await stack.gql(UPDATE, { id: mainId, input: { rule: MAIN_RULE } });
    const current = await untilCurrent(stack, mainId);
    const totalMs = performance.now() - started;
    updated.push({ totalMs, job: await refreshJob(stack, mainId), size: current.size });
    log(`  ${Math.round(totalMs)} ms`);
  }
  await endPhase('materialize');

  // (b) preview
  await phase('preview');
  log(`(b) previewAudience, 2 warm-up runs and ${repeat} timed...`);
  const previews: number[] = [];
  let previewCount = 0;
  for (let run = -2; run < repeat; run++) {
    started = performance.now();
    const { previewAudience } = await stack.gql<{ previewAudience: { count: number } }>(PREVIEW, { rule: MAIN_RULE });
    if (run >= 0) previews.push(performance.now() - started);
    previewCount = previewAudience.count;
  }
  await endPhase('preview');
  // as previewAudience runs it (one statement that only reads: parallel workers allowed)
  const previewPlan = await explainRule(stack, MAIN_RULE, { parallel: true });

  // (c) incremental
  log('(c) Defining the other dynamic audiences...');
  const others: { name: string; rule: Rule; materialization: Materialization }[] = [];
  for (const { name, rule } of otherAudiences(mainId)) {
    started = performance.now();
    const { createAudience } = await stack.gql<{ createAudience: AudienceState }>(CREATE, {
      input: { name, kind: 'DYNAMIC', rule },
    });
    const current = await untilCurrent(stack, createAudience.id);
    const totalMs = performance.now() - started;
    others.push({
      name,
      rule,
      materialization: { totalMs, job: await refreshJob(stack, createAudience.id), size: current.size },
    });
    log(`  ${name}: ${Math.round(totalMs)} ms, ${n(current.size)} members`);
  }
  const relances = (await audiences(stack)).find((audience) => audience.name === 'Relances')!;

  const { rows: picked } = await owner.query<{ id: string }>(
    'SELECT id FROM contacts WHERE org_id = $1 ORDER BY md5(id::text) LIMIT $2',
    [orgId, 2 * CHANGED * repeat],
  );
  const pickedIds = picked.map((row) => row.id);
  await phase('incremental');
  const tagRuns: IncrementalRun[] = [];
  const interactionRuns: IncrementalRun[] = [];
  let lastTagged: string[] = [];
  for (let run = 0; run < repeat; run++) {
    lastTagged = pickedIds.slice(run * CHANGED, (run + 1) * CHANGED);
    log(`(c) run ${run + 1}: tagContacts on ${n(CHANGED)} contacts...`);
    tagRuns.push(
      await incremental(stack, () =>
        stack.gql(
          'mutation($tags: [String!]!, $target: ContactTargetInput!) { tagContacts(tags: $tags, target: $target) { affected } }',
          { tags: [RELANCE], target: { ids: lastTagged } },
        ),
      ),
    );
    const size = (await audience(stack, relances.id)).size;
    if (size !== (run + 1) * CHANGED)
      throw new BenchFailure(
        `"Relances" has ${n(size)} members after ${run + 1} runs of ${n(CHANGED)} new tags, not ${n((run + 1) * CHANGED)}`,
      );
    log(`  current ${Math.round(tagRuns.at(-1)!.currentMs)} ms after the answer`);

    log(
      `(c) run ${run + 1}: recordInteractions of ${n(CHANGED)} dance tickets (2 for each of ${n(CHANGED / 2)} contacts)...`,
    );
    const buyers = pickedIds.slice((repeat + run) * CHANGED, (repeat + run) * CHANGED + CHANGED / 2);
    const at = Date.now() - 86_400_000;
    const input = buyers.flatMap((id, i) =>
      [0, 1].map((k) => ({
        contact: { id },
        type: 'TICKET_PURCHASE',
        occurredAt: new Date(at - (2 * i + k) * 60_000).toISOString(),
        offering: { id: 'BENCH-DANSE', name: 'Danse : banc d’essai' },
        discipline: 'DANCE',
        venue: 'Place des Arts',
        amountCents: 4_500,
        currency: 'CAD',
        quantity: 1 + k,
        channel: 'web',
        source: CONTACT_SOURCE,
        externalId: `AUD-${run}-${2 * i + k}`,
      })),
    );
    interactionRuns.push(
      await incremental(stack, async () => {
        const { recordInteractions } = await stack.gql<{ recordInteractions: { accepted: number } }>(
          'mutation($input: [InteractionInput!]!) { recordInteractions(input: $input) { accepted } }',
          { input },
        );
        if (recordInteractions.accepted !== input.length)
          throw new BenchFailure(`recordInteractions accepted ${recordInteractions.accepted} of ${input.length}`);
      }),
    );
    log(`  current ${Math.round(interactionRuns.at(-1)!.currentMs)} ms after the answer`);
  }
  await endPhase('incremental');

  log('Checking every audience against a fresh evaluation (previewAudience)...');
  const final = await audiences(stack);
  const mismatches: string[] = [];
  for (const { name, size, rule } of final) {
    const { previewAudience } = await stack.gql<{ previewAudience: { count: number } }>(PREVIEW, { rule });
    if (previewAudience.count !== size)
      mismatches.push(`${name}: ${n(size)} members, the rule selects ${n(previewAudience.count)}`);
  }
  const mainSize = final.find((a) => a.id === mainId)!.size;

  log('EXPLAIN ANALYZE of each rule, over every contact and on the last 1,000 tagged ones; member counts...');
  const diagnoses: Diagnosis[] = [];
  for (const { id, name, rule } of final) {
    const full = await explainRule(stack, rule, { parallel: false });
    const scoped = await explainRule(stack, rule, { parallel: false, scope: lastTagged });
    // what each refresh and each sync also runs for each audience (AudienceMembership.size)
    const { ms: memberCountMs } = await asApp(
      stack.owner,
      stack.orgId,
      'SELECT count(*)::int AS size FROM audience_members WHERE audience_id = $1',
      [id],
    );
    diagnoses.push({
      name,
      fullMs: executionMs(full),
      fullGist: planGist(full),
      scopedMs: executionMs(scoped),
      scopedGist: planGist(scoped),
      memberCountMs,
    });
  }

  const result: Result = {
    contacts,
    interactions,
    repeat,
    loaded,
    vacuumSeconds: Math.round(vacuumSeconds),
    mainSize,
    firstSize: created[0].size,
    previewCount,
    create: summarize(created.map((m) => m.totalMs)),
    createJob: summarize(created.map((m) => m.job.runMs)),
    createWait: summarize(created.map((m) => m.job.waitMs)),
    update: summarize(updated.map((m) => m.totalMs)),
    updateJob: summarize(updated.map((m) => m.job.runMs)),
    preview: summarize(previews),
    tags: incrementalSummary(tagRuns),
    recorded: incrementalSummary(interactionRuns),
    others: others.map((o) => ({
      name: o.name,
      rule: o.rule,
      size: o.materialization.size,
      totalMs: Math.round(o.materialization.totalMs),
      jobMs: Math.round(o.materialization.job.runMs),
    })),
    mismatches,
    previewPlan: { ms: executionMs(previewPlan), gist: planGist(previewPlan) },
    diagnoses,
    otherCores: Object.fromEntries(Object.entries(cpu).map(([name, value]) => [name, value.others ?? null])),
    postgres: await postgresVersion(stack.database.ownerUrl),
    machine: machine(),
  };
  await stack.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await writeBenchmarksSection(SECTION_TITLE, report(result));
}

// --- Waiting ---------------------------------------------------------------------------------------------

function checkAlive(stack: AppStack): void {
  for (const process of [stack.api, stack.worker]) {
    if (process.exited() !== null)
      throw new BenchFailure(`The ${process.name} exited with code ${process.exited()}:\n${process.output()}`);
  }
}

async function audience(stack: AppStack, id: string): Promise<AudienceState> {
  return (await stack.gql<{ audience: AudienceState }>(AUDIENCE, { id })).audience;
}

async function audiences(stack: AppStack): Promise<(AudienceState & { rule: Rule })[]> {
  return (await stack.gql<{ audiences: (AudienceState & { rule: Rule })[] }>(AUDIENCES)).audiences;
}

/** Polls the audience over GraphQL until its status is CURRENT. */
async function untilCurrent(stack: AppStack, id: string): Promise<AudienceState> {
  const deadline = Date.now() + WAIT_TIMEOUT_MS;
  let lastLog = Date.now();
  for (;;) {
    const state = await audience(stack, id);
    if (state.status === 'CURRENT') return state;
    checkAlive(stack);
    if (Date.now() > deadline)
      throw new BenchFailure(`Audience ${state.name} was not CURRENT within ${WAIT_TIMEOUT_MS / 60_000} min`);
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      log('  still REFRESHING...');
    }
    await sleep(POLL_MS);
  }
}

/** The latest refresh job run of the audience, once finished: its queue wait and its own duration (job_runs). */
async function refreshJob(stack: AppStack, audienceId: string): Promise<JobTiming> {
  const deadline = Date.now() + WAIT_TIMEOUT_MS;
  for (;;) {
    const {
      rows: [run],
    } = await stack.owner.query<{ status: string; waitMs: number; runMs: number; counts: Record<string, number> }>(
      `SELECT status, extract(epoch FROM started_at - created_at) * 1000 AS "waitMs", extract(epoch FROM finished_at - started_at) * 1000 AS "runMs", counts
         FROM job_runs WHERE org_id = $1 AND kind = $3 AND payload->>'audienceId' = $2 AND started_at IS NOT NULL
        ORDER BY created_at DESC LIMIT 1`,
      [stack.orgId, audienceId, JobName.REFRESH_AUDIENCE],
    );
    if (run?.status === 'SUCCEEDED')
      return { waitMs: Number(run.waitMs), runMs: Number(run.runMs), counts: run.counts };
    if (run && run.status !== 'RUNNING') throw new BenchFailure(`The refresh of ${audienceId} ended ${run.status}`);
    checkAlive(stack);
    if (Date.now() > deadline)
      throw new BenchFailure(`The refresh of ${audienceId} did not end within ${WAIT_TIMEOUT_MS / 60_000} min`);
    await sleep(POLL_MS);
  }
}

const SYNC_STATE = `
  SELECT (SELECT count(*) FROM audience_pending_contacts WHERE org_id = $1)::int AS pending,
         (SELECT count(*) FROM job_runs WHERE org_id = $1 AND kind = $2 AND status IN ('QUEUED', 'RUNNING'))::int AS active`;

/**
 * Runs `change` (a mutation) with nothing pending before, then polls (as the owner, every 10 ms) until no changed
 * contact is pending — the sync's transaction committed, so every audience is current — and until no sync is left.
 */
async function incremental(stack: AppStack, change: () => Promise<unknown>): Promise<IncrementalRun> {
  const state = async () =>
    (await stack.owner.query<{ pending: number; active: number }>(SYNC_STATE, [stack.orgId, JobName.SYNC_AUDIENCES]))
      .rows[0];
  const deadline = Date.now() + WAIT_TIMEOUT_MS;
  for (let s = await state(); s.pending > 0 || s.active > 0; s = await state()) {
    if (Date.now() > deadline) throw new BenchFailure('Syncs were still pending before the change');
    await sleep(POLL_MS);
  }
  const since = new Date(Date.now() - 5);
  await change();
  const answered = performance.now();
  const answeredAt = Date.now();
  let currentMs: number | null = null;
  for (;;) {
    const s = await state();
    if (currentMs === null && s.pending === 0) currentMs = performance.now() - answered;
    if (currentMs !== null && s.active === 0) break;
    checkAlive(stack);
    if (Date.now() > deadline)
      throw new BenchFailure(`The audiences were not current within ${WAIT_TIMEOUT_MS / 60_000} min of the change`);
    await sleep(POLL_MS);
  }
  const idleMs = performance.now() - answered;
  const { rows: runs } = await stack.owner.query<{ createdAt: Date; waitMs: number; runMs: number }>(
    `SELECT created_at AS "createdAt", extract(epoch FROM started_at - created_at) * 1000 AS "waitMs", extract(epoch FROM finished_at - started_at) * 1000 AS "runMs"
       FROM job_runs WHERE org_id = $1 AND kind = $3 AND created_at >= $2 ORDER BY created_at`,
    [stack.orgId, since, JobName.SYNC_AUDIENCES],
  );
  if (runs.length === 0) throw new BenchFailure('The change started no sync');
  return {
    currentMs,
    idleMs,
    syncs: runs.length,
    firstCreatedMs: runs[0].createdAt.getTime() - answeredAt,
    waitMs: Number(runs[0].waitMs),
    runMs: runs.reduce((sum, run) => sum + Number(run.runMs), 0),
  };
}

function incrementalSummary(runs: IncrementalRun[]) {
  return {
    current: summarize(runs.map((r) => r.currentMs)),
    idle: summarize(runs.map((r) => r.idleMs)),
    created: summarize(runs.map((r) => r.firstCreatedMs)),
    wait: summarize(runs.map((r) => r.waitMs)),
    run: summarize(runs.map((r) => r.runMs)),
    syncs: runs.map((r) => r.syncs),
  };
}

// --- EXPLAIN ---------------------------------------------------------------------------------------------

/**
 * The condition a rule compiles to on contacts `c` and its parameters, by the library's compileRule (as previews and
 * refreshes compile it); with `scope`, restricted to those contacts, as the incremental sync evaluates it.
 */
async function compiled(stack: AppStack, rule: Rule, scope?: string[]): Promise<{ where: string; values: unknown[] }> {
  const { rows: saved } = await stack.owner.query<{ id: string; dependsOn: string[] }>(
    `SELECT id, depends_on::text[] AS "dependsOn" FROM audiences WHERE org_id = $1`,
    [stack.orgId],
  );
  const context: RuleContext = {
    now: new Date(),
    vocabularies: {
      types: new Vocabulary(BUILT_IN_TERMS[TermKind.TYPE]),
      disciplines: new Vocabulary(BUILT_IN_TERMS[TermKind.DISCIPLINE]),
    },
    definitions: new Map(),
    audiences: new Map(saved.map((a) => [a.id, a])),
    identifiersAllowed: true,
  };
  const params = new SqlParams();
  const scopeParam = scope ? params.add(scope, 'uuid[]') : undefined;
  const { sql } = compileRule(rule, context, params, scopeParam);
  return { where: `${sql}${scopeParam ? ` AND c.id = ANY(${scopeParam})` : ''}`, values: params.values };
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the count of the contacts a rule selects, as the application role. `parallel` false
 * forbids parallel workers: a refresh evaluates the rule inside a statement that writes (WITH ... DELETE ... INSERT),
 * for which PostgreSQL plans no parallel query; previewAudience only reads, and may use them.
 */
async function explainRule(
  stack: AppStack,
  rule: Rule,
  options: { parallel: boolean; scope?: string[] },
): Promise<string[]> {
  const { where, values } = await compiled(stack, rule, options.scope);
  const { rows } = await asApp<{ 'QUERY PLAN': string }>(
    stack.owner,
    stack.orgId,
    `EXPLAIN (ANALYZE, BUFFERS) SELECT count(*)::int FROM contacts c WHERE ${where}`,
    values,
    { parallel: options.parallel },
  );
  return rows.map((row) => row['QUERY PLAN']);
}

// --- Report ----------------------------------------------------------------------------------------------

interface Diagnosis {
  name: string;
  /** The rule's count over every contact, on one core (a refresh's SELECT may add parallel workers). */
  fullMs: number | null;
  fullGist: string[];
  /** The same on the last 1,000 tagged contacts (as a sync evaluates it). */
  scopedMs: number | null;
  scopedGist: string[];
  /** count(*) of its members, which a full refresh takes, and a sync when members changed. */
  memberCountMs: number;
}

interface Result {
  contacts: number;
  interactions: number;
  repeat: number;
  loaded: LoadResult;
  vacuumSeconds: number;
  mainSize: number;
  firstSize: number;
  previewCount: number;
  create: Summary;
  createJob: Summary;
  createWait: Summary;
  update: Summary;
  updateJob: Summary;
  preview: Summary;
  tags: ReturnType<typeof incrementalSummary>;
  recorded: ReturnType<typeof incrementalSummary>;
  others: { name: string; rule: Rule; size: number; totalMs: number; jobMs: number }[];
  mismatches: string[];
  previewPlan: { ms: number | null; gist: string[] };
  diagnoses: Diagnosis[];
  otherCores: Record<string, number | null>;
  postgres: string;
  machine: ReturnType<typeof machine>;
}

function verdict(value: number, target: number): string {
  return value <= target ? 'met' : `**missed** (×${(value / target).toFixed(1)})`;
}

const ms = (value: number | null | undefined) =>
  value === null || value === undefined ? '?' : n(value >= 100 ? Math.round(value) : Math.round(value * 10) / 10);

function report(result: Result): string {
  const { machine: m, loaded, diagnoses } = result;
  const row = (name: string, s: Summary, target: number | null) =>
    `| ${name} | ${s.runs} | ${n(s.p50)} | ${n(s.p95)} | ${n(s.max)} | ${target === null ? '' : `${n(target)}: ${verdict(s.p95, target)}`} |`;
  const diagnosis = (name: string) => diagnoses.find((d) => d.name === name);
  const overlapped = Object.entries(result.otherCores).filter(([, cores]) => cores !== null && cores >= 0.25);
  const missed = {
    materialize: result.create.p95 > TARGET_MS.materialize || result.update.p95 > TARGET_MS.materialize,
    preview: result.preview.p95 > TARGET_MS.preview,
    incremental: result.tags.current.p95 > TARGET_MS.incremental || result.recorded.current.p95 > TARGET_MS.incremental,
  };
  const lines = [
    SECTION_TITLE,
    '',
    `Command: \`npm run bench:audiences -- --contacts ${result.contacts} --interactions ${result.interactions} --repeat ${result.repeat}\``,
    `(${new Date().toISOString().slice(0, 10)}; ${m.cpus} CPUs, ${m.cpuModel}, ${Math.round(m.ramBytes / 1024 ** 3)} GiB; ${result.postgres} (embedded, default settings but shared_buffers 512 MB); PostgreSQL queue backend; API and worker as separate processes).`,
    overlapped.length
      ? `Other processes on the machine used on average ${overlapped.map(([phase, cores]) => `${cores} cores during ${phase}`).join(', ')}: those runs overlapped other work.`
      : 'No other work overlapped the measurements (other processes used under a quarter of a core in each phase).',
    '',
    `Data, loaded with COPY as the owner in ${Math.round(loaded.seconds)} s (not measured here; VACUUM ANALYZE ${result.vacuumSeconds} s): ${n(loaded.contacts)} contacts (generate-contacts-csv, normalized as the import stores them; ${n(loaded.bareContacts)} the import would reject kept bare), ${n(loaded.contactTags)} tag links (7 tags), ${n(loaded.consents)} EMAIL_MARKETING consent records, ${n(loaded.interactions)} interactions (engagement-data.ts, three seasons from ${loaded.periodStart} to the day before the run).`,
    '',
    `Rule (a, b): \`${JSON.stringify(MAIN_RULE)}\` — ${n(result.firstSize)} members when created, ${n(result.mainSize)} after the incremental runs.`,
    '',
    '| Measure (over HTTP; job times from job_runs) | Runs | p50 ms | p95 ms | max ms | Target p95 ms |',
    '|---|---:|---:|---:|---:|---:|',
    row('(a) createAudience → status CURRENT', result.create, TARGET_MS.materialize),
    row('  of which the refresh job run (started → finished)', result.createJob, null),
    row('  of which the queue (job run created → started)', result.createWait, null),
    row('(a) updateAudience, same rule → CURRENT (members unchanged)', result.update, TARGET_MS.materialize),
    row('  of which the refresh job run', result.updateJob, null),
    row(
      `(b) previewAudience { count } (after 2 warm-up runs; count ${n(result.previewCount)})`,
      result.preview,
      TARGET_MS.preview,
    ),
    row(`(c) tagContacts on ${n(CHANGED)} ids → every audience current`, result.tags.current, TARGET_MS.incremental),
    row('  the answer → the sync job run created (NOTIFY, listener)', result.tags.created, null),
    row('  the sync job run created → started (queue)', result.tags.wait, null),
    row('  the sync job runs (started → finished)', result.tags.run, null),
    row(
      `(c) recordInteractions of ${n(CHANGED)} → every audience current`,
      result.recorded.current,
      TARGET_MS.incremental,
    ),
    row('  the answer → the sync job run created', result.recorded.created, null),
    row('  the sync job run created → started', result.recorded.wait, null),
    row('  the sync job runs', result.recorded.run, null),
    '',
    `(c) ran with ${result.others.length + 1} dynamic audiences; sync runs per change: ${[...result.tags.syncs, ...result.recorded.syncs].join(', ')}. ` +
      `"Relances" grew by exactly ${n(CHANGED)} members at each tagContacts run. After all runs, ${
        result.mismatches.length === 0
          ? "every audience's members were exactly what previewAudience counts for its rule."
          : `some audiences differed from a fresh evaluation: ${result.mismatches.join('; ')}.`
      }`,
    '',
    `| Audience | Rule | Members at creation | createAudience → CURRENT ms | Job run ms | Rule, every contact ms | Rule, ${n(CHANGED)} contacts ms | count(members) ms |`,
    '|---|---|---:|---:|---:|---:|---:|---:|',
    ...result.others.map(
      (o) =>
        `| ${o.name} | \`${JSON.stringify(o.rule).replace(/"inAudience":"[0-9a-f-]+"/, `"inAudience":"<${MAIN_NAME}>"`)}\` | ${n(o.size)} | ${n(o.totalMs)} | ${n(o.jobMs)} | ${ms(
          diagnosis(o.name)?.fullMs,
        )} | ${ms(diagnosis(o.name)?.scopedMs)} | ${ms(diagnosis(o.name)?.memberCountMs)} |`,
    ),
    `| ${MAIN_NAME} | (a, b) | ${n(result.firstSize)} | ${n(result.create.p50)} (p50) | ${n(result.createJob.p50)} (p50) | ${ms(
      diagnosis(MAIN_NAME)?.fullMs,
    )} | ${ms(diagnosis(MAIN_NAME)?.scopedMs)} | ${ms(diagnosis(MAIN_NAME)?.memberCountMs)} |`,
    '',
    `Timed once at the end, as the application role, with EXPLAIN ANALYZE: "Rule, every contact" is the count of the contacts the rule selects on one core (a refresh runs the same SELECT, with parallel workers when PostgreSQL plans them); "Rule, ${n(CHANGED)} contacts" the same restricted to the last ${n(CHANGED)} tagged contacts, as a sync evaluates each audience; "count(members)" is the count of its members that a full refresh takes, and a sync for the audiences whose members changed (AudienceMembership.size).`,
  ];
  if (missed.materialize || missed.preview || missed.incremental) lines.push('', '### Where the time goes');
  const main = diagnosis(MAIN_NAME);
  if (missed.materialize && main) {
    lines.push(
      '',
      `(a) The refresh job run takes ${n(result.updateJob.p50)} ms (p50, members unchanged); the rule's count alone, on one core, ${ms(main.fullMs)} ms:`,
      '',
      '```',
      ...main.fullGist,
      '```',
    );
    const slowest = [...diagnoses]
      .filter((d) => d.name !== MAIN_NAME)
      .sort((a, b) => (b.fullMs ?? 0) - (a.fullMs ?? 0))[0];
    if (slowest && (slowest.fullMs ?? 0) > TARGET_MS.materialize) {
      lines.push(
        '',
        `The slowest of the other rules over every contact is "${slowest.name}" (${ms(slowest.fullMs)} ms):`,
        '',
        '```',
        ...slowest.fullGist,
        '```',
      );
    }
  }
  if (missed.preview) {
    lines.push(
      '',
      `(b) previewAudience evaluates the rule once (count(*) OVER () with LIMIT 20), with parallel workers; the same count: ${ms(result.previewPlan.ms)} ms:`,
      '',
      '```',
      ...result.previewPlan.gist,
      '```',
    );
  }
  if (missed.incremental) {
    const rules = diagnoses.reduce((sum, d) => sum + (d.scopedMs ?? 0), 0);
    const counts = diagnoses.reduce((sum, d) => sum + d.memberCountMs, 0);
    const biggest = [...diagnoses].sort((a, b) => b.memberCountMs - a.memberCountMs)[0];
    const slowest = [...diagnoses].sort((a, b) => (b.scopedMs ?? 0) - (a.scopedMs ?? 0))[0];
    lines.push(
      '',
      `(c) A sync job run takes ${n(result.tags.run.p50)} ms (p50, tagContacts). For its ${diagnoses.length} audiences, the rules on the ${n(CHANGED)} changed contacts ` +
        `take ${ms(rules)} ms together, and the member counts ${ms(counts)} ms (the largest, "${biggest.name}": ${ms(biggest.memberCountMs)} ms). ` +
        `The slowest rule on ${n(CHANGED)} contacts is "${slowest.name}" (${ms(slowest.scopedMs)} ms):`,
      '',
      '```',
      ...slowest.scopedGist,
      '```',
    );
  }
  return lines.join('\n');
}

void runBench(async () => {
  logger.level = 'warn';
  await main();
});
