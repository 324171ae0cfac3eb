import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { TenantContexts, TenantDb, type Tx } from '@app/database';

const CHUNK_BYTES = 1024 * 1024;

/** The files of a job run: an export's result, an import's upload and rejected rows. */
export enum JobFileName {
  RESULT = 'result',
  UPLOAD = 'upload',
  REJECTED = 'rejected',
}

/**
 * Files that job runs consume or produce, kept in PostgreSQL (job_files) in
 * ~1 MB chunks: tenant rows like the rest, so RLS isolates them, every
 * process of a deployment reaches them, and memory never holds a whole file.
 */
@Injectable()
export class JobFilesService {
  constructor(private readonly db: TenantDb) {}

  /** Appends to a file: each chunk inside `tx` when given (it commits with the work), else in a transaction of its own. */
  writer(runId: string, name: JobFileName, tx?: Tx): JobFileWriter {
    const insert = (t: Tx, seq: number, data: Buffer) =>
      t.execute(
        'INSERT INTO job_files (org_id, job_run_id, name, seq, data) VALUES (crm_current_org(), $1, $2, $3, $4)',
        [runId, name, seq, data],
      );
    return new JobFileWriter((seq, data) =>
      tx ? insert(tx, seq, data) : this.db.separateTransaction((t) => insert(t, seq, data)),
    );
  }

  async remove(runId: string, name: JobFileName): Promise<void> {
    await this.db.transaction((tx) =>
      tx.execute('DELETE FROM job_files WHERE job_run_id = $1 AND name = $2', [runId, name]),
    );
  }

  /**
   * The file's chunks in order, each read in a transaction of its own, so a
   * slow consumer holds no connection and a job can read while its own
   * connection streams a COPY. The tenant is the caller's at the time of the call.
   */
  read(runId: string, name: JobFileName): AsyncGenerator<Buffer> {
    const context = TenantContexts.require();
    const db = this.db;
    return (async function* () {
      for (let seq = 0; ; seq++) {
        const [chunk] = await TenantContexts.run(context, () =>
          db.separateTransaction((tx) =>
            tx.query<{ data: Buffer }>('SELECT data FROM job_files WHERE job_run_id = $1 AND name = $2 AND seq = $3', [
              runId,
              name,
              seq,
            ]),
          ),
        );
        if (!chunk) return;
        yield chunk.data;
      }
    })();
  }

  /** Sends a file as an HTTP download, streamed. */
  send(reply: FileReply, runId: string, name: JobFileName, download: { contentType: string; filename: string }): void {
    reply
      .header('content-type', download.contentType)
      .header('content-disposition', `attachment; filename="${download.filename}"`)
      .send(Readable.from(this.read(runId, name)));
  }
}

/** What a controller's raw reply offers (Fastify's, without depending on its types here). */
export interface FileReply {
  header(name: string, value: string): FileReply;
  send(body: unknown): unknown;
}

/** Buffers appended data and stores it chunk by chunk, in order. */
export class JobFileWriter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private seq = 0;
  /** Bytes written so far. */
  bytes = 0;

  constructor(private readonly store: (seq: number, data: Buffer) => Promise<unknown>) {}

  async write(data: Buffer | string): Promise<void> {
    const buffer = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.pending.push(buffer);
    this.pendingBytes += buffer.length;
    this.bytes += buffer.length;
    if (this.pendingBytes >= CHUNK_BYTES) await this.flush();
  }

  /** Stores what is left (an empty file still gets its one, empty, chunk). */
  async close(): Promise<void> {
    if (this.pendingBytes > 0 || this.seq === 0) await this.flush();
  }

  private async flush(): Promise<void> {
    const data = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    await this.store(this.seq++, data);
  }
}
