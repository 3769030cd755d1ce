/**
 * A draft document as Solid signals, for pages that show a draft they do not edit (the
 * review cards, the queue's approval status).
 */
import type { DraftHandle } from "@switchboard/client";
import {
	draftAuthorship,
	draftHash,
	draftText,
	type Review,
	reviewStanding,
} from "@switchboard/domain";
import { createMemo, createSignal, onCleanup } from "solid-js";

/** A draft document as signals: its text and authorship follow every update. */
export function useDraft(draft: DraftHandle) {
	const [version, setVersion] = createSignal(0);
	const bump = () => setVersion((n) => n + 1);
	draft.doc.on("update", bump);
	const provider = draft.provider;
	const [synced, setSynced] = createSignal(provider.isSynced);
	const syncChanged = () => setSynced(provider.isSynced);
	for (const event of ["synced", "status", "close"]) provider.on(event, syncChanged);
	onCleanup(() => {
		draft.doc.off("update", bump);
		for (const event of ["synced", "status", "close"]) provider.off(event, syncChanged);
	});
	const text = createMemo(() => {
		version();
		return draftText(draft.doc);
	});
	const spans = createMemo(() => {
		version();
		return draftAuthorship(draft.doc);
	});
	return { text, spans, synced };
}

/**
 * Where a conversation's review stands against its draft's current text: "approval_stale"
 * once the text changed after the approval. Opens the draft while the caller's owner lives.
 */
export function useReviewStanding(draft: DraftHandle, review: () => Review | null) {
	const { text, synced } = useDraft(draft);
	return () => reviewStanding(review(), synced() ? draftHash(text()) : null);
}
