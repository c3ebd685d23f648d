import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type pg from 'pg';
import { type AppConfig, ConfigError } from '../../config/config.js';
import type { ReadModelChanges } from '../../projections/read-model-changes.js';
import { sourceStreamId } from '../domain/source.streams.js';
import { sourceViewProjection } from '../projections/source-view/source-view.projection.js';
import { decrypt, encrypt } from './field-cipher.js';

/** A source whose key was destroyed: what it sealed can no longer be read. */
export const ERASED = 'erased';

export type SourceKey = Buffer | typeof ERASED;

const SOURCE_STREAM = sourceStreamId('');

/**
 * Each source's own AES-256 key, in a table of their own (source_keys), wrapped by the master
 * key from configuration. Erasure destroys the wrapped key and keeps the row, so that the
 * source is known to be erased: its sealed fields are then read as erased, and none is
 * sealed for it again. Keys are read from the table each time, never kept in memory: a
 * key another process destroyed must stop opening here at once.
 */
export class SourceKeys {
  /**
   * Sources known not to be erased, so that a claim naming them asks the database nothing
   * more. Kept only while this process hears every change to the read models: an erasure in
   * any process is announced as its source's stream changing, and is forgotten here then.
   */
  private readonly live = new Set<string>();
  private sourceChangesHeard = 0;
  private heardUpTo?: string | null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly masterKey: Buffer,
    private readonly changes?: ReadModelChanges,
  ) {
    // Followed through the source view's changes, which every erasure is one of.
    changes?.subscribe(({ projections, streams, from, to }) => {
      if (!projections.includes(sourceViewProjection.name) && !projections.includes('*')) return;
      // One that does not follow the last one heard: something was announced in between, unheard.
      const missed = to === undefined || (this.heardUpTo !== undefined && from !== this.heardUpTo);
      this.heardUpTo = to;
      const sources = streams === 'all' || missed ? 'all' : streams.filter((stream) => stream.startsWith(SOURCE_STREAM));
      // Only a change to a source may be its erasure: the incidents' changes, one a claim, leave what is known.
      if (sources.length === 0) return;
      this.sourceChangesHeard++;
      if (sources === 'all') this.live.clear();
      else for (const stream of sources) this.live.delete(stream.slice(SOURCE_STREAM.length));
    });
  }

  /** The keys to seal with, made for sources that have none yet (an erased source's is ERASED). */
  async forSealing(sourceIds: readonly string[]): Promise<Map<string, SourceKey>> {
    const keys = await this.read(sourceIds);
    const missing = [...new Set(sourceIds.filter((id) => !keys.has(id)))];
    if (missing.length === 0) return keys;
    const made = missing.map((id) => encrypt(this.masterKey, id, randomBytes(32)));
    // Two processes may make a key for one source at once: the first stored is everyone's.
    await this.pool.query('INSERT INTO source_keys (source_id, wrapped_key) SELECT * FROM unnest($1::uuid[], $2::bytea[]) ON CONFLICT DO NOTHING', [missing, made]);
    for (const [id, key] of await this.read(missing)) keys.set(id, key);
    return keys;
  }

  /** The keys to open with; a source never sealed for has none. */
  forOpening(sourceIds: readonly string[]): Promise<Map<string, SourceKey>> {
    return this.read(sourceIds);
  }

  /**
   * Which of `sourceIds` were erased. Another process's erasure is heard of here through
   * PostgreSQL (moments): a claim naming the source meanwhile holds no sealed field, and a
   * statement is refused by the seal all the same.
   */
  async erasedAmong(sourceIds: readonly string[]): Promise<Set<string>> {
    const trusted = this.changes?.connected === true;
    const unknown = trusted ? sourceIds.filter((id) => !this.live.has(id)) : sourceIds;
    if (unknown.length === 0) return new Set();
    const heard = this.sourceChangesHeard;
    const { rows } = await this.pool.query<{ source_id: string }>('SELECT source_id FROM source_keys WHERE source_id = ANY($1::uuid[]) AND wrapped_key IS NULL', [unknown]);
    const erased = new Set(rows.map((row) => row.source_id));
    // An answer that a change to a source overtook may be out of date already: it is not kept.
    if (trusted && heard === this.sourceChangesHeard) for (const id of unknown) if (!erased.has(id)) this.live.add(id);
    return erased;
  }

  /** For good: the key goes, the row stays as the mark of an erased source (one never sealed for included). */
  async destroy(sourceId: string): Promise<void> {
    this.sourceChangesHeard++;
    this.live.delete(sourceId);
    await this.pool.query(
      `INSERT INTO source_keys (source_id, wrapped_key, erased_at) VALUES ($1, NULL, now())
       ON CONFLICT (source_id) DO UPDATE SET wrapped_key = NULL, erased_at = coalesce(source_keys.erased_at, now())`,
      [sourceId],
    );
    // Told at once, not when the erasure is projected: every process forgets the source was
    // live (and what it holds of it), though the projection lag or have stopped.
    await this.changes?.announce({ projections: [sourceViewProjection.name], streams: [sourceStreamId(sourceId)] });
  }

  private async read(sourceIds: readonly string[]): Promise<Map<string, SourceKey>> {
    const keys = new Map<string, SourceKey>();
    if (sourceIds.length === 0) return keys;
    const { rows } = await this.pool.query<{ source_id: string; wrapped_key: Buffer | null }>(
      'SELECT source_id, wrapped_key FROM source_keys WHERE source_id = ANY($1::uuid[])',
      [[...new Set(sourceIds)]],
    );
    for (const row of rows) keys.set(row.source_id, row.wrapped_key === null ? ERASED : decrypt(this.masterKey, row.source_id, row.wrapped_key));
    return keys;
  }
}

const KEY_FILE = 'source-keys-master.key';

/**
 * SOURCE_KEYS_MASTER_KEY; in the embedded default (no DATABASE_URL), the one kept in DATA_DIR,
 * made there on first start. Every process on a shared database must unwrap with the one
 * key, so there it is required.
 */
export async function sourceKeysMasterKeyFor(config: AppConfig, { log = console.log }: { log?: (line: string) => void } = {}): Promise<Buffer> {
  if (config.SOURCE_KEYS_MASTER_KEY) return config.SOURCE_KEYS_MASTER_KEY;
  if (config.DATABASE_URL) {
    throw new ConfigError(
      'Invalid configuration:\n  SOURCE_KEYS_MASTER_KEY: is required with DATABASE_URL, so that every process of the service reads the sources it keeps sealed; make one with `openssl rand -base64 32`',
    );
  }
  const file = join(resolve(config.DATA_DIR), KEY_FILE);
  if (existsSync(file)) return Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
  const key = randomBytes(32);
  await mkdir(resolve(config.DATA_DIR), { recursive: true });
  await writeFile(file, key.toString('base64'), { mode: 0o600 });
  log(`No SOURCE_KEYS_MASTER_KEY set: made the key that wraps each source's key in ${file}. Keep that file: without it no source's name or words can be read.`);
  return key;
}
