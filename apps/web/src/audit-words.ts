/**
 * An audit entry's details in words, as the audit log lists them: "role: ambassador →
 * moderator", "boards: Acme mentions, Press". Details keep what was recorded, boards by id (a
 * board renamed since is still the same board); the screen names them as they are now.
 */

/** The details that list boards by id: a member's boards, and an invitation's. */
const BOARD_LISTS = new Set(["boards"]);

/** Whether `value` is a plain value a fact can say as it is (not an object or a list). */
function isPlain(value: unknown): boolean {
	return value === null || typeof value !== "object";
}

/**
 * A detail's value in words: lists comma-separated, nothing as "none", a record of plain
 * values as "high 15, normal 60, low 240" (a board's targets by priority read as raw JSON,
 * `{"high":15,…}`), deeper objects as JSON.
 */
function factValue(value: unknown): string {
	if (value === null || value === undefined) return "none";
	if (typeof value === "string") return value;
	if (Array.isArray(value) && value.every(isPlain)) {
		return value.length > 0 ? value.join(", ") : "none";
	}
	if (typeof value === "object" && !Array.isArray(value)) {
		const entries = Object.entries(value);
		if (entries.length > 0 && entries.every(([, item]) => isPlain(item))) {
			return entries.map(([key, item]) => `${key} ${factValue(item)}`).join(", ");
		}
	}
	return JSON.stringify(value);
}

/**
 * The details of an entry as short "key: value" facts; a change as "key: before → after".
 * `boardName` names a board by its id, and gives the id back for one it does not know
 * (removed since, or the boards not read yet).
 */
export function detailFacts(
	details: Record<string, unknown>,
	boardName: (id: string) => string = (id) => id,
): string[] {
	const words = (key: string, value: unknown) =>
		factValue(
			BOARD_LISTS.has(key) && Array.isArray(value)
				? value.map((id) => (typeof id === "string" ? boardName(id) : id))
				: value,
		);
	const changed = details.changed;
	if (Array.isArray(changed)) {
		const from = (details.from ?? {}) as Record<string, unknown>;
		const to = (details.to ?? {}) as Record<string, unknown>;
		return changed.map((key) =>
			key in to ? `${key}: ${words(key, from[key])} → ${words(key, to[key])}` : `${key} changed`,
		);
	}
	return Object.entries(details).map(([key, value]) => `${key}: ${words(key, value)}`);
}
