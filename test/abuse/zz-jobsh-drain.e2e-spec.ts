import { expect, it } from '@jest/globals';
import { startBuiltProcess, stopAllBuiltProcesses } from '../support/child-process.js';
import { queueBackends } from '../support/queue-backends.js';
import { TestApi } from '../support/test-app.js';

it('drain probe', async () => {
  const { env } = queueBackends[0];
  const api = await TestApi.start(env);
  const org = await api.createOrganization('Drain probe');
  const worker = await startBuiltProcess('worker', { ...env, JOB_LOCK_MS: '1500' });
  const lines = ['No client;Prénom;Nom;Courriel'];
  for (let i = 0; i < 40_000; i++) lines.push(`C${i % 30000};Élise;Côté;p${i % 30000}@exemple.qc.ca`);
  const upload = await api.upload(org.token, `${lines.join('\n')}\n`, { strategy: 'UPSERT_BY_EXTERNAL_ID', source: 'b' });
  const q = `query($id: ID!) { jobRun(id: $id) { status processed attempts } }`;
  const t0 = Date.now();
  for (;;) {
    const { jobRun } = await api.ok<any>(org.token, q, { id: upload.body.jobRunId });
    if (jobRun.status === 'RUNNING' && jobRun.processed > 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const t1 = Date.now();
  worker.process.kill('SIGTERM');
  const exit = await new Promise((resolve) => worker.process.once('exit', (code, signal) => resolve({ code, signal })));
  const t2 = Date.now();
  const { jobRun } = await api.ok<any>(org.token, q, { id: upload.body.jobRunId });
  process.stdout.write(`running after ${t1 - t0} ms; exit ${JSON.stringify(exit)} ${t2 - t1} ms after SIGTERM; run ${JSON.stringify(jobRun)}\n--- output\n${worker.output().slice(-3000)}\n`);
  await stopAllBuiltProcesses('SIGKILL');
  await api.close();
  expect(true).toBe(true);
}, 300_000);
