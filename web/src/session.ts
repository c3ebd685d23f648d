import { ROLES, type Me, type Role } from './api-types';

// The API key lives in sessionStorage only: it goes when the browser tab closes, and
// never into localStorage, a cookie or the URL.

export interface Session extends Me {
  key: string;
}

const STORAGE_KEY = 'incident-ledger.session';

export function loadSession(): Session | null {
  try {
    const stored = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null') as Partial<Session> | null;
    if (stored && typeof stored.key === 'string' && typeof stored.name === 'string' && ROLES.includes(stored.role as Role)) return stored as Session;
  } catch {
    // a damaged entry: sign in again
  }
  return null;
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

/** What a role may do, as the service grants it (reader < editor; auditor = reader + the raw record). */
export function canWrite(role: Role): boolean {
  return role === 'editor' || role === 'admin';
}

export function canAudit(role: Role): boolean {
  return role === 'auditor' || role === 'admin';
}
