import 'reflect-metadata';
import { setTimeout as sleep } from 'node:timers/promises';
import { logger } from '@app/common';
import { consentStateSql } from '@app/contacts';
import { mulberry32, Rng } from '@app/fixtures';
import { postgresVersion } from '../support/database.js';
import { type CpuSnapshot, cpuBetween, cpuSnapshot, machine } from '../support/measurements.js';
import { BenchFailure, countOptions, log, n, runBench, SMOKE, writeBenchmarksSection } from '../support/run.js';
import { AppStack } from '../support/stack.js';
import { asApp, type AsAppOptions, type StatementPlan } from '../support/tenant.js';
import { planGist, type Summary, summarize } from '../support/timings.js';
import { loadPoolData, type PoolLoadResult, VENUES } from './pool-data.js';

const SECTION_TITLE = '## Pools (`npm run bench:pools`)';
const TARGET_MS = { publish: 10_000, overlap: 300, matrix: 5_000, change: 2_000 };
const POOL_NAME = 'Réseau des diffuseurs du Québec';
const POOL_K = 10;
const AUDIENCE_NAME = 'Tout notre public';
/** The job that keeps shared segments current once changes are queued (issue 15); none before. */
const SYNC_JOB = 'pools.sync-segments';
const POLL_MS = 10;
/** Between two counts of a segment's fingerprints while nothing is pending (each reads every fingerprint of it). */
const RECOUNT_MS = 200;
const WAIT_TIMEOUT_MS = 10 * 60_000;

const CREATE_AUDIENCE = 'mutation($input: CreateAudienceInput!) { createAudience(input: $input) { id } }';
const CREATE_POOL = 'mutation($input: CreatePoolInput!) { createPool(input: $input) { id } }';
const INVITE =
  'mutation($poolId: ID!, $organizationId: ID!) { invitePoolMember(poolId: $poolId, organizationId: $organizationId) { id } }';
const ACCEPT = 'mutation($poolId: ID!) { acceptPoolInvitation(poolId: $poolId) { id } }';
const SHARE = 'mutation($input: ShareAudienceInput!) { shareAudience(input: $input) { id } }';
const CATALOGUE =
  'query($id: ID!) { pool(id: $id) { sharedSegments { id publisherName isMine size sizeSuppressed } } }';
const OVERLAP =
  'query($id: ID!) { segmentOverlap(sharedSegmentId: $id, audienceId: null) { overlap overlapSuppressed newReach newReachSuppressed } }';
const MATRIX = 'query($id: ID!) { poolOverlapMatrix(poolId: $id) { overlap } }';
const ADD_MEMBERS =
  'mutation($id: ID!, $target: AudienceMembersTargetInput!) { addAudienceMembers(id: $id, target: $target) { affected size } }';
const REMOVE_MEMBERS =
  'mutation($id: ID!, $target: AudienceMembersTargetInput!) { removeAudienceMembers(id: $id, target: $target) { affected size } }';
const QUERY_FIELDS = '{ __schema { queryType { fields { name } } } }';

interface Org {
  index: number;
  name: string;
  orgId: string;
  token: string;
  audienceId: string;
  /** Its audience's people that a share fingerprints: an email or a phone, PARTNER_SHARING not withdrawn. */
  expected: number;
  segmentId: string;
}

interface Overlap {
  overlap: number | null;
  overlapSuppressed: boolean;
  newReach: number | null;
  newReachSuppressed: boolean;
}

/** From a change's answer until the segment's fingerprints are current, and the sync job runs it started. */
interface Propagation {
  answerMs: number;
  currentMs: number;
  /** Sync job runs created for it (0: the mutation wrote the fingerprints itself). */
  syncs: number;
  waitMs: number | null;
  runMs: number | null;
}

/**
 * `npm run bench:pools [-- --organizations 20 --contacts 100000 --changed 1000 --repeat 5 --passes 2]`: 20
 * organizations of 100,000 contacts each, the same people in several of them (pool-data.ts), loaded with COPY; each
 * with a STATIC audience of all its contacts; then over GraphQL, with the API and the worker as separate processes:
 * a pool (created by the first, every other invited and accepting); (1) each organization shares its audience:
 * shareAudience until the segment's fingerprints are all there; (2) segmentOverlap of every segment with all my
 * contacts, asked by every other member (`passes` times: the same question again costs no budget); (3)
 * poolOverlapMatrix over the 20 segments, by the steward; (4) removeAudienceMembers then addAudienceMembers of
 * 1,000 contacts of a shared audience, until the segment follows. Steps (2) and (3) run only when the API's schema
 * has those queries. On a missed target, the plans of the database functions behind it (auto_explain). Prints one
 * JSON line and replaces the "Pools" section of BENCHMARKS.md. BENCH_SMOKE=1: 3 organizations × 300 contacts, one
 * run of each step changing 20 contacts; nothing written.
 */
async function main(): Promise<void> {
  const { organizations, contacts, changed, repeat, passes } = countOptions({
    organizations: [20, 3],
    contacts: [100_000, 300],
    changed: [1_000, 20],
    repeat: [5, 1],
    passes: [2, 1],
  });
  if (organizations < 2 || organizations > VENUES.length)
    throw new BenchFailure(`--organizations must be 2 to ${VENUES.length}`);
  if (changed * 2 > contacts) throw new BenchFailure('--changed must be at most half of --contacts');
  const startedAt = new Date();
  const stack = await AppStack.open('crm_bench_pools');
  const { owner } = stack;

  await owner.query('UPDATE organizations SET name = $2 WHERE id = $1', [stack.orgId, VENUES[0].name]);
  const orgs: Org[] = [];
  for (let index = 0; index < organizations; index++) {
    const { orgId, token } =
      index === 0 ? { orgId: stack.orgId, token: stack.token } : await stack.addOrganization(VENUES[index].name);
    orgs.push({ index, name: VENUES[index].name, orgId, token, audienceId: '', expected: 0, segmentId: '' });
  }

  log(`Loading ${organizations} organizations × ${n(contacts)} contacts with COPY...`);
  const loaded = await loadPoolData(
    owner,
    orgs.map((o) => o.orgId),
    { contacts, now: startedAt },
    log,
  );
  log(`  ${Math.round(loaded.seconds)} s; ${n(loaded.people)} people. An audience of all its contacts in each...`);
  for (const org of orgs) {
    const { createAudience } = await stack.gql<{ createAudience: { id: string } }>(
      CREATE_AUDIENCE,
      { input: { name: AUDIENCE_NAME, kind: 'STATIC' } },
      org.token,
    );
    org.audienceId = createAudience.id;
    await owner.query(
      'INSERT INTO audience_members (org_id, audience_id, contact_id) SELECT org_id, $2, id FROM contacts WHERE org_id = $1',
      [org.orgId, org.audienceId],
    );
    org.expected = await fingerprintable(stack, org);
  }
  log('VACUUM (ANALYZE)...');
  let started = performance.now();
  await owner.query('VACUUM (ANALYZE)');
  const vacuumSeconds = (performance.now() - started) / 1000;

  log(`The pool: created by ${orgs[0].name}, ${organizations - 1} invited, each accepting...`);
  const { createPool } = await stack.gql<{ createPool: { id: string } }>(CREATE_POOL, {
    input: {
      name: POOL_NAME,
      description: 'Les diffuseurs du Québec mettent en commun leurs publics.',
      purposes: ['AUDIENCE_RESEARCH', 'CROSS_PROMOTION'],
      minGroupSize: POOL_K,
    },
  });
  const poolId = createPool.id;
  for (const org of orgs.slice(1)) {
    await stack.gql(INVITE, { poolId, organizationId: org.orgId });
    await stack.gql(ACCEPT, { poolId }, org.token);
  }

  const cpu: Record<string, { start: CpuSnapshot; others?: number | null }> = {};
  const pids = () => [stack.api.child.pid!, stack.worker.child.pid!];
  const phase = async (name: string) => {
    cpu[name] = { start: await cpuSnapshot(pids(), stack.database) };
  };
  const endPhase = async (name: string) => {
    const between = cpuBetween(cpu[name].start, await cpuSnapshot(pids(), stack.database));
    const seconds = (Date.now() - cpu[name].start.at) / 1000;
    cpu[name].others = between.others === null ? null : Math.round((between.others / seconds) * 100) / 100;
  };
  const sync = await syncProbe(stack);

  // (1) publishing
  await phase('publish');
  log(`(1) shareAudience of each organization's ${n(contacts)} contacts → fingerprints current...`);
  const publishes: Propagation[] = [];
  for (const org of orgs) {
    const since = new Date(Date.now() - 5);
    started = performance.now();
    const { shareAudience } = await stack.gql<{ shareAudience: { id: string } }>(
      SHARE,
      { input: { audienceId: org.audienceId, poolId, purpose: 'AUDIENCE_RESEARCH', description: 'Tout notre public' } },
      org.token,
    );
    const answerMs = performance.now() - started;
    org.segmentId = shareAudience.id;
    const currentMs = await untilFingerprinted(stack, sync, org, org.expected, started);
    publishes.push({ answerMs, currentMs, ...(await syncRuns(stack, org, since)) });
    log(`  ${org.name}: ${n(Math.round(currentMs))} ms, ${n(org.expected)} people`);
  }
  await endPhase('publish');

  log('The catalogue (pool.sharedSegments), checked against the fingerprints...');
  const mismatches: string[] = [];
  started = performance.now();
  const { pool } = await stack.gql<{ pool: { sharedSegments: { id: string; size: number | null }[] } }>(CATALOGUE, {
    id: poolId,
  });
  const catalogueMs = performance.now() - started;
  for (const org of orgs) {
    const entry = pool.sharedSegments.find((s) => s.id === org.segmentId);
    if (entry?.size !== org.expected)
      mismatches.push(`${org.name}: catalogue size ${entry?.size ?? 'missing'}, expected ${n(org.expected)}`);
  }
  const fingerprints = Number(
    (await owner.query<{ n: string }>('SELECT count(*) AS n FROM segment_fingerprints WHERE pool_id = $1', [poolId]))
      .rows[0].n,
  );

  const schema = new Set(
    (
      await stack.gql<{ __schema: { queryType: { fields: { name: string }[] } } }>(QUERY_FIELDS)
    ).__schema.queryType.fields.map((f) => f.name),
  );
  const skipped: string[] = [];

  // (2) segmentOverlap
  let overlaps: Result['overlap'] = null;
  let repeatsDiffered = 0;
  if (!schema.has('segmentOverlap')) {
    log('(2) segmentOverlap: skipped: not in the schema');
    skipped.push('segmentOverlap');
  } else {
    await phase('overlap');
    const questions = orgs.flatMap((asker) =>
      orgs.filter((publisher) => publisher !== asker).map((publisher) => ({ asker, publisher })),
    );
    shuffle(questions, new Rng(mulberry32(15)));
    log(`(2) segmentOverlap with all my contacts: ${n(questions.length)} questions × ${passes} passes...`);
    const all: number[] = [];
    const first: number[] = [];
    const answers = new Map<string, Overlap>();
    for (let pass = 0; pass < passes; pass++) {
      for (const { asker, publisher } of questions) {
        started = performance.now();
        const { segmentOverlap } = await stack.gql<{ segmentOverlap: Overlap }>(
          OVERLAP,
          { id: publisher.segmentId },
          asker.token,
        );
        const ms = performance.now() - started;
        all.push(ms);
        const key = `${asker.index}:${publisher.index}`;
        if (pass === 0) {
          first.push(ms);
          answers.set(key, segmentOverlap);
        } else if (JSON.stringify(answers.get(key)) !== JSON.stringify(segmentOverlap)) repeatsDiffered++;
      }
      log(`  pass ${pass + 1}: p95 ${n(summarize(all.slice(-questions.length)).p95)} ms`);
    }
    const shown = [...answers.values()].flatMap((a) => (a.overlap === null ? [] : [a.overlap]));
    overlaps = {
      all: summarize(all),
      first: summarize(first),
      answers: shown.length ? { min: Math.min(...shown), max: Math.max(...shown) } : null,
      suppressed: [...answers.values()].filter((a) => a.overlapSuppressed).length,
    };
    await endPhase('overlap');
  }

  // (3) poolOverlapMatrix
  let matrix: { runs: Summary; cells: number } | null = null;
  if (!schema.has('poolOverlapMatrix')) {
    log('(3) poolOverlapMatrix: skipped: not in the schema');
    skipped.push('poolOverlapMatrix');
  } else {
    await phase('matrix');
    log(`(3) poolOverlapMatrix over ${organizations} segments, ${repeat} times...`);
    const runs: number[] = [];
    let cells = 0;
    for (let run = 0; run < repeat; run++) {
      started = performance.now();
      const { poolOverlapMatrix } = await stack.gql<{ poolOverlapMatrix: { overlap: number | null }[] }>(MATRIX, {
        id: poolId,
      });
      runs.push(performance.now() - started);
      cells = poolOverlapMatrix.length;
      log(`  ${n(Math.round(runs.at(-1)!))} ms, ${cells} cells`);
    }
    if (cells !== (organizations * (organizations - 1)) / 2)
      mismatches.push(`poolOverlapMatrix: ${cells} cells for ${organizations} segments`);
    matrix = { runs: summarize(runs), cells };
    await endPhase('matrix');
  }

  // (4) a change of audience members
  await phase('change');
  const removals: Propagation[] = [];
  const additions: Propagation[] = [];
  let lastChange: { org: Org; ids: string[] } | null = null;
  for (let run = 0; run < repeat; run++) {
    const org = orgs[run % organizations];
    const { rows } = await owner.query<{ id: string }>(
      'SELECT id FROM contacts WHERE org_id = $1 ORDER BY md5(id::text || $2) LIMIT $3',
      [org.orgId, String(run), changed],
    );
    const ids = rows.map((row) => row.id);
    const leaving = await fingerprintable(stack, org, ids);
    lastChange = { org, ids };
    for (const [name, mutation, target, into] of [
      ['removeAudienceMembers', REMOVE_MEMBERS, org.expected - leaving, removals],
      ['addAudienceMembers', ADD_MEMBERS, org.expected, additions],
    ] as const) {
      log(`(4) run ${run + 1}: ${name} of ${n(changed)} contacts of ${org.name} (${n(leaving)} fingerprinted)...`);
      const since = new Date(Date.now() - 5);
      started = performance.now();
      const answer = await stack.gql<Record<string, { affected: number }>>(
        mutation,
        { id: org.audienceId, target: { ids } },
        org.token,
      );
      const answerMs = performance.now() - started;
      if (answer[name].affected !== changed)
        throw new BenchFailure(`${name} affected ${answer[name].affected} contacts, not ${changed}`);
      const currentMs = await untilFingerprinted(stack, sync, org, target, started);
      into.push({ answerMs, currentMs, ...(await syncRuns(stack, org, since)) });
      log(`  current ${n(Math.round(currentMs))} ms after the mutation was sent`);
    }
  }
  await endPhase('change');

  const publish = propagationSummary(publishes);
  const remove = propagationSummary(removals);
  const add = propagationSummary(additions);
  const missed = {
    publish: publish.current.p95 > TARGET_MS.publish,
    overlap: overlaps !== null && overlaps.all.p95 > TARGET_MS.overlap,
    matrix: matrix !== null && matrix.runs.p95 > TARGET_MS.matrix,
    change: remove.current.p95 > TARGET_MS.change || add.current.p95 > TARGET_MS.change,
  };

  // What the database functions behind a missed target do, statement by statement; a smoke run takes them all to
  // check that they still run.
  const diagnoses: Diagnosis[] = [];
  const diagnose = async (
    step: keyof typeof missed,
    label: string,
    org: Org,
    sql: string,
    values: unknown[],
    before?: AsAppOptions['before'],
  ) => {
    if (!SMOKE && !missed[step]) return;
    log(`auto_explain of ${label}...`);
    try {
      const { ms, plans } = await asApp(owner, org.orgId, sql, values, { explain: true, parallel: false, before });
      // the slowest statements inside (the call itself, which includes them all, left out)
      const inside = plans.filter((plan) => !plan.query.startsWith(sql));
      diagnoses.push({ step, label, ms: Math.round(ms), statements: inside.slice(0, 3).map(gist) });
    } catch (error) {
      diagnoses.push({ step, label, ms: null, statements: [], error: String(error) });
    }
  };
  const [steward, asker] = [orgs[0], orgs[1]];
  await diagnose(
    'publish',
    `crm_pool_segment_refresh of ${steward.name}'s segment, its fingerprints deleted first (what shareAudience runs)`,
    steward,
    'SELECT crm_pool_segment_refresh($1) AS n',
    [steward.segmentId],
    async (client) => {
      await client.query('DELETE FROM segment_fingerprints WHERE segment_id = $1', [steward.segmentId]);
    },
  );
  if (await exists(stack, 'crm_pool_overlap(uuid, uuid, uuid)'))
    await diagnose(
      'overlap',
      `crm_pool_overlap of ${steward.name}'s segment with all the contacts of ${asker.name}`,
      asker,
      'SELECT * FROM crm_pool_overlap($1, NULL, NULL)',
      [steward.segmentId],
    );
  if (await exists(stack, 'crm_pool_overlap_matrix(uuid, uuid)'))
    await diagnose(
      'matrix',
      `crm_pool_overlap_matrix over ${organizations} segments`,
      steward,
      'SELECT * FROM crm_pool_overlap_matrix($1, NULL)',
      [poolId],
    );
  if (lastChange) {
    const { org, ids } = lastChange;
    await diagnose(
      'change',
      `crm_pool_contacts_refresh of ${n(ids.length)} contacts just removed from ${org.name}'s audience (a sync's work)`,
      org,
      'SELECT crm_pool_contacts_refresh($1::uuid[]) AS n',
      [ids],
      async (client) => {
        await client.query('DELETE FROM audience_members WHERE audience_id = $1 AND contact_id = ANY($2::uuid[])', [
          org.audienceId,
          ids,
        ]);
      },
    );
    await diagnose(
      'change',
      `crm_pool_segment_refresh of ${org.name}'s segment with ${n(ids.length)} members removed (the whole segment recomputed)`,
      org,
      'SELECT crm_pool_segment_refresh($1) AS n',
      [org.segmentId],
      async (client) => {
        await client.query('DELETE FROM audience_members WHERE audience_id = $1 AND contact_id = ANY($2::uuid[])', [
          org.audienceId,
          ids,
        ]);
      },
    );
  }

  const sizes = orgs.map((o) => o.expected);
  const result: Result = {
    organizations,
    contacts,
    changed,
    repeat,
    passes,
    loaded,
    vacuumSeconds: Math.round(vacuumSeconds),
    segments: { min: Math.min(...sizes), max: Math.max(...sizes), fingerprints },
    catalogueMs: Math.round(catalogueMs),
    publish,
    overlap: overlaps,
    overlapRepeatsDiffered: repeatsDiffered,
    matrix,
    remove,
    add,
    skipped,
    mismatches,
    diagnoses,
    otherCores: Object.fromEntries(Object.entries(cpu).map(([name, value]) => [name, value.others ?? null])),
    postgres: await postgresVersion(stack.database.ownerUrl),
    machine: machine(),
  };
  await stack.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await writeBenchmarksSection(SECTION_TITLE, report(result, missed));
}

// --- Data and waiting ------------------------------------------------------------------------------------

/**
 * How many of the organization's audience members (or of `ids`, members or not) a share fingerprints: an email or a
 * phone, and a PARTNER_SHARING consent that is not withdrawn (crm_pool_segment_refresh's rule).
 */
async function fingerprintable(stack: AppStack, org: Org, ids?: string[]): Promise<number> {
  const { rows } = await stack.owner.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM contacts c
      WHERE c.org_id = $1 AND (c.email IS NOT NULL OR c.phone IS NOT NULL)
        AND ${consentStateSql("'PARTNER_SHARING'")} <> 'WITHDRAWN'
        AND ${
          ids
            ? 'c.id = ANY($2::uuid[])'
            : 'EXISTS (SELECT 1 FROM audience_members am WHERE am.org_id = c.org_id AND am.audience_id = $2 AND am.contact_id = c.id)'
        }`,
    [org.orgId, ids ?? org.audienceId],
  );
  return rows[0].n;
}

/** Whether the organization has pool changes waiting or a sync running (cheap: polled every 10 ms). */
type SyncProbe = (org: Org) => Promise<boolean>;

async function syncProbe(stack: AppStack): Promise<SyncProbe> {
  const {
    rows: [{ pending }],
  } = await stack.owner.query<{ pending: boolean }>(
    `SELECT to_regclass('pool_pending_contacts') IS NOT NULL AS pending`,
  );
  const sql = `SELECT EXISTS (SELECT 1 FROM job_runs WHERE org_id = $1 AND kind = $2 AND status IN ('QUEUED', 'RUNNING'))
      ${pending ? 'OR EXISTS (SELECT 1 FROM pool_pending_contacts WHERE org_id = $1)' : ''} AS busy`;
  return async (org) => (await stack.owner.query<{ busy: boolean }>(sql, [org.orgId, SYNC_JOB])).rows[0].busy;
}

/**
 * Waits until the organization's segment holds `target` people, polling as the owner: every 10 ms whether a sync is
 * pending or running, and when none is, the count of its fingerprinted people. The time from `from` (the mutation
 * sent) in ms.
 */
async function untilFingerprinted(
  stack: AppStack,
  busy: SyncProbe,
  org: Org,
  target: number,
  from: number,
): Promise<number> {
  const deadline = Date.now() + WAIT_TIMEOUT_MS;
  let last = -1;
  for (;;) {
    if (!(await busy(org))) {
      const {
        rows: [{ n: count }],
      } = await stack.owner.query<{ n: number }>(
        'SELECT count(DISTINCT contact_id)::int AS n FROM segment_fingerprints WHERE segment_id = $1',
        [org.segmentId],
      );
      if (count === target) return performance.now() - from;
      last = count;
    }
    checkAlive(stack);
    if (Date.now() > deadline)
      throw new BenchFailure(
        `${org.name}'s segment held ${n(last)} people, not ${n(target)}, ${WAIT_TIMEOUT_MS / 60_000} min after the change`,
      );
    await sleep(last < 0 ? POLL_MS : RECOUNT_MS);
  }
}

/** The sync job runs the organization's change started (none when the mutation wrote the fingerprints itself). */
async function syncRuns(
  stack: AppStack,
  org: Org,
  since: Date,
): Promise<Pick<Propagation, 'syncs' | 'waitMs' | 'runMs'>> {
  const { rows } = await stack.owner.query<{ waitMs: number | null; runMs: number | null }>(
    `SELECT extract(epoch FROM started_at - created_at) * 1000 AS "waitMs", extract(epoch FROM finished_at - started_at) * 1000 AS "runMs"
       FROM job_runs WHERE org_id = $1 AND kind = $2 AND created_at >= $3 ORDER BY created_at`,
    [org.orgId, SYNC_JOB, since],
  );
  if (rows.length === 0) return { syncs: 0, waitMs: null, runMs: null };
  return {
    syncs: rows.length,
    waitMs: rows[0].waitMs === null ? null : Number(rows[0].waitMs),
    runMs: rows.reduce((sum, row) => sum + Number(row.runMs ?? 0), 0),
  };
}

function checkAlive(stack: AppStack): void {
  for (const process of [stack.api, stack.worker]) {
    if (process.exited() !== null)
      throw new BenchFailure(`The ${process.name} exited with code ${process.exited()}:\n${process.output()}`);
  }
}

async function exists(stack: AppStack, signature: string): Promise<boolean> {
  const { rows } = await stack.owner.query<{ ok: boolean }>('SELECT to_regprocedure($1) IS NOT NULL AS ok', [
    signature,
  ]);
  return rows[0].ok;
}

function shuffle<T>(items: T[], rng: Rng): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [items[i], items[j]] = [items[j], items[i]];
  }
}

function propagationSummary(runs: Propagation[]) {
  const synced = runs.filter((r) => r.syncs > 0);
  return {
    current: summarize(runs.map((r) => r.currentMs)),
    answer: summarize(runs.map((r) => r.answerMs)),
    syncs: runs.map((r) => r.syncs),
    wait: synced.length ? summarize(synced.map((r) => r.waitMs ?? 0)) : null,
    run: synced.length ? summarize(synced.map((r) => r.runMs ?? 0)) : null,
  };
}

// --- Report ----------------------------------------------------------------------------------------------

interface Diagnosis {
  step: 'publish' | 'overlap' | 'matrix' | 'change';
  label: string;
  /** The whole call, with auto_explain's own cost (every statement timed). */
  ms: number | null;
  /** Its slowest statements inside, each with the gist of its plan. */
  statements: { query: string; ms: number; gist: string[] }[];
  error?: string;
}

/**
 * The plan's nodes that take a share of its time, and the time spent in triggers (the foreign-key checks of the rows
 * a function inserts); not the row-security InitPlans and filters, which every statement of the broker carries.
 */
function gist(statement: StatementPlan): Diagnosis['statements'][number] {
  const nodes = planGist(statement.plan, 0.1, 200).filter((line) =>
    /actual time=|Rows Removed|Disk|Batches|external merge/.test(line),
  );
  const triggers = statement.plan.filter((line) => /^\s*Trigger .*: time=/.test(line));
  return {
    query: statement.query,
    ms: Math.round(statement.ms),
    gist: [...nodes.slice(0, 16), ...triggers.slice(0, 3), statement.plan.at(-1)!],
  };
}

interface Result {
  organizations: number;
  contacts: number;
  changed: number;
  repeat: number;
  passes: number;
  loaded: PoolLoadResult;
  vacuumSeconds: number;
  /** People per segment (the shared audience's fingerprintable people), and fingerprints in the pool. */
  segments: { min: number; max: number; fingerprints: number };
  catalogueMs: number;
  publish: ReturnType<typeof propagationSummary>;
  overlap: {
    all: Summary;
    /** The first time each question was asked (the first pass). */
    first: Summary;
    /** The overlaps shown in the first pass (null: all suppressed). */
    answers: { min: number; max: number } | null;
    suppressed: number;
  } | null;
  overlapRepeatsDiffered: number;
  matrix: { runs: Summary; cells: number } | null;
  remove: ReturnType<typeof propagationSummary>;
  add: ReturnType<typeof propagationSummary>;
  skipped: string[];
  mismatches: string[];
  diagnoses: Diagnosis[];
  otherCores: Record<string, number | null>;
  postgres: string;
  machine: ReturnType<typeof machine>;
}

function verdict(value: number, target: number): string {
  return value <= target ? 'met' : `**missed** (×${(value / target).toFixed(1)})`;
}

const percent = (share: number) => `${Math.round(share * 1000) / 10}%`;

function report(result: Result, missed: Record<Diagnosis['step'], boolean>): string {
  const { machine: m, loaded } = result;
  const row = (name: string, s: Summary | null, target: number | null) =>
    s === null
      ? `| ${name} | | | | | ${target === null ? '' : n(target)} |`
      : `| ${name} | ${s.runs} | ${n(s.p50)} | ${n(s.p95)} | ${n(s.max)} | ${target === null ? '' : `${n(target)}: ${verdict(s.p95, target)}`} |`;
  const skipped = (name: string, step: string) => `| ${step}: skipped, \`${name}\` not in the API's schema | | | | | |`;
  const overlapped = Object.entries(result.otherCores).filter(([, cores]) => cores !== null && cores >= 0.25);
  const pairs = (result.organizations * (result.organizations - 1)) / 2;
  const venues = Object.entries(loaded.venuesPerPerson)
    .map(([k, people]) => `${n(people)} ${k}`)
    .join(', ');
  const lines = [
    SECTION_TITLE,
    '',
    `Command: \`npm run bench:pools -- --organizations ${result.organizations} --contacts ${result.contacts} --changed ${result.changed} --repeat ${result.repeat} --passes ${result.passes}\``,
    `(${new Date().toISOString().slice(0, 10)}; ${m.cpus} CPUs, ${m.cpuModel}, ${Math.round(m.ramBytes / 1024 ** 3)} GiB; ${result.postgres} (embedded, default settings but shared_buffers 512 MB); PostgreSQL queue backend; API and worker as separate processes).`,
    overlapped.length
      ? `Other processes on the machine used on average ${overlapped.map(([phase, cores]) => `${cores} cores during ${phase}`).join(', ')}: those runs overlapped other work.`
      : 'No other work overlapped the measurements (other processes used under a quarter of a core in each phase).',
    '',
    `Data (pool-data.ts), loaded with COPY as the owner in ${Math.round(loaded.seconds)} s (not measured here; VACUUM ANALYZE ${result.vacuumSeconds} s): ${result.organizations} organizations (made-up venues across Quebec) × ${n(result.contacts)} contacts, ${n(loaded.people)} people behind them, attending one venue or more (${venues}). ` +
      `${percent(loaded.alsoElsewhere.mean)} of an organization's contacts (${percent(loaded.alsoElsewhere.min)} to ${percent(loaded.alsoElsewhere.max)}) also attend another of the venues, and ${percent(loaded.matchable.mean)} are stored there with the same email or phone (a fingerprint in common). ` +
      `${n(loaded.withEmail)} contacts have an email, ${n(loaded.withPhone)} a phone (three venues keep none), ${n(loaded.withNeither)} neither; PARTNER_SHARING ${n(loaded.partnerGranted)} granted, ${n(loaded.partnerWithdrawn)} withdrawn or refused, the others never asked.`,
    '',
    `Each organization has a STATIC audience of all its contacts (members written as the owner) and shares it in one pool (k = ${POOL_K}; created, ${result.organizations - 1} invitations and acceptances over GraphQL): a segment holds the audience's people with an email or a phone whose PARTNER_SHARING is not withdrawn, ${n(result.segments.min)} to ${n(result.segments.max)}; ${n(result.segments.fingerprints)} fingerprints in the pool. ` +
      `The catalogue (\`pool { sharedSegments { size } }\`, ${result.organizations} sizes) answered in ${n(result.catalogueMs)} ms, ${result.mismatches.length === 0 ? 'every size as expected' : `with mismatches: ${result.mismatches.join('; ')}`}.`,
    '',
    '| Measure (over HTTP; "current": the segment\'s fingerprinted people as expected, polled as the owner) | Runs | p50 ms | p95 ms | max ms | Target p95 ms |',
    '|---|---:|---:|---:|---:|---:|',
    row(
      `(1) shareAudience of a ${n(result.contacts)}-contact audience → fingerprints current`,
      result.publish.current,
      TARGET_MS.publish,
    ),
    row('  of which the mutation (answered)', result.publish.answer, null),
    result.overlap
      ? row(
          `(2) segmentOverlap(segment, all my contacts), every member × every other segment, ${result.passes} passes`,
          result.overlap.all,
          TARGET_MS.overlap,
        )
      : skipped('segmentOverlap', '(2)'),
    ...(result.overlap ? [row('  the first time each question is asked', result.overlap.first, null)] : []),
    result.matrix
      ? row(
          `(3) poolOverlapMatrix over ${result.organizations} segments (${n(pairs)} pairs), by the steward`,
          result.matrix.runs,
          TARGET_MS.matrix,
        )
      : skipped('poolOverlapMatrix', '(3)'),
    row(
      `(4) removeAudienceMembers of ${n(result.changed)} → the segment current`,
      result.remove.current,
      TARGET_MS.change,
    ),
    row('  of which the mutation (answered)', result.remove.answer, null),
    row('  the sync job runs: created → started', result.remove.wait, null),
    row('  the sync job runs: started → finished', result.remove.run, null),
    row(`(4) addAudienceMembers of the same ${n(result.changed)} → current`, result.add.current, TARGET_MS.change),
    row('  of which the mutation (answered)', result.add.answer, null),
    row('  the sync job runs: created → started', result.add.wait, null),
    row('  the sync job runs: started → finished', result.add.run, null),
    '',
    `Sync job runs (${SYNC_JOB}) per change: ${[...result.remove.syncs, ...result.add.syncs].join(', ')} (0: the mutation's own transaction wrote the fingerprints).` +
      (result.overlap
        ? ` segmentOverlap answers (first pass): overlap ${result.overlap.answers ? `${n(result.overlap.answers.min)} to ${n(result.overlap.answers.max)}` : 'none shown'}, ${result.overlap.suppressed} suppressed; ${result.overlapRepeatsDiffered === 0 ? 'every repeated question got the same answer' : `${result.overlapRepeatsDiffered} repeated questions got another answer`}.`
        : ''),
  ];
  const shown = result.diagnoses.filter((d) => missed[d.step]);
  if (shown.length) {
    lines.push('', '### Where the time goes', '');
    for (const d of shown) {
      lines.push(
        `(${['publish', 'overlap', 'matrix', 'change'].indexOf(d.step) + 1}) ${d.label}, as the application role (rolled back), with auto_explain: ${d.ms === null ? `failed: ${d.error}` : `${n(d.ms)} ms`}. Its slowest statements:`,
      );
      for (const s of d.statements)
        lines.push('', `- ${n(s.ms)} ms: \`${s.query.replace(/`/g, "'")}\``, '', '```', ...s.gist, '```');
      lines.push('');
    }
  }
  return lines.join('\n').trimEnd();
}

void runBench(async () => {
  logger.level = 'warn';
  await main();
});
