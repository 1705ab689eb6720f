import 'reflect-metadata';
import { startApp } from './platform/bootstrap.js';
import { ConfigError, loadConfig } from './platform/config/config.js';
import { DependencyUnavailableError } from './platform/database/prepare-database.js';

async function main(): Promise<void> {
  try {
    await startApp(loadConfig());
  } catch (error) {
    // Configuration and missing dependencies are operator errors: one clear
    // line and a non-zero exit, no stack trace.
    if (error instanceof ConfigError || error instanceof DependencyUnavailableError) {
      process.stderr.write(`roomwatch: ${error.message}\n`);
      process.exit(1);
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      const { address, port } = error as NodeJS.ErrnoException & { address?: string; port?: number };
      const why = code === 'EADDRINUSE' ? 'is already in use' : code === 'EACCES' ? 'needs privileges this process lacks' : 'is not an address of this host';
      process.stderr.write(`roomwatch: cannot listen on ${address ?? ''}:${port ?? ''}: the port ${why} (set PORT, or HOST)\n`);
      process.exit(1);
    }
    throw error;
  }
}

void main();
