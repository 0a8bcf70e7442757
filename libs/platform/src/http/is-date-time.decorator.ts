import { applyDecorators } from '@nestjs/common';
import { IsISO8601, Matches } from 'class-validator';

/** RFC 3339 date-time. IsISO8601 alone also admits week and ordinal dates, which Date cannot read. */
const RFC3339_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** A timestamp field of the API (docs/api.md, Conventions): an RFC 3339 date-time that new Date() reads exactly. */
export function IsDateTime(): PropertyDecorator {
  return applyDecorators(
    Matches(RFC3339_DATE_TIME, { message: 'must be an RFC 3339 date-time such as 2030-01-01T00:00:00Z' }),
    IsISO8601({ strict: true, strictSeparator: true }),
  );
}
