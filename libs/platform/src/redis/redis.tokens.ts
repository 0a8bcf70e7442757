/** The command connection every Redis user of a process shares. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
