import type { Role } from '../config/config.js';

// reader < editor; auditor = reader + raw events and ledger; admin = everything (PRODUCT.md §5).
const GRANTS: Record<Role, readonly Role[]> = {
  reader: ['reader'],
  editor: ['reader', 'editor'],
  auditor: ['reader', 'auditor'],
  admin: ['reader', 'editor', 'auditor', 'admin'],
};

export function roleAllows(held: Role, required: Role): boolean {
  return GRANTS[held].includes(required);
}
