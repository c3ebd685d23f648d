import { Injectable, type PipeTransform, type ArgumentMetadata } from '@nestjs/common';
import { uuid } from './schema.js';
import { parseRequest } from './validation.js';

/** A path id must be a UUID: anything else is a 400 naming the parameter. */
@Injectable()
export class EntityId implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    return parseRequest(uuid, value, 'path', metadata.data);
  }
}
