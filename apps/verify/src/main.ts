import { enforceShutdownDeadline, loadKeywardConfig } from '@keyward/platform';
import { createVerifyApp } from './verify.app';

async function main(): Promise<void> {
  const config = loadKeywardConfig(process.env);
  enforceShutdownDeadline(config.shutdownGraceMs, 'verify');
  const app = await createVerifyApp({ config });
  await app.listen({ port: config.verifyPort, host: config.host });
}

main().catch((error: Error) => {
  process.stderr.write(`verify failed to start: ${error.message}\n`);
  process.exit(1);
});
