import { Injectable, type PipeTransform } from '@nestjs/common';
import { NotFoundError } from '../errors/domain-error';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path id that cannot be one of ours is simply not found (docs/api.md, Conventions), never 400. */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, string> {
  constructor(private readonly what = 'The resource') {}

  transform(value: string): string {
    if (!UUID.test(value)) throw new NotFoundError(this.what);
    return value.toLowerCase();
  }
}
