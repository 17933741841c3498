/** Polls `cond` every `everyMs` until it holds; throws after `timeout` ms naming `what`. */
export async function until(
  what: string,
  cond: () => boolean,
  timeout = 60_000,
  everyMs = 5,
): Promise<void> {
  const end = performance.now() + timeout;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
