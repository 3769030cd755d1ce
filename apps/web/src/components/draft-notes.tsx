/** Internal notes on a draft: the team's side conversation, with @mentions of members. */
import { useLocation } from "@solidjs/router";
import { type DraftHandle, loadNoteDraft, saveNoteDraft } from "@switchboard/client";
import { addNote, type DraftNote, draftRoots, noteAnchor, readNotes } from "@switchboard/domain";
import { createEffect, createMemo, createSignal, For, onCleanup, Show } from "solid-js";
import { formatAge, formatDateTime } from "../format.ts";
import {
	insertMention,
	mentionQueryAt,
	mentionToken,
	noteParts,
	parseNoteMentions,
	suggestMembers,
} from "../notes.ts";
import { useWorkspace } from "../workspace.tsx";
import { Avatar } from "./bits.tsx";

export function DraftNotes(props: { draft: DraftHandle }) {
	const ws = useWorkspace();
	const doc = props.draft.doc;
	const [notes, setNotes] = createSignal<DraftNote[]>(readNotes(doc));
	const notesArray = draftRoots(doc).notes;
	const observer = () => setNotes(readNotes(doc));
	notesArray.observe(observer);
	onCleanup(() => notesArray.unobserve(observer));

	// A mention's notification links to its note (`#note-<id>`): once that note is on the page
	// (the draft may sync after the page opens), it is scrolled to, focused and marked, once
	// for each link followed.
	const location = useLocation();
	const [linked, setLinked] = createSignal<string | null>(null);
	let followed = "";
	createEffect(() => {
		const anchor = location.hash.replace(/^#/, "");
		if (!anchor.startsWith("note-") || anchor === followed) return;
		const note = notes().find((one) => noteAnchor(one.id) === anchor);
		if (!note) return;
		followed = anchor;
		setLinked(note.id);
		const element = document.getElementById(anchor);
		element?.scrollIntoView({ block: "center" });
		element?.focus({ preventScroll: true });
	});

	// What is typed and not added yet outlives a reload or a closed tab, as the reply does.
	const [text, setText] = createSignal(loadNoteDraft(ws.me, props.draft.mentionId));
	createEffect(() => saveNoteDraft(ws.me, props.draft.mentionId, text()));
	const members = () => ws.board().members;
	const mentioned = () => parseNoteMentions(text(), members());

	// @ autocomplete: teammates matching the @name typed at the caret.
	let input: HTMLTextAreaElement | undefined;
	const [caret, setCaret] = createSignal(0);
	const [active, setActive] = createSignal(0);
	const [dismissed, setDismissed] = createSignal<number | null>(null);
	const query = createMemo(() => mentionQueryAt(text(), caret()));
	const suggestions = createMemo(() => {
		const at = query();
		if (!at || dismissed() === at.start) return [];
		return suggestMembers(at.query, members(), ws.me.id);
	});
	const listId = `note-suggestions-${props.draft.mentionId}`;
	const optionId = (index: number) => `${listId}-${index}`;
	const follow = (element: HTMLTextAreaElement) => {
		setText(element.value);
		setCaret(element.selectionStart);
		setActive(0);
	};
	const pick = (index: number) => {
		const at = query();
		const member = suggestions()[index];
		if (!at || !member || !input) return;
		const next = insertMention(text(), at.start, caret(), mentionToken(member, members()));
		setText(next.text);
		input.value = next.text;
		input.setSelectionRange(next.caret, next.caret);
		setCaret(next.caret);
		input.focus();
	};
	const onSuggestKey = (event: KeyboardEvent) => {
		const count = suggestions().length;
		if (count === 0) return false;
		switch (event.key) {
			case "ArrowDown":
				setActive((index) => (index + 1) % count);
				return true;
			case "ArrowUp":
				setActive((index) => (index - 1 + count) % count);
				return true;
			case "Enter":
			case "Tab":
				if (event.ctrlKey || event.metaKey || event.shiftKey) return false;
				pick(active());
				return true;
			case "Escape":
				setDismissed(query()?.start ?? null);
				return true;
			default:
				return false;
		}
	};

	const submit = (event: SubmitEvent) => {
		event.preventDefault();
		const value = text().trim();
		if (!value) return;
		addNote(doc, {
			id: crypto.randomUUID(),
			authorId: ws.me.id,
			text: value,
			at: new Date().toISOString(),
			mentions: parseNoteMentions(value, members()),
		});
		setText("");
		// The emptied form disables Add note, which would drop the focus on the page itself:
		// it goes back to the field, ready for the next note.
		input?.focus();
	};

	return (
		<section class="panel notes" aria-labelledby="notes-title" data-testid="notes">
			<h2 id="notes-title" class="panel-title">
				Internal notes
			</h2>
			<Show
				when={notes().length > 0}
				fallback={<p class="muted">No notes yet. Only your team sees them.</p>}
			>
				<ol class="note-list">
					<For each={notes()}>
						{(note) => (
							<li
								id={noteAnchor(note.id)}
								class="note"
								classList={{
									"note-for-me": note.mentions.includes(ws.me.id),
									"note-linked": linked() === note.id,
								}}
								tabIndex={-1}
								data-testid="note"
							>
								<Avatar member={{ id: note.authorId, name: ws.memberName(note.authorId) }} />
								<div class="note-body">
									<div class="note-meta">
										<strong>{ws.memberName(note.authorId)}</strong>
										<time datetime={note.at} title={formatDateTime(note.at)}>
											{formatAge(note.at, ws.now())}
										</time>
									</div>
									<p class="note-text">
										<For each={noteParts(note.text, members())}>
											{(part) =>
												part.kind === "mention" ? (
													<span
														class="mention"
														classList={{ "mention-me": part.member.id === ws.me.id }}
													>
														{part.text}
													</span>
												) : (
													part.text
												)
											}
										</For>
									</p>
								</div>
							</li>
						)}
					</For>
				</ol>
			</Show>
			<form class="note-form" onSubmit={submit}>
				<label for={`note-input-${props.draft.mentionId}`} class="field-label">
					Add a note
				</label>
				<div class="note-input-wrap">
					<textarea
						ref={input}
						id={`note-input-${props.draft.mentionId}`}
						rows="2"
						placeholder="Type @ to mention a teammate"
						value={text()}
						aria-autocomplete="list"
						aria-controls={suggestions().length > 0 ? listId : undefined}
						aria-activedescendant={suggestions().length > 0 ? optionId(active()) : undefined}
						onInput={(e) => follow(e.currentTarget)}
						onClick={(e) => setCaret(e.currentTarget.selectionStart)}
						onKeyUp={(e) => {
							if (
								e.key === "ArrowLeft" ||
								e.key === "ArrowRight" ||
								e.key === "Home" ||
								e.key === "End"
							)
								setCaret(e.currentTarget.selectionStart);
						}}
						onBlur={() => setDismissed(query()?.start ?? null)}
						onFocus={() => setDismissed(null)}
						onKeyDown={(e) => {
							if (onSuggestKey(e)) {
								e.preventDefault();
								e.stopPropagation();
								return;
							}
							if (e.key === "Enter" && (e.metaKey || e.ctrlKey))
								e.currentTarget.form?.requestSubmit();
						}}
						data-testid="note-input"
					/>
					<Show when={suggestions().length > 0}>
						<div
							id={listId}
							class="mention-suggestions"
							role="listbox"
							aria-label="Teammates"
							data-testid="mention-suggestions"
						>
							<For each={suggestions()}>
								{(member, index) => (
									// biome-ignore lint/a11y/useKeyWithClickEvents: the keys are the field's (arrows, Enter, Tab), which keeps the focus while the list names the active option (aria-activedescendant).
									<div
										id={optionId(index())}
										role="option"
										tabIndex={-1}
										class="mention-suggestion"
										aria-selected={index() === active()}
										// Keeps the focus (and the caret) in the field while choosing.
										onMouseDown={(e) => e.preventDefault()}
										onClick={() => pick(index())}
										data-testid="mention-suggestion"
									>
										<Avatar member={member} />
										<span>{member.name}</span>
									</div>
								)}
							</For>
						</div>
					</Show>
				</div>
				<div class="note-form-footer">
					<span class="muted small" aria-live="polite">
						<Show when={mentioned().length > 0} fallback="Use @name to notify a teammate.">
							Mentions:{" "}
							{mentioned()
								.map((id) => ws.memberName(id))
								.join(", ")}
						</Show>
					</span>
					<button
						type="submit"
						class="button button-small"
						data-testid="add-note"
						disabled={!text().trim()}
					>
						Add note
					</button>
				</div>
			</form>
		</section>
	);
}
