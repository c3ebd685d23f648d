import { type PipeTransform } from '@nestjs/common';
import { z } from 'zod';
import { isStorableText } from '../common/input-formats.js';
import type { FieldError } from './problem-document.js';
import { RequestValidationError } from './problem.js';

type Location = 'body' | 'query' | 'path' | 'header';

/** Parses a request part with a zod schema; failures become 400s naming each field. */
export function parseRequest<T extends z.ZodType>(schema: T, value: unknown, location: Location, name?: string): z.output<T> {
  const prefix = name === undefined ? [] : [name];
  const unstorableText = unstorableTextPaths(value).map((path) => ({
    field: fieldPath([...prefix, ...path], location),
    code: 'invalid_characters',
    message: 'contains U+0000 or an unpaired UTF-16 surrogate, which cannot be stored, or ⟦ or ⟧, which the timeline reserves for its references to sources',
  }));
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success && unstorableText.length === 0) return result.data;
  const invalid = result.success ? [] : result.error.issues.flatMap((issue) => fieldErrors({ ...issue, path: [...prefix, ...issue.path] }, location));
  throw new RequestValidationError([...unstorableText, ...invalid]);
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

// Enough to show the client what to fix, without echoing a huge body back.
const MAX_REPORTED = 20;

interface Visit {
  value: unknown;
  key?: PropertyKey;
  parent?: Visit;
}

/**
 * The paths of the strings (object keys too) that PostgreSQL cannot store, anywhere in
 * the input. Iterative, with paths kept as parent links: a body may nest deeper than the
 * call stack, and a path is built only for what is reported.
 */
function unstorableTextPaths(input: unknown): PropertyKey[][] {
  const found: Visit[] = [];
  const pending: Visit[] = [{ value: input }];
  for (let visit = pending.pop(); visit !== undefined && found.length < MAX_REPORTED; visit = pending.pop()) {
    const { value } = visit;
    if (typeof value === 'string') {
      if (!isStorableText(value)) found.push(visit);
    } else if (typeof value === 'object' && value !== null) {
      const children: [PropertyKey, unknown][] = Array.isArray(value) ? value.map((item, index) => [index, item]) : Object.entries(value);
      // Reversed onto the stack, so that fields are reported in the order the client wrote them.
      for (const [key, child] of children.reverse()) {
        const childVisit = { value: child, key, parent: visit };
        if (typeof key === 'string' && !isStorableText(key)) found.push(childVisit);
        else pending.push(childVisit);
      }
    }
  }
  return found.slice(0, MAX_REPORTED).map(pathOf);
}

function pathOf(visit: Visit): PropertyKey[] {
  const path: PropertyKey[] = [];
  for (let at: Visit | undefined = visit; at?.key !== undefined; at = at.parent) path.push(at.key);
  return path.reverse();
}

function fieldErrors(issue: z.core.$ZodIssue, location: string): FieldError[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ field: fieldPath([...issue.path, key], location), code: 'unknown_field', message: 'is not a field of this request' }));
  }
  const field = fieldPath(issue.path, location);
  if (issue.code === 'invalid_type' && issue.input === undefined) return [{ field, code: 'required', message: 'is required' }];
  // A schema's own rule names itself in `params.code` (e.g. `time_out_of_range`).
  const code = issue.code === 'custom' && typeof issue.params?.code === 'string' ? issue.params.code : issue.code;
  return [{ field, code, message: issue.message }];
}

/** `['figures', 0, 'value']` → `figures[0].value` (body), `query.limit`, `header.if-match`. */
function fieldPath(path: PropertyKey[], location: string): string {
  const joined = path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '');
  if (location === 'body') return joined || 'body';
  return joined ? `${location}.${joined}` : location;
}
