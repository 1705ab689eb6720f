import { startService, type RunningService } from '../../tools/simulator/service-harness.js';
import { type CallOptions, callJson, type JsonResponse } from './http.js';

export type ServiceProcess = RunningService;

/** The built service (`npm run build`) as a child process, as in production. */
export function startServiceProcess(
  env: { DATABASE_URL: string; ADMIN_KEY: string } & Record<string, string>,
  port?: number,
): Promise<ServiceProcess> {
  const { DATABASE_URL, ADMIN_KEY, ...rest } = env;
  return startService({ databaseUrl: DATABASE_URL, adminKey: ADMIN_KEY, port, env: { LOG_LEVEL: 'warn', ...rest } });
}

/** Ends the process with this signal and waits for it to exit. */
export async function killService(service: ServiceProcess, signal: NodeJS.Signals): Promise<void> {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return;
  const exited = new Promise((resolve) => service.child.once('exit', resolve));
  service.child.kill(signal);
  await exited;
}

/** One HTTP call to a service process; as `TestApp.request` for an in-process app. */
export function callService<T = unknown>(service: ServiceProcess, path: string, init: CallOptions = {}): Promise<JsonResponse<T>> {
  return callJson<T>(service.baseUrl, path, init);
}
