export * from './domain/key-format';
