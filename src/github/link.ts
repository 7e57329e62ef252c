/**
 * The `rel="next"` target of a `Link` header (`<…?page=2>; rel="next", <…?page=5>; rel="last"`), or null
 * on the last page. GitHub says to follow it rather than build page URLs: secret-scanning lists may page
 * by cursor (github-and-vault.md §8).
 */
export function nextLink(header: string | undefined): string | null {
  if (header === undefined) return null;
  for (const match of header.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const params = match[2] ?? '';
    const rel = /;\s*rel\s*=\s*"?([^";]+)"?/i.exec(params)?.[1] ?? '';
    if (rel.toLowerCase().split(/\s+/).includes('next')) return match[1] ?? null;
  }
  return null;
}
