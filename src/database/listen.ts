import pg from 'pg';
import { newClient } from './pool.js';

export interface Listening {
  /** Stops listening and closes the connection; `lost` is not called for it. */
  stop(): Promise<void>;
}

/**
 * LISTENs on `channel` on a connection of its own, outside the pool (it is held for as long
 * as it listens), and hands every notification's payload to `heard`. When the connection
 * fails or ends, it is closed and `lost` is called, once. Rejects if it cannot start, after
 * calling `lost`.
 */
export async function listen(pool: pg.Pool, channel: string, heard: (payload: string | undefined) => void, lost: () => void): Promise<Listening> {
  let live = true;
  const end = () => client.end().catch(() => undefined);
  const drop = () => {
    if (!live) return;
    live = false;
    void end();
    lost();
  };
  const client = newClient(pool.options, drop);
  client.on('end', drop);
  client.on('notification', ({ payload }) => heard(payload));
  try {
    await client.connect();
    await client.query(`LISTEN ${channel}`);
  } catch (error) {
    drop();
    throw error;
  }
  return {
    stop: async () => {
      live = false;
      await end();
    },
  };
}
