import { sveltekit } from '@sveltejs/kit/vite';
import { wirekit } from '@wirekit/server/vite';
import { defineConfig } from 'vite';
import { wirekitOptions } from './wirekit.config.js';

export default defineConfig(async () => ({
  // Socket.IO rides on the dev server's own HTTP server: one port for app, HMR and sockets.
  plugins: [sveltekit(), wirekit(await wirekitOptions())],
}));
