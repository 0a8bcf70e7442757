import { InvalidationPublisher } from '@keyward/platform';
import { Injectable } from '@nestjs/common';
import type { ApiKey } from '../domain/api-key';

/** Tells every verify process to drop its cached copy of a key (after commit). */
@Injectable()
export class KeyInvalidation {
  constructor(private readonly publisher: InvalidationPublisher) {}

  announce(key: Pick<ApiKey, 'id' | 'tenantId'>): Promise<void> {
    return this.publisher.publish({ kind: 'key', id: key.id, tenantId: key.tenantId });
  }

  /** Tells every verify process to drop its cached copy of an owner record (after commit). */
  announceOwner(owner: { tenantId: string; ownerId: string }): Promise<void> {
    return this.publisher.publish({ kind: 'owner', id: owner.ownerId, tenantId: owner.tenantId });
  }
}
