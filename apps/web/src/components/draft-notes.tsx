/** Internal notes on a draft: the team's side conversation, with @mentions of members. */
import type { DraftHandle } from "@switchboard/client";
import { addNote, type DraftNote, draftRoots, readNotes } from "@switchboard/domain";
import { createSignal, For, onCleanup, Show } from "solid-js";
import { formatAge, formatDateTime } from "../format.ts";
import { noteParts, parseNoteMentions } from "../notes.ts";
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

	const [text, setText] = createSignal("");
	const members = () => ws.board().members;
	const mentioned = () => parseNoteMentions(text(), members());

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
								class="note"
								classList={{ "note-for-me": note.mentions.includes(ws.me.id) }}
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
				<textarea
					id={`note-input-${props.draft.mentionId}`}
					rows="2"
					placeholder="Ask a teammate: @Dana can you check the order?"
					value={text()}
					onInput={(e) => setText(e.currentTarget.value)}
					onKeyDown={(e) => {
						if (e.key === "Enter" && (e.metaKey || e.ctrlKey))
							e.currentTarget.form?.requestSubmit();
					}}
					data-testid="note-input"
				/>
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
