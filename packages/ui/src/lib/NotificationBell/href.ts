/**
 * The link of a notification if it is safe to put in `href`: http(s), protocol-relative or
 * relative. `javascript:`, `data:` and every other scheme give `null`.
 */
export function safeHref(url: string | undefined): string | null {
  if (!url) return null;
  const trimmed = url.trim();
  if (!trimmed) return null;
  let parsed: URL;
  try {
    // The URL parser strips tabs/newlines like browsers do, so "java\nscript:" is caught too.
    parsed = new URL(trimmed, 'http://relative.invalid/');
  } catch {
    return null;
  }
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? trimmed : null;
}
