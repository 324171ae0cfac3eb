import { logger } from '@app/common';

/**
 * Work repeated on a timer in the processes that run jobs (the reaper, the retention sweep): a first pass
 * `firstDelayMs` after start(), then one `everyMs` after each pass ends, so that two never overlap. The timer keeps
 * no process alive (unref'd); a failed pass is logged with `failure` and the next one runs anyway. stop() cancels
 * the next pass and waits for the current one, which may check `stopping` to end early.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;

  constructor(
    private readonly pass: () => Promise<unknown>,
    private readonly everyMs: number,
    private readonly failure: string,
  ) {}

  /** True once stop() was called. */
  get stopping(): boolean {
    return this.stopped;
  }

  start(firstDelayMs: number): void {
    this.schedule(firstDelayMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pass()
        .catch((error: unknown) => logger.warn({ err: error }, this.failure))
        .finally(() => {
          this.running = null;
          this.schedule(this.everyMs);
        });
    }, delayMs);
    this.timer.unref();
  }
}
