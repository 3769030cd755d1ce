/**
 * What a member leaves on this device: their documents (y-indexeddb, one database each),
 * their command queues (one database per board) and the list of drafts with unsent edits.
 * Sign-out deletes it all (issue 15, row 16); whether the server has every change first is
 * the caller's question (`SyncStatus`), since this cannot be undone.
 */

import { boardDocumentName, draftDocumentName } from "@switchboard/domain";
import type { Me } from "./api.ts";
import { queueDatabaseName, queueDatabasePrefix } from "./indexeddb-queue-store.ts";
import { clearNoteDrafts } from "./note-drafts.ts";
import { clearReviewComments } from "./review-comments.ts";
import { unsentDraftsKey, unsentDraftsStore } from "./unsent-drafts.ts";

/** Prefix of the IndexedDB names of a member's documents (see `localDocumentName`). */
export function localDocumentPrefix(memberId: string): string {
	return `switchboard/${memberId}/`;
}

/** True for the IndexedDB databases that hold this member's data. */
export function isLocalDatabaseOf(me: Pick<Me, "id" | "orgId">, name: string): boolean {
	if (name.startsWith(localDocumentPrefix(me.id))) return true;
	return name.startsWith(queueDatabasePrefix(me.orgId)) && name.endsWith(`/${me.id}`);
}

function deleteDatabase(name: string): Promise<void> {
	return new Promise((resolve, reject) => {
		const request = indexedDB.deleteDatabase(name);
		request.onsuccess = () => resolve();
		request.onerror = () => reject(request.error ?? new Error(`could not delete ${name}`));
		// Blocked: a connection elsewhere has not closed yet. Ours close on versionchange, and
		// the deletion goes on by itself once the others have: nothing to wait for here.
		request.onblocked = () => resolve();
	});
}

/**
 * Delete this member's documents, command queues, unsent-drafts list, unfinished notes and
 * review comments from this device. Destroy the member's client first, so that nothing
 * writes them again. Where the browser cannot list its databases (`indexedDB.databases`,
 * missing before Firefox 126), the boards' documents and queues named by `boardIds` and the
 * drafts written down as unsent are deleted by name; copies of drafts the server has in full
 * stay there.
 */
export async function clearLocalData(
	me: Pick<Me, "id" | "orgId">,
	boardIds: readonly string[] = [],
): Promise<void> {
	const names = new Set<string>();
	for (const boardId of boardIds) {
		names.add(`${localDocumentPrefix(me.id)}${boardDocumentName(me.orgId, boardId)}`);
		names.add(queueDatabaseName(me.orgId, boardId, me.id));
	}
	for (const mentionId of unsentDraftsStore(me).load()) {
		names.add(`${localDocumentPrefix(me.id)}${draftDocumentName(me.orgId, mentionId)}`);
	}
	globalThis.localStorage?.removeItem(unsentDraftsKey(me));
	clearNoteDrafts(me);
	clearReviewComments(me);
	if (typeof globalThis.indexedDB === "undefined") return;
	if (typeof indexedDB.databases === "function") {
		for (const { name } of await indexedDB.databases()) {
			if (name && isLocalDatabaseOf(me, name)) names.add(name);
		}
	}
	await Promise.all([...names].map(deleteDatabase));
}
