import { InvalidationPublisher } from '@keyward/platform';
import { Injectable } from '@nestjs/common';

/**
 * Tells every verify process that a role changed (call after commit): each drops its cached copy of the
 * role, and the keys that have it take the new scopes at their next verification (docs/api.md, Roles).
 */
@Injectable()
export class RoleInvalidation {
  constructor(private readonly publisher: InvalidationPublisher) {}

  announce(tenantId: string, name: string): Promise<void> {
    return this.publisher.publish({ kind: 'role', tenantId, name });
  }
}
