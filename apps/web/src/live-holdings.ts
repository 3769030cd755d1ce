/**
 * What each member holds on the live board, and who holds more or less than before: the
 * Members list (admins) reads its "holds N" from the server, which counts every board, and
 * asks again for the members whose holdings the board shows changing.
 */
import type { BoardMention } from "@switchboard/client";
import { countsAgainstCapacity } from "@switchboard/domain";

/** Open conversations each member owns on the board, by member id (none: left out). */
export function heldOnBoard(mentions: readonly BoardMention[]): Map<string, number> {
	const held = new Map<string, number>();
	for (const mention of mentions) {
		const owner = mention.owner?.memberId;
		if (owner && countsAgainstCapacity(mention.status)) held.set(owner, (held.get(owner) ?? 0) + 1);
	}
	return held;
}

/** The members whose count differs between `before` and `after`. */
export function changedHolders(
	before: ReadonlyMap<string, number>,
	after: ReadonlyMap<string, number>,
): Set<string> {
	const changed = new Set<string>();
	for (const [id, count] of after) if (before.get(id) !== count) changed.add(id);
	for (const id of before.keys()) if (!after.has(id)) changed.add(id);
	return changed;
}
