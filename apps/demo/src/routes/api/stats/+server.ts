import { getWirekit } from '@wirekit/server';
import type { RequestHandler } from './$types';

/**
 * Server stats as Server-Sent Events, in the envelope the core's eventSource() transport reads:
 * `data: {"e":"stats","d":{...}}`. One frame per second until the client goes away.
 */
export const GET: RequestHandler = ({ request }) => {
  let timer: ReturnType<typeof setInterval> | undefined;
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const push = () => {
        const health = getWirekit()?.health();
        const d = {
          at: Date.now(),
          connections: health?.connections ?? 0,
          users: health?.users ?? 0,
          rooms: health?.rooms ?? 0,
          rss: process.memoryUsage().rss,
          heapUsed: process.memoryUsage().heapUsed,
        };
        controller.enqueue(encoder.encode(`data: ${JSON.stringify({ e: 'stats', d })}\n\n`));
      };
      push();
      timer = setInterval(push, 1000);
      request.signal.addEventListener('abort', () => {
        clearInterval(timer);
        try {
          controller.close();
        } catch {
          // already closed by the runtime
        }
      });
    },
    cancel() {
      clearInterval(timer);
    },
  });
  return new Response(stream, {
    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-store' },
  });
};
