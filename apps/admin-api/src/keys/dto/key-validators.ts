// class-validator decorators over the keys domain rules, so each error names its field.
import { ipAllowlistEntryProblem, scopeProblem } from '@keyward/keys';
import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';

function eachItem(name: string, problemOf: (item: unknown) => string | null, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => Array.isArray(value) && value.every((item) => problemOf(item) === null),
        defaultMessage: (args: ValidationArguments) => {
          const items = Array.isArray(args.value) ? (args.value as unknown[]) : [];
          const index = items.findIndex((item) => problemOf(item) !== null);
          return index === -1 ? 'must be an array' : `item ${index} ${problemOf(items[index])}`;
        },
      },
    });
}

/** Every item is a scope of the API's alphabet (docs/api.md, Limits), `*` only last. */
export const AreScopes = (options?: ValidationOptions) => eachItem('areScopes', scopeProblem, options);

/** Every item is an IPv4/IPv6 address or CIDR. */
export const AreIpAllowlistEntries = (options?: ValidationOptions) => eachItem('areIpAllowlistEntries', ipAllowlistEntryProblem, options);

/** A plain JSON object of at most `maxBytes` bytes once serialised. */
export function IsJsonObjectOfAtMost(maxBytes: number, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isJsonObjectOfAtMost',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Buffer.byteLength(JSON.stringify(value), 'utf8') <= maxBytes,
        defaultMessage: () => `must be a JSON object of at most ${maxBytes} bytes`,
      },
    });
}
