// The roles an API key may hold (PRODUCT.md §5). Imports nothing: the desk's bundle takes it as it is.
export const ROLES = ['reader', 'editor', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];
