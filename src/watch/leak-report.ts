/**
 * The body of `POST /leaks/report` (product.md §13): `{"fingerprints": ["<SHA-256 base64>", …],
 * "source": "…", "url": "…"}`, fingerprints only, never a secret. Parsed at the edge; a problem is
 * said in words that never repeat what was sent.
 */
import { z } from 'zod';

/** Fingerprints in one report at most: a gitleaks run over a large repository stays far below it. */
export const MAX_REPORT_FINGERPRINTS = 1_000;

/** SHA-256 in standard base64: 43 characters and one `=`. */
const FINGERPRINT = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

const ReportSchema = z.strictObject({
  fingerprints: z
    .array(z.string().regex(FINGERPRINT), { error: 'must be a list of SHA-256 fingerprints in base64' })
    .min(1)
    .max(MAX_REPORT_FINGERPRINTS),
  source: z.string().trim().min(1).max(100),
  url: z.string().max(2_000).nullish(),
});

export interface LeakReportBody {
  fingerprints: string[];
  source: string;
  url: string | null;
}

/** The report, or the problems with it (each `field: what is wrong`). */
export function parseLeakReport(
  body: unknown,
): { ok: true; report: LeakReportBody } | { ok: false; problems: string[] } {
  const parsed = ReportSchema.safeParse(body);
  if (parsed.success) {
    const { fingerprints, source, url } = parsed.data;
    return { ok: true, report: { fingerprints: [...new Set(fingerprints)], source, url: url ?? null } };
  }
  const problems = parsed.error.issues.slice(0, 10).map((issue) => `${fieldOf(issue.path)}: ${say(issue)}`);
  return { ok: false, problems: [...new Set(problems)] };
}

function fieldOf(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'body';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

function say(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_format':
      return 'is not a SHA-256 fingerprint in base64 (44 characters ending in =): send fingerprints, never secrets';
    case 'too_small':
      return issue.origin === 'array' ? 'must hold at least one fingerprint' : 'must not be empty';
    case 'too_big':
      return issue.origin === 'array'
        ? `must hold at most ${MAX_REPORT_FINGERPRINTS} fingerprints`
        : `must be at most ${String(issue.maximum)} characters`;
    case 'unrecognized_keys':
      return `has fields this endpoint does not take (it takes fingerprints, source, url)`;
    case 'invalid_type':
      return issue.path.length === 0
        ? 'must be a JSON object'
        : `must be ${issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}`;
    default:
      return 'is not valid';
  }
}
