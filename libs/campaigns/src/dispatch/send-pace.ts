/** Spaces the starts of sends to at most `perMinute` a minute, across the concurrent senders that share it. */
export class SendPace {
  private next = Date.now();
  private readonly intervalMs: number;

  constructor(perMinute: number) {
    this.intervalMs = 60_000 / Math.max(1, perMinute);
  }

  /** Resolves when the next send may start. */
  async wait(): Promise<void> {
    const at = Math.max(this.next, Date.now());
    this.next = at + this.intervalMs;
    const delay = at - Date.now();
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
