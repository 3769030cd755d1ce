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

/**
 * Each field's first problem, by dot path (`slaClaimMinutes.high`), so a form can show it
 * beside the field; empty when `value` fits `schema`. A problem of the whole value is
 * under the empty path.
 */
export function problemsByField(schema: v.GenericSchema, value: unknown): Record<string, string> {
	const parsed = v.safeParse(schema, value);
	const problems: Record<string, string> = {};
	for (const issue of parsed.issues ?? []) {
		const path = v.getDotPath(issue) ?? "";
		problems[path] ??= issue.message;
	}
	return problems;
}
