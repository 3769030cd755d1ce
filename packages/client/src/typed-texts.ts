/**
 * Text a member is typing on a conversation and has not sent yet (a note, a review comment),
 * kept in localStorage per organisation, member and conversation: a reload, a closed tab or
 * controls taken away by a role change keep it, as the reply's draft is kept.
 * `clearLocalData` clears a member's.
 */
import type { Me } from "./api.ts";

type Who = Pick<Me, "id" | "orgId">;

/** One kind of text typed and not sent, kept per member and conversation. */
export interface TypedTexts {
	/** The localStorage key prefix of a member's texts of this kind. */
	prefix(me: Who): string;
	/** The text typed on `mentionId`; "" when none. */
	load(me: Who, mentionId: string): string;
	/** Keep `text` as the one typed on `mentionId`; blank, forget it. */
	save(me: Who, mentionId: string, text: string): void;
	/** The conversations the member has a text of this kind kept on. */
	mentionIds(me: Who): string[];
	/** Forget every text of this kind the member left on this device. */
	clear(me: Who): void;
}

function storage(): Storage | null {
	return typeof globalThis.localStorage === "undefined" ? null : globalThis.localStorage;
}

/** The texts of one kind, kept under `switchboard.<kind>/<orgId>/<memberId>/<mentionId>`. */
export function typedTexts(kind: string): TypedTexts {
	const prefix = (me: Who) => `switchboard.${kind}/${me.orgId}/${me.id}/`;
	const keys = (me: Who): string[] => {
		const local = storage();
		if (!local) return [];
		const start = prefix(me);
		const found: string[] = [];
		for (let i = 0; i < local.length; i++) {
			const key = local.key(i);
			if (key?.startsWith(start)) found.push(key);
		}
		return found;
	};
	return {
		prefix,
		load(me, mentionId) {
			try {
				return storage()?.getItem(`${prefix(me)}${mentionId}`) ?? "";
			} catch {
				return "";
			}
		},
		save(me, mentionId, text) {
			const key = `${prefix(me)}${mentionId}`;
			try {
				if (text.trim() === "") storage()?.removeItem(key);
				else storage()?.setItem(key, text);
			} catch {
				// Full or refused (private browsing): the text stays in the page, as before.
			}
		},
		mentionIds: (me) => keys(me).map((key) => key.slice(prefix(me).length)),
		clear(me) {
			for (const key of keys(me)) storage()?.removeItem(key);
		},
	};
}
