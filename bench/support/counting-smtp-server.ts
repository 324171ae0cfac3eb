import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server (the smtp-server package) that counts the messages it receives by Message-ID: a message counts
 * once its final dot arrived (a DATA cut short by a dying client never counts). Recipients whose address starts with
 * "bounce" are refused at RCPT with 550 5.1.1. `stall()` makes it hold its replies to the ends of DATA (the messages
 * count, their 250 never comes), so that a test can stop a client with every message of its in flight. Shared by the
 * dispatch tests and bench:campaigns (which reads `total()` over time for the messages per second).
 */
export class CountingSmtpServer {
  readonly received = new Map<string, number>();
  /** The replies held while stalled, and the connections open now. */
  readonly held: (() => void)[] = [];
  connections = 0;
  private stalled = false;
  private count = 0;

  private constructor(
    private readonly server: SMTPServer,
    readonly url: string,
  ) {}

  static async start(): Promise<CountingSmtpServer> {
    // eslint-disable-next-line prefer-const -- assigned once the server exists; its handlers run after that
    let self!: CountingSmtpServer;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      maxClients: 50,
      onConnect: (_session, callback) => {
        self.connections++;
        callback();
      },
      onClose: () => {
        self.connections--;
      },
      onRcptTo: (address, _session, callback) => {
        if (address.address.startsWith('bounce'))
          return callback(Object.assign(new Error('5.1.1 No such mailbox'), { responseCode: 550 }));
        callback();
      },
      onData: (stream, _session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', () => undefined); // cut short: nothing received
        stream.on('end', () => {
          const head = Buffer.concat(chunks).toString('utf8').split('\r\n\r\n')[0];
          const id = /^Message-ID:\s*(\S+)/im.exec(head)?.[1] ?? '?';
          self.received.set(id, (self.received.get(id) ?? 0) + 1);
          self.count++;
          if (self.stalled) self.held.push(() => callback());
          else callback(null, 'Queued');
        });
      },
    });
    // port 0: the OS picks a free one
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.server.address();
    if (!address || typeof address !== 'object') throw new Error('The SMTP server has no port');
    self = new CountingSmtpServer(server, `smtp://127.0.0.1:${address.port}`);
    return self;
  }

  stall(): void {
    this.stalled = true;
  }

  resume(): void {
    this.stalled = false;
    for (const reply of this.held.splice(0)) reply();
  }

  /** Messages received, duplicates included. */
  total(): number {
    return this.count;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
