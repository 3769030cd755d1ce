/**
 * Words for a failed valibot parse, shared by the HTTP API, the sync protocol and the
 * importers so a caller reads the same `field: message` wherever it went wrong.
 */
import * as v from "valibot";

/**
 * Each issue as `field: message` (or the bare message at the root), joined by "; ", so
 * the caller learns which field to fix. `limit` keeps a long list readable.
 */
export function describeIssues(
	issues: readonly v.BaseIssue<unknown>[],
	limit = Number.POSITIVE_INFINITY,
): string {
	return issues
		.slice(0, limit)
		.map((issue) => {
			const path = v.getDotPath(issue);
			return path ? `${path}: ${issue.message}` : issue.message;
		})
		.join("; ");
}
