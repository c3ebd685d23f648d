import { type PipeTransform } from '@nestjs/common';
import { z } from 'zod';
import type { FieldError } from './problem-document.js';
import { RequestValidationError } from './problem.js';

type Location = 'body' | 'query' | 'path' | 'header';

/** Parses a request part with a zod schema; failures become 400s naming each field. */
export function parseRequest<T extends z.ZodType>(schema: T, value: unknown, location: Location, name?: string): z.output<T> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => (name ? { ...issue, path: [name, ...issue.path] } : issue));
  throw new RequestValidationError(issues.flatMap((issue) => fieldErrors(issue, location)));
}

/** `@Body(new Valid(schema))`: the controller receives the parsed, typed value. */
export class Valid<T extends z.ZodType> implements PipeTransform<unknown, z.output<T>> {
  constructor(
    private readonly schema: T,
    private readonly location: Location = 'body',
  ) {}

  transform(value: unknown): z.output<T> {
    return parseRequest(this.schema, value, this.location);
  }
}

function fieldErrors(issue: z.core.$ZodIssue, location: string): FieldError[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ field: fieldPath([...issue.path, key], location), code: 'unknown_field', message: 'is not a field of this request' }));
  }
  const field = fieldPath(issue.path, location);
  if (issue.code === 'invalid_type' && issue.input === undefined) return [{ field, code: 'required', message: 'is required' }];
  return [{ field, code: issue.code, message: issue.message }];
}

/** `['figures', 0, 'value']` → `figures[0].value` (body), `query.limit`, `header.if-match`. */
function fieldPath(path: PropertyKey[], location: string): string {
  const joined = path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '');
  if (location === 'body') return joined || 'body';
  return joined ? `${location}.${joined}` : location;
}
