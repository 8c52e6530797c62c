import pg from 'pg';
import { listen } from './schema-owner.store.js';

/** What a ChannelListener reports: a notification on its channel, or its connection lost (error or end). */
export interface ChannelEvents {
  notification: () => void;
  lost: (error: Error | null) => void;
}

/** A dedicated (unpooled) connection LISTENing on one channel; a lost one is ended and replaced by its owner. */
export class ChannelListener {
  private readonly client: pg.Client;

  constructor(connectionString: string, applicationName: string, private readonly channel: string, events: ChannelEvents) {
    this.client = new pg.Client({ connectionString, application_name: applicationName });
    this.client.on('notification', () => events.notification());
    this.client.on('error', (error) => events.lost(error));
    this.client.on('end', () => events.lost(null));
  }

  async start(): Promise<void> {
    await this.client.connect();
    await listen(this.client, this.channel);
  }

  end(): Promise<void> {
    return this.client.end();
  }
}
