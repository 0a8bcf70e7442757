import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { ValidationFailedError, type FieldError } from '../errors/domain-error';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Checks of a value's type. When one fails it is the message a field gets, whatever else failed:
 * `"remaining": "5"` must say it is not an integer, not that it is out of range. (class-validator
 * runs a property's checks in the order its decorators were applied, bottom-up, so "the first
 * failure" would depend on how each DTO happens to list them.)
 */
const TYPE_CHECKS = ['isDefined', 'isString', 'isInt', 'isNumber', 'isBoolean', 'isArray', 'isObject', 'nestedValidation'];

/** The one constraint a field's error reports: a failed type check first, else the first that failed. */
function chosenConstraint(constraints: Record<string, string>): string | undefined {
  const failed = Object.keys(constraints);
  const name = TYPE_CHECKS.find((check) => failed.includes(check)) ?? failed[0];
  return name === undefined ? undefined : constraints[name];
}

/** `rateLimits[1].name`: an item of a list is named by its index, a field of an object by its name. */
function pathOf(parent: string, property: string): string {
  if (!parent) return property;
  return /^\d+$/.test(property) ? `${parent}[${property}]` : `${parent}.${property}`;
}

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = pathOf(parent, error.property);
    const message = chosenConstraint(error.constraints ?? {});
    const own =
      message === undefined
        ? []
        : [
            {
              field,
              // class-validator starts its messages with the property name; the field is named separately.
              message: message.startsWith(`property ${error.property} `)
                ? 'is not an allowed field'
                : message.replace(new RegExp(`^${escapeRegExp(error.property)} `), ''),
            },
          ];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** DTO validation: unknown fields refused, every failure named by its field path. */
class KeywardValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const expectsObject = metadata.type === 'body' && typeof metadata.metatype === 'function' && metadata.metatype !== Object;
    if (expectsObject && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw new ValidationFailedError([{ field: 'body', message: 'must be a JSON object' }]);
    }
    // class-transformer silently drops a field named like an Object.prototype member (toString,
    // constructor, ...) or `prototype` (a member of the DTO's class), so forbidNonWhitelisted never
    // sees it: refuse such fields here.
    const withDto =
      (metadata.type === 'body' || metadata.type === 'query') && typeof metadata.metatype === 'function' && metadata.metatype !== Object;
    if (withDto && typeof value === 'object' && value !== null) {
      const inherited = Object.keys(value).filter((name) => name in Object.prototype || name === 'prototype');
      if (inherited.length > 0) {
        throw new ValidationFailedError(inherited.map((field) => ({ field, message: 'is not an allowed field' })));
      }
    }
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new KeywardValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    // Every check runs, so that flatten() can report the type check where one failed.
    stopAtFirstError: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationFailedError(flatten(errors)),
  });
}
