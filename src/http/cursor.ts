import { z } from 'zod';

// Keyset pagination cursors: the last item's sort key and id, opaque to clients
// (base64url of JSON) so that what they hold can change without breaking them.

export function encodeCursor(position: object): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** A `cursor` query parameter holding a position of this shape; anything else is a 400 naming it. */
export function cursorParam<T extends z.ZodType>(position: T) {
  return z
    .string()
    .max(1000)
    .transform((text, context): z.output<T> => {
      const parsed = position.safeParse(decoded(text));
      if (parsed.success) return parsed.data;
      context.addIssue({ code: 'custom', message: 'is not a cursor this list handed out', input: text });
      return z.NEVER;
    });
}

function decoded(text: string): unknown {
  try {
    return JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}
