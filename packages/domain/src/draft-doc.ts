/**
 * The draft document (`draft/<orgId>/<mentionId>`): what the team co-edits while
 * answering a conversation. Every member of the organisation may write it; nothing that
 * carries authority lives here (approval, owner, what was sent are on the board).
 *
 * Shape (top-level types of the Y.Doc):
 * - `body`: Y.Text, the reply text. The client binds it to CodeMirror 6 through
 *   y-codemirror.next.
 * - `notes`: Y.Array of DraftNote, internal notes; append-only in practice.
 * - `meta`: Y.Map of free fields: `template` (chosen template id or null) and one
 *   `check:<item>` boolean per checklist item, so that two people ticking different items
 *   at once both win.
 */

import { toHexString } from "lib0/buffer";
import { digest } from "lib0/hash/sha256";
import { encodeUtf8 } from "lib0/string";
import * as v from "valibot";
import type * as Y from "yjs";

/** Names of the draft document's top-level types. */
export const DraftKeys = {
	body: "body",
	notes: "notes",
	meta: "meta",
} as const;

export const DraftNoteSchema = v.object({
	id: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
	authorId: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
	text: v.pipe(v.string(), v.maxLength(5000)),
	at: v.pipe(v.string(), v.isoTimestamp()),
	/** Ids of the members the note @mentions. */
	mentions: v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(128))),
});
export type DraftNote = v.InferOutput<typeof DraftNoteSchema>;

/** The draft's free fields as the client shows them. */
export interface DraftMeta {
	template: string | null;
	/** Checklist item → ticked. */
	checklist: Record<string, boolean>;
}

const CHECK_PREFIX = "check:";

/** The draft document's top-level types. Getting them does not write to the document. */
export interface DraftRoots {
	body: Y.Text;
	notes: Y.Array<DraftNote>;
	meta: Y.Map<unknown>;
}

export function draftRoots(doc: Y.Doc): DraftRoots {
	return {
		body: doc.getText(DraftKeys.body),
		notes: doc.getArray<DraftNote>(DraftKeys.notes),
		meta: doc.getMap<unknown>(DraftKeys.meta),
	};
}

/** The reply text as it stands. */
export function draftText(doc: Y.Doc): string {
	return draftRoots(doc).body.toString();
}

/**
 * SHA-256 of the text's UTF-8 bytes, lowercase hex: the snapshot hash that
 * submitForReview and approve name. The text is hashed exactly as it is (no trimming or
 * normalisation), so both sides must hash `draftText` of the same state.
 *
 * Synchronous and pure JS in the browser (lib0 resolves to node:crypto under Node,
 * with identical output).
 */
export function draftHash(text: string): string {
	return toHexString(digest(encodeUtf8(text)));
}

/** The notes that parse; malformed elements (a misbehaving client) are left out. */
export function readNotes(doc: Y.Doc): DraftNote[] {
	return draftRoots(doc)
		.notes.toArray()
		.filter((note) => v.is(DraftNoteSchema, note));
}

/** Append a note. */
export function addNote(doc: Y.Doc, note: DraftNote, origin: unknown = null): void {
	const notes = draftRoots(doc).notes;
	doc.transact(() => notes.push([note]), origin);
}

export function readDraftMeta(doc: Y.Doc): DraftMeta {
	const meta = draftRoots(doc).meta;
	const template = meta.get("template");
	const checklist: Record<string, boolean> = {};
	for (const [key, value] of meta.entries()) {
		if (key.startsWith(CHECK_PREFIX) && typeof value === "boolean") {
			checklist[key.slice(CHECK_PREFIX.length)] = value;
		}
	}
	return { template: typeof template === "string" ? template : null, checklist };
}

export function setDraftTemplate(
	doc: Y.Doc,
	template: string | null,
	origin: unknown = null,
): void {
	const meta = draftRoots(doc).meta;
	doc.transact(() => meta.set("template", template), origin);
}

export function setChecklistItem(
	doc: Y.Doc,
	item: string,
	done: boolean,
	origin: unknown = null,
): void {
	const meta = draftRoots(doc).meta;
	doc.transact(() => meta.set(`${CHECK_PREFIX}${item}`, done), origin);
}
