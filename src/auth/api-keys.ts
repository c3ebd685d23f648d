import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ApiKeyConfig, keyHash, type Role, sha256Of } from '../config/config.js';

export interface Principal {
  name: string;
  role: Role;
}

/**
 * Keys are held only as SHA-256 hashes: a heap dump or log line never shows one, and a key is
 * found by its hash, so how long a lookup takes tells nothing of how much of a key was right.
 */
export class ApiKeys {
  private readonly byHash: Map<string, Principal>;

  constructor(entries: Iterable<{ hash: string; principal: Principal }>) {
    this.byHash = new Map([...entries].map(({ hash, principal }) => [hash, principal]));
  }

  static fromConfig(keys: ApiKeyConfig[]): ApiKeys {
    return new ApiKeys(keys.map((entry) => ({ hash: sha256Of(entry), principal: { name: entry.name, role: entry.role } })));
  }

  principalFor(key: string): Principal | undefined {
    return this.byHash.get(keyHash(key));
  }

  /** The principal a key of this name holds now, if one is configured: who a webhook's owner is at delivery. */
  principalNamed(name: string): Principal | undefined {
    return [...this.byHash.values()].find((principal) => principal.name === name);
  }
}


interface StoredAdminKey {
  name: string;
  role: 'admin';
  sha256: string;
}

/**
 * With no API_KEYS, the embedded default creates one admin key on first start, keeps its
 * hash in the data folder and hands the key back once (the caller prints it); later starts
 * find the hash and return no key.
 */
export async function loadOrCreateDefaultAdminKey(dataDir: string): Promise<{ keys: ApiKeys; newKey?: string }> {
  const file = join(dataDir, 'admin-key.json');
  if (existsSync(file)) {
    const stored = JSON.parse(await readFile(file, 'utf8')) as StoredAdminKey;
    return { keys: new ApiKeys([{ hash: stored.sha256, principal: { name: stored.name, role: 'admin' } }]) };
  }
  const key = `il_${randomBytes(24).toString('base64url')}`;
  const stored: StoredAdminKey = { name: 'admin', role: 'admin', sha256: keyHash(key) };
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  return { keys: new ApiKeys([{ hash: stored.sha256, principal: { name: stored.name, role: 'admin' } }]), newKey: key };
}
