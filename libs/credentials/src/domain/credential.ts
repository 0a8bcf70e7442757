import { NotFoundError, type CredentialRole } from '@keyward/platform';

export interface Credential {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly role: CredentialRole;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
}

/** A newly issued credential with its token, which exists only in this value and its response. */
export interface IssuedCredential {
  readonly credential: Credential;
  readonly token: string;
}

export class CredentialNotFoundError extends NotFoundError {
  constructor() {
    super('The credential');
  }
}
