import type { Role } from './role-names.js';

// Who a confidential source is (PRODUCT.md §3): the rule, written once, for every route that
// answers with sources (the source view and its list, incident views, timelines). Editors and
// admins are shown it: they record its words. Readers never; nor auditors, who read the raw
// events where they need them.

/** Whether `role` is shown who a confidential source is: its name, aliases, description and words. */
export function identifiesConfidentialSources(role: Role): boolean {
  return role === 'editor' || role === 'admin';
}

/** What a confidential source is called to everyone else. */
export const CONFIDENTIAL_SOURCE_NAME = 'Confidential source';
