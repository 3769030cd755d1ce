/** A draft's reply text as a signal that follows every update, local or remote. */
import type { DraftHandle } from "@switchboard/client";
import { draftText } from "@switchboard/domain";
import { type Accessor, createSignal, onCleanup } from "solid-js";

export function createDraftText(draft: DraftHandle): Accessor<string> {
	const [text, setText] = createSignal(draftText(draft.doc));
	const update = () => setText(draftText(draft.doc));
	draft.doc.on("update", update);
	onCleanup(() => draft.doc.off("update", update));
	return text;
}
