import { CONFIDENTIAL_SOURCE_NAME, identifiesConfidentialSources } from '../../auth/confidentiality.js';
import type { Role } from '../../auth/role-names.js';
import type { SourceKind } from '../domain/source.events.js';

// A source as the read routes answer it, shared by the list and the single source. No import
// here may need Node: the desk imports SourceResponse.

export interface SourceResponse {
  id: string;
  name: string;
  kind: SourceKind;
  aliases: string[];
  country?: string;
  description?: string;
  confidential: boolean;
  /** The revision of the source's own stream (its ETag); the track record does not change it. */
  version: number;
  registeredAt: string;
  updatedAt: string;
}

export const SOURCE_COLUMNS = 'id, name, kind, aliases, country, description, confidential, version, registered_at, updated_at';

export interface SourceRow {
  id: string;
  name: string;
  kind: SourceKind;
  aliases: string[];
  country: string | null;
  description: string | null;
  confidential: boolean;
  version: number;
  registered_at: Date;
  updated_at: Date;
}

/**
 * Those not shown who a confidential source is (src/auth/confidentiality.ts) get no name,
 * aliases or description, while its kind and country (how the desk would attribute it in
 * print, "a Malian security source") and its track record stay.
 */
export function sourceAsSeenBy(row: SourceRow, role: Role): SourceResponse {
  const hidden = row.confidential && !identifiesConfidentialSources(role);
  return {
    id: row.id,
    name: hidden ? CONFIDENTIAL_SOURCE_NAME : row.name,
    kind: row.kind,
    aliases: hidden ? [] : row.aliases,
    ...(row.country !== null && { country: row.country }),
    ...(row.description !== null && !hidden && { description: row.description }),
    confidential: row.confidential,
    version: row.version,
    registeredAt: row.registered_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
