import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

/** What an aborted COPY tells PostgreSQL: short and fixed (a long CopyFail text makes the server drop the connection). */
const COPY_ABORTED = 'COPY aborted';

/**
 * `COPY ... FROM STDIN` text with back-pressure. A connection that dies mid-COPY errors the stream: the error is
 * listened to here and fails the next write or end (so the unit of work), never the process as an unhandled
 * 'error' event, and a write never waits for a 'drain' that a dead stream cannot send.
 */
export class CopyWriter {
  /** The stream's error: pg-copy-streams emits it when the connection dies, without always destroying the stream. */
  private failure: Error | undefined;

  constructor(private readonly stream: Writable) {
    stream.on('error', (error) => (this.failure ??= error));
  }

  async write(text: string): Promise<void> {
    this.failIfDead();
    if (this.stream.write(text)) return;
    await new Promise<void>((resolve, reject) => {
      const done = () => {
        this.stream.off('drain', done).off('close', done).off('error', done);
        if (this.failure || this.stream.destroyed) reject(this.deadError());
        else resolve();
      };
      this.stream.on('drain', done).on('close', done).on('error', done);
    });
  }

  /** Ends the COPY; resolves once PostgreSQL has taken every row. */
  async end(): Promise<void> {
    this.failIfDead();
    this.stream.end();
    await finished(this.stream);
  }

  /** Aborts the COPY (its transaction can then roll back). */
  async abort(): Promise<void> {
    if (!this.stream.destroyed) this.stream.destroy(new Error(COPY_ABORTED));
    await finished(this.stream).catch(() => undefined);
  }

  private failIfDead(): void {
    if (this.failure || this.stream.destroyed) throw this.deadError();
  }

  private deadError(): Error {
    return this.failure ?? this.stream.errored ?? new Error(COPY_ABORTED);
  }
}
