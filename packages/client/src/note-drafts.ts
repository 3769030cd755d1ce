/**
 * A note a member is typing on a conversation and has not added yet, kept in localStorage
 * per organisation, member and conversation: a reload or a closed tab keeps it, as the reply's
 * draft is kept. `clearLocalData` clears a member's.
 */
import type { Me } from "./api.ts";

const PREFIX = "switchboard.note-draft/";

/** The localStorage key prefix of a member's unfinished notes. */
export function noteDraftsPrefix(me: Pick<Me, "id" | "orgId">): string {
	return `${PREFIX}${me.orgId}/${me.id}/`;
}

function storage(): Storage | null {
	return typeof globalThis.localStorage === "undefined" ? null : globalThis.localStorage;
}

/** The note typed on `mentionId` and not added; "" when none. */
export function loadNoteDraft(me: Pick<Me, "id" | "orgId">, mentionId: string): string {
	try {
		return storage()?.getItem(`${noteDraftsPrefix(me)}${mentionId}`) ?? "";
	} catch {
		return "";
	}
}

/** Keep `text` as the note typed on `mentionId`; blank, forget it. */
export function saveNoteDraft(me: Pick<Me, "id" | "orgId">, mentionId: string, text: string): void {
	const key = `${noteDraftsPrefix(me)}${mentionId}`;
	try {
		if (text.trim() === "") storage()?.removeItem(key);
		else storage()?.setItem(key, text);
	} catch {
		// Full or refused (private browsing): the note stays in the page, as before.
	}
}

/** Forget every unfinished note of the member on this device. */
export function clearNoteDrafts(me: Pick<Me, "id" | "orgId">): void {
	const local = storage();
	if (!local) return;
	const prefix = noteDraftsPrefix(me);
	const keys: string[] = [];
	for (let i = 0; i < local.length; i++) {
		const key = local.key(i);
		if (key?.startsWith(prefix)) keys.push(key);
	}
	for (const key of keys) local.removeItem(key);
}
