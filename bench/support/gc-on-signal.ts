// Preloaded (`node --expose-gc -r .../gc-on-signal.js`) into the verify process that `npm run
// capacity` measures, and into no other: SIGWINCH runs a full garbage collection, so the heap and
// RSS read right after count what the process keeps (its caches), not garbage waiting for a GC.
// SIGWINCH because a process without this hook ignores it, and because Nest's shutdown hooks
// (enableShutdownHooks() with no list) stop the app on SIGUSR2; SIGUSR1 starts Node's inspector.
process.on('SIGWINCH', () => (globalThis as { gc?: () => void }).gc?.());
