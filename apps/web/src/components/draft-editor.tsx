/**
 * The shared reply: CodeMirror 6 bound to the draft's `body` Y.Text through
 * y-codemirror.next, so every teammate's edits merge and their cursors show, named while
 * they type or move them.
 */

import { defaultKeymap } from "@codemirror/commands";
import { EditorState } from "@codemirror/state";
import { EditorView, keymap, placeholder } from "@codemirror/view";
import type { DraftHandle } from "@switchboard/client";
import { characterCount, draftRoots } from "@switchboard/domain";
import { createSignal, type JSX, onCleanup, onMount, Show } from "solid-js";
import { yCollab, ySyncAnnotation, yUndoManagerKeymap } from "y-codemirror.next";
import * as Y from "yjs";
import { spacedInsertion } from "../templates.ts";
import { caretNames } from "./caret-names.ts";

/** The editor's reach into CodeMirror, for the buttons around it. */
export interface DraftEditorApi {
	/** Put text at the cursor (replacing a selection) and focus the editor. */
	insert(text: string): void;
	focus(): void;
}

/** After this long without a keystroke, I am no longer "typing". */
const TYPING_IDLE_MS = 2_500;

const theme = EditorView.theme({
	// 16 px on a touch screen (responsive.css), where Safari zooms into a smaller field.
	"&": { fontSize: "var(--editor-font-size, 15px)", backgroundColor: "var(--surface)" },
	".cm-content": {
		fontFamily: "var(--font-text)",
		lineHeight: "1.55",
		minHeight: "9rem",
		padding: "1.4rem 0.25rem 0.75rem",
	},
	"&.cm-focused": { outline: "none" },
	".cm-placeholder": { color: "var(--text-muted)" },
	// Teammates' names above their carets, legible; shown while they are active (caret-names.ts).
	".cm-ySelectionInfo": {
		fontFamily: "var(--font-text)",
		fontSize: "12px",
		fontWeight: "600",
		top: "-1.45em",
		// A long name on a phone would cover the line; the avatar row names everyone in full.
		maxWidth: "14em",
		overflow: "hidden",
		textOverflow: "ellipsis",
		whiteSpace: "nowrap",
		padding: "1px 4px",
		borderRadius: "3px 3px 3px 0",
	},
});

export function DraftEditor(props: {
	draft: DraftHandle;
	limit: number;
	label: string;
	/** The conversation's language (a code such as `fr`), when known: the spell checker's. */
	language?: string | null;
	onTyping: (typing: boolean) => void;
	onReady?: (api: DraftEditorApi) => void;
	children?: JSX.Element;
}) {
	const body = draftRoots(props.draft.doc).body;
	const [length, setLength] = createSignal(characterCount(body.toString()));
	const observer = () => setLength(characterCount(body.toString()));
	body.observe(observer);
	onCleanup(() => body.unobserve(observer));

	// Until the first sync, the editor shows only what this device has of the draft.
	const provider = props.draft.provider;
	const [synced, setSynced] = createSignal(provider.isSynced);
	const syncChanged = () => setSynced(provider.isSynced);
	for (const event of ["synced", "status", "close"]) provider.on(event, syncChanged);
	onCleanup(() => {
		for (const event of ["synced", "status", "close"]) provider.off(event, syncChanged);
	});

	let idle: ReturnType<typeof setTimeout> | undefined;
	const typed = () => {
		props.onTyping(true);
		clearTimeout(idle);
		idle = setTimeout(() => props.onTyping(false), TYPING_IDLE_MS);
	};
	onCleanup(() => {
		clearTimeout(idle);
		props.onTyping(false);
	});

	let host: HTMLDivElement | undefined;
	let view: EditorView | undefined;
	const countId = `draft-count-${props.draft.mentionId}`;

	onMount(() => {
		const undoManager = new Y.UndoManager(body);
		view = new EditorView({
			parent: host,
			state: EditorState.create({
				doc: body.toString(),
				extensions: [
					keymap.of([...yUndoManagerKeymap, ...defaultKeymap]),
					yCollab(body, props.draft.awareness, { undoManager }),
					caretNames(props.draft.awareness),
					EditorView.lineWrapping,
					placeholder("Write the reply… (insert a template to start quickly)"),
					EditorView.contentAttributes.of({
						"aria-label": props.label,
						"aria-describedby": countId,
						"data-testid": "editor-content",
						// A reply is prose, not code: CodeMirror turns these off by default. On a
						// phone, sentences start with a capital and words are corrected as typed.
						spellcheck: "true",
						autocorrect: "on",
						autocapitalize: "sentences",
						...(props.language ? { lang: props.language } : {}),
					}),
					EditorView.updateListener.of((update) => {
						const local = update.transactions.some(
							(tr) => tr.docChanged && tr.annotation(ySyncAnnotation) === undefined,
						);
						if (local) typed();
					}),
					theme,
				],
			}),
		});
		props.onReady?.({
			insert(text) {
				if (!view) return;
				// Words stay apart: a space where the insertion would touch the text around it.
				const { state } = view;
				const { from, to } = state.selection.main;
				const spaced = spacedInsertion(
					state.doc.sliceString(0, from),
					text,
					state.doc.sliceString(to),
				);
				view.dispatch(state.replaceSelection(spaced), {
					scrollIntoView: true,
					userEvent: "input",
				});
				view.focus();
			},
			focus() {
				view?.focus();
			},
		});
		onCleanup(() => {
			view?.destroy();
			undoManager.destroy();
		});
	});

	const over = () => length() - props.limit;
	return (
		<div class="editor" classList={{ "editor-over": over() > 0 }} data-testid="editor">
			<div class="editor-host" ref={host} />
			<div class="editor-footer">
				{props.children}
				<span class="toolbar-spacer" />
				<Show when={!synced()}>
					<span class="muted small" data-testid="draft-sync">
						Showing this device's copy; it merges with the team's once connected.
					</span>
				</Show>
				<span
					id={countId}
					class="char-count"
					classList={{ over: over() > 0 }}
					data-testid="char-count"
					data-over={over() > 0 ? "true" : "false"}
				>
					{length()} / {props.limit}
					<Show when={over() > 0}>
						<span class="char-over"> · {over()} over the limit</span>
					</Show>
				</span>
			</div>
		</div>
	);
}
