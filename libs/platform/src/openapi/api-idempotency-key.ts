import { ApiHeader } from '@nestjs/swagger';

/**
 * Documents the optional Idempotency-Key header of a creating route (IdempotencyInterceptor). Its
 * route also documents VALIDATION_FAILED (a bad key), IDEMPOTENCY_KEY_IN_USE and IDEMPOTENCY_KEY_REUSED.
 */
export function ApiIdempotencyKey(): MethodDecorator & ClassDecorator {
  return ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      '1 to 255 printable ASCII characters (a UUID will do). A retry with the same key and the same body within 24 hours gets ' +
      'the first answer again (same status, same body, a secret included) and creates nothing; the same key with another body ' +
      'is 422 IDEMPOTENCY_KEY_REUSED, and a retry while the first request is still running is 409 IDEMPOTENCY_KEY_IN_USE.',
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7E]+$' },
    example: '6f9c2d4e-8a1b-4c3d-9e5f-7a8b9c0d1e2f',
  });
}
