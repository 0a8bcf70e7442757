import { NotFoundError, type TenantStatus } from '@keyward/platform';

export interface Tenant {
  readonly id: string;
  readonly name: string;
  readonly status: TenantStatus;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export class TenantNotFoundError extends NotFoundError {
  constructor() {
    super('The tenant');
  }
}
