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
  /** Its key was destroyed (POST /sources/{id}/erasure): named "erased source", to everyone. */
  erased: boolean;
  /** The revision of the source's own stream (its ETag); the track record does not change it. */
  version: number;
  registeredAt: string;
  updatedAt: string;
}

export const SOURCE_COLUMNS = 'id, name, kind, aliases, country, description, confidential, erased, version, registered_at, updated_at';

export interface SourceRow {
  id: string;
  name: string;
  kind: SourceKind;
  aliases: string[];
  country: string | null;
  description: string | null;
  confidential: boolean;
  erased: boolean;
  version: number;
  registered_at: Date;
  updated_at: Date;
}

/**
 * Those not shown who a confidential source is (src/auth/confidentiality.ts) get no name,
 * aliases or description, while its kind and country (how the desk would attribute it in
 * print, "a Malian security source") and its track record stay. An erased source has
 * nothing left to hide: everyone sees the same "erased source".
 */
export function sourceAsSeenBy(row: SourceRow, role: Role): SourceResponse {
  const hidden = isHiddenFrom(row, role);
  return {
    id: row.id,
    name: hidden ? CONFIDENTIAL_SOURCE_NAME : row.name,
    kind: row.kind,
    aliases: hidden ? [] : row.aliases,
    ...(row.country !== null && { country: row.country }),
    ...(row.description !== null && !hidden && { description: row.description }),
    confidential: row.confidential,
    erased: row.erased,
    version: row.version,
    registeredAt: row.registered_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Whether the row tells who a confidential source is (an erased one's tells no one anything): its showing is logged. */
export function tellsAConfidentialIdentity(row: Pick<SourceRow, 'confidential' | 'erased'>): boolean {
  return row.confidential && !row.erased;
}

function isHiddenFrom(row: Pick<SourceRow, 'confidential' | 'erased'>, role: Role): boolean {
  return tellsAConfidentialIdentity(row) && !identifiesConfidentialSources(role);
}
