import pg from "pg";
import { CANCEL_CHANNEL, JOB_CHANNEL } from "../server/jobs/executor";

/**
 * A dedicated connection LISTENing for new jobs and cancel requests. If it drops, it
 * reconnects with a delay; meanwhile the claim loop's polling keeps the worker going.
 */
export class QueueListener {
  private client: pg.Client | null = null;
  private stopped = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly onJob: (type: string) => void,
    private readonly onCancel: (jobId: string) => void,
    private readonly onError: (error: Error) => void,
  ) {}

  async start(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.databaseUrl });
    client.on("notification", (message) => {
      if (message.channel === JOB_CHANNEL) this.onJob(message.payload ?? "");
      else if (message.channel === CANCEL_CHANNEL && message.payload) this.onCancel(message.payload);
    });
    client.on("error", (error) => {
      this.onError(error);
      this.reconnectLater();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${JOB_CHANNEL}`);
      await client.query(`LISTEN ${CANCEL_CHANNEL}`);
      this.client = client;
    } catch (error) {
      this.onError(error as Error);
      await client.end().catch(() => undefined);
      this.reconnectLater();
    }
  }

  private reconnectLater(): void {
    this.client = null;
    if (!this.stopped) setTimeout(() => void this.start(), 2000).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.client?.end().catch(() => undefined);
  }
}
