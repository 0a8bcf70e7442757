export * from './domain/ed25519-key';
export * from './signing-key-ring';
export * from './signing.module';
export * from './principal-keys';
