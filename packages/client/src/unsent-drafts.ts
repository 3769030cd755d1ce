/**
 * Which drafts of a member have edits the server does not have yet, kept between pages
 * (`DraftPool` writes it, `clearLocalData` clears it). Apart from the pool so that clearing a
 * member's data on the sign-in page does not load Yjs and the sync provider with it.
 */
import type { Me } from "./api.ts";

/** Where the ids of drafts with unsent edits are kept between reloads. */
export interface UnsentDrafts {
	load(): string[];
	save(mentionIds: string[]): void;
}

/** The list in localStorage (per organisation and member), or in memory where there is none. */
export function unsentDraftsStore(me: Pick<Me, "id" | "orgId">): UnsentDrafts {
	const key = unsentDraftsKey(me);
	const storage = typeof globalThis.localStorage === "undefined" ? null : globalThis.localStorage;
	let memory: string[] = [];
	return {
		load() {
			if (!storage) return memory;
			try {
				const ids = JSON.parse(storage.getItem(key) ?? "[]") as unknown;
				return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === "string") : [];
			} catch {
				return [];
			}
		},
		save(mentionIds) {
			if (!storage) {
				memory = mentionIds;
				return;
			}
			if (mentionIds.length === 0) storage.removeItem(key);
			else storage.setItem(key, JSON.stringify(mentionIds));
		},
	};
}

/** The localStorage key of a member's unsent drafts. */
export function unsentDraftsKey(me: Pick<Me, "id" | "orgId">): string {
	return `switchboard.unsent-drafts/${me.orgId}/${me.id}`;
}
