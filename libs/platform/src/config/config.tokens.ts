/** Injection token of the process's frozen KeywardConfig. */
export const KEYWARD_CONFIG = Symbol('KEYWARD_CONFIG');
