import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { WebhookEventType } from './domain/webhook-events';

@Entity('webhook_subscriptions')
export class WebhookEntity {
  /** Made by the app, not the database: the sealed secret's associated data names it. */
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId: string;

  @Column('text')
  url: string;

  @Column('text', { array: true })
  events: WebhookEventType[];

  @Column('bytea', { name: 'sealed_secret', select: false })
  sealedSecret: Buffer;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;
}
