import type { TestProject } from 'vitest/node';
import { startServer } from './server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    serverUrl: string;
    /** A second server that tests take down and up (`POST /__down`, `/__up`). */
    flakyServerUrl: string;
    /** A server for the memory run alone (no rate limit), so its socket count is exact. */
    memoryServerUrl: string;
  }
}

/** One real wirekit server per project, started in Node outside the test environment. */
export default async function setup(project: TestProject) {
  const server = await startServer();
  const flaky = await startServer();
  const memory = await startServer({ rateLimit: false });
  project.provide('serverUrl', server.url);
  project.provide('flakyServerUrl', flaky.url);
  project.provide('memoryServerUrl', memory.url);
  return async () => {
    await Promise.all([server.close(), flaky.close(), memory.close()]);
  };
}
