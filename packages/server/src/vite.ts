import type { Plugin } from 'vite';
import { attachToHttpServer, type AttachedWirekit, type AttachToHttpOptions } from './node.js';
import type { WirekitUser } from './services/session.js';

/** Options of the {@link wirekit} Vite plugin. */
export type WirekitViteOptions<U extends WirekitUser = WirekitUser> = AttachToHttpOptions<U> & {
  /**
   * Attach to `vite preview` too.
   * @default true
   */
  preview?: boolean;
};

/**
 * A Vite plugin that serves wirekit on the dev server's own port (`vite dev`)
 * and on `vite preview`. In middleware mode Vite has no HTTP server of its
 * own; the plugin then does nothing (attach to your server with
 * `@wirekit/server/node`).
 *
 * @example
 * // vite.config.ts
 * import { sveltekit } from '@sveltejs/kit/vite';
 * import { wirekit } from '@wirekit/server/vite';
 * export default defineConfig({
 *   plugins: [sveltekit(), wirekit({ authenticate: (token) => ({ id: token, name: token }) })],
 * });
 */
export function wirekit<U extends WirekitUser = WirekitUser>(
  options: WirekitViteOptions<U>,
): Plugin {
  const { preview = true, ...attachOptions } = options;
  let current: AttachedWirekit<U> | undefined;
  const attach = (httpServer: Parameters<typeof attachToHttpServer>[0] | null) => {
    if (!httpServer) return;
    // A restarted dev server brings a new HTTP server: drop the old attachment.
    void current?.close();
    current = attachToHttpServer(httpServer, attachOptions);
  };
  return {
    name: 'wirekit',
    configureServer(server) {
      attach(server.httpServer);
    },
    configurePreviewServer(server) {
      if (preview) attach(server.httpServer);
    },
  };
}

export default wirekit;
