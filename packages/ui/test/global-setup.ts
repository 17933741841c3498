import type { TestProject } from 'vitest/node';
import { startServer } from './server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    serverUrl: string;
    /** A second server that tests take down and up (`POST /__down`, `/__up`). */
    flakyServerUrl: string;
  }
}

/** One real wirekit server per project, started in Node outside the test environment. */
export default async function setup(project: TestProject) {
  const server = await startServer();
  const flaky = await startServer();
  project.provide('serverUrl', server.url);
  project.provide('flakyServerUrl', flaky.url);
  return async () => {
    await Promise.all([server.close(), flaky.close()]);
  };
}
