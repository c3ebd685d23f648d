import { z } from 'zod';
import { queryInteger } from '../../http/query-integer.js';
import { countryCode, text, uuid } from '../../http/schema.js';
import { SUBSCRIPTION_LIMITS as LIMIT } from '../alert-api.js';
import { TRIGGERS } from '../domain/alerts.js';

// The shapes of the subscription requests. Where a webhook may point is checked against the
// configuration's allowlist when the request is handled (safe-target.ts).

const target = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('desk') }),
  z.strictObject({ kind: z.literal('webhook'), url: z.url({ protocol: /^https?$/, error: 'must be an https:// (or allowed http://) URL' }).max(LIMIT.url) }),
]);

const ids = z.array(uuid).min(1).max(LIMIT.ids);

const filters = z.strictObject({
  incidentIds: ids.optional().describe('only these incidents'),
  country: countryCode.optional(),
  region: text(LIMIT.region).optional(),
  tags: z.array(text(LIMIT.tag)).min(1).max(LIMIT.tags).optional().describe('incidents with any of these tags'),
  claimantIds: ids.optional().describe('events concerning claims or statements of any of these sources'),
});

const triggers = z
  .array(z.enum(TRIGGERS))
  .min(1)
  .refine((list) => new Set(list).size === list.length, { message: 'lists a trigger twice', params: { code: 'duplicate_trigger' } });

const description = text(LIMIT.description);

export const CreateSubscriptionRequest = z.strictObject({
  id: uuid.optional().describe('Supply your own id to make the call safe to retry; otherwise the server chooses one.'),
  target: target.describe('`{ kind: "desk" }`: alerts in the desk of the key that subscribes; `{ kind: "webhook", url }`: signed POSTs to the URL'),
  filters: filters.default({}).describe('every filter given must hold; none: every incident'),
  triggers: triggers.describe(`what to be alerted to: ${TRIGGERS.join(', ')}`),
  description: description.optional(),
});

export const UpdateSubscriptionRequest = z
  .strictObject({
    target: target.optional().describe('a webhook may move to another URL (its secret stays); a subscription stays a webhook or a desk one'),
    filters: filters.optional(),
    triggers: triggers.optional(),
    description: description.nullable().optional(),
    status: z.enum(['active', 'paused']).optional().describe('`active` resumes a paused subscription: its waiting alerts are sent'),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'must change at least one field', params: { code: 'nothing_to_change' } });

export const PageRequest = z.strictObject({
  limit: queryInteger(1, 200).prefault(50),
  before: queryInteger(1, Number.MAX_SAFE_INTEGER).optional().describe('the `seq` to page back from: `nextBefore` of the page before'),
});
