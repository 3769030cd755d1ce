/**
 * Who wrote which part of a draft, from the draft's own Yjs history. Every character of
 * the `body` text is an item created by one Yjs client (a Y.Doc instance: one browser
 * tab's copy of the draft); the client that writes text records, once, which member it
 * belongs to in the draft's `meta` map, as `writer:<clientID>` → member id. Reading walks
 * the text's items and names the member of each run.
 *
 * The mapping is self-reported by the writing client (the server does not check it): it
 * tells a reviewer who typed what; it is not evidence the way the activity log is.
 */
import type * as Y from "yjs";
import { draftRoots } from "./draft-doc.ts";

const WRITER_PREFIX = "writer:";

/** A run of the reply text written by one member (null: a client that never said who it is). */
export interface AuthoredSpan {
	text: string;
	memberId: string | null;
}

/** Record that this document's client writes for `memberId`, unless it already says so. */
export function registerDraftWriter(doc: Y.Doc, memberId: string, origin: unknown = null): void {
	const meta = draftRoots(doc).meta;
	const key = `${WRITER_PREFIX}${doc.clientID}`;
	if (meta.get(key) === memberId) return;
	doc.transact(() => meta.set(key, memberId), origin);
}

/**
 * Register the member as this client's writer on its first local edit of the body, so
 * that only opening a draft to read it writes nothing. Returns a function that stops
 * watching.
 */
export function trackDraftWriter(doc: Y.Doc, memberId: string): () => void {
	const body = draftRoots(doc).body;
	let done = false;
	const observer = (_event: Y.YTextEvent, transaction: Y.Transaction) => {
		// Updates from the server or IndexedDB are applied as remote (`local` false).
		if (done || !transaction.local) return;
		done = true;
		body.unobserve(observer);
		// Outside the observer: a write from inside it would join the edit's cleanup.
		queueMicrotask(() => registerDraftWriter(doc, memberId));
	};
	body.observe(observer);
	return () => {
		if (done) return;
		done = true;
		body.unobserve(observer);
	};
}

/** Client id → member id, as the writing clients recorded it. */
export function readDraftWriters(doc: Y.Doc): Map<number, string> {
	const writers = new Map<number, string>();
	for (const [key, value] of draftRoots(doc).meta.entries()) {
		if (!key.startsWith(WRITER_PREFIX) || typeof value !== "string") continue;
		const client = Number(key.slice(WRITER_PREFIX.length));
		if (Number.isSafeInteger(client)) writers.set(client, value);
	}
	return writers;
}

/**
 * The reply text as runs by author, in order; joined, the runs are the text. Deleted text
 * is not shown, whoever deleted it.
 */
export function draftAuthorship(doc: Y.Doc): AuthoredSpan[] {
	const writers = readDraftWriters(doc);
	const spans: AuthoredSpan[] = [];
	let item = draftRoots(doc).body._start;
	while (item !== null) {
		if (!item.deleted && item.countable) {
			const text = item.content
				.getContent()
				.filter((part: unknown): part is string => typeof part === "string")
				.join("");
			if (text.length > 0) {
				const memberId = writers.get(item.id.client) ?? null;
				const last = spans.at(-1);
				if (last && last.memberId === memberId) last.text += text;
				else spans.push({ text, memberId });
			}
		}
		item = item.right;
	}
	return spans;
}

/** Characters written per member, for a "who wrote it" summary. */
export function authorshipShares(spans: readonly AuthoredSpan[]): Map<string | null, number> {
	const shares = new Map<string | null, number>();
	for (const span of spans) {
		let length = 0;
		for (const _ of span.text) length++;
		shares.set(span.memberId, (shares.get(span.memberId) ?? 0) + length);
	}
	return shares;
}
