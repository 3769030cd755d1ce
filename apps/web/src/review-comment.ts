/**
 * The comments asking for changes a member is typing, one per conversation, kept on this
 * device as they type (review-comments.ts in the client): the review controls go when the
 * member's role changes or the conversation leaves review, and what they typed must not go
 * with them.
 */
import { loadReviewComment, type Me, saveReviewComment } from "@switchboard/client";
import { createSignal } from "solid-js";

export interface ReviewComments {
	/** The comment typed on `mentionId`; "" when none. */
	get(mentionId: string): string;
	/** Keep `text` as the comment on `mentionId`; "" once it is sent or discarded. */
	set(mentionId: string, text: string): void;
}

/** Comments typed by `me`, read from and written to localStorage, and held in the page too. */
export function createReviewComments(me: Pick<Me, "id" | "orgId">): ReviewComments {
	// Held here as well: where localStorage refuses (private browsing) the page still keeps it.
	const [typed, setTyped] = createSignal<ReadonlyMap<string, string>>(new Map());
	return {
		get: (mentionId) => typed().get(mentionId) ?? loadReviewComment(me, mentionId),
		set(mentionId, text) {
			saveReviewComment(me, mentionId, text);
			setTyped((before) => new Map(before).set(mentionId, text));
		},
	};
}
