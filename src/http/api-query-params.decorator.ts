import { applyDecorators } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import type { z } from 'zod';
import { openApi } from './schema.js';

/** One OpenAPI query parameter per field of the schema the route validates its query with. */
export function ApiQueryParams(schema: z.ZodObject) {
  const { properties = {}, required = [] } = openApi(schema) as { properties?: Record<string, { description?: string }>; required?: string[] };
  return applyDecorators(
    ...Object.entries(properties).map(([name, property]) => ApiQuery({ name, required: required.includes(name), description: property.description, schema: property })),
  );
}
