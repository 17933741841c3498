import type { TestProject } from 'vitest/node';
import { startEchoWsServer } from './ws-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    wsUrl: string;
  }
}

/** Starts a real `ws` server on loopback for the browser tests (they cannot open ports). */
export default async function setup(project: TestProject) {
  const server = await startEchoWsServer();
  project.provide('wsUrl', server.url);
  return () => server.close();
}
