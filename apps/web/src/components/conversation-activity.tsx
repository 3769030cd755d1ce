/**
 * What happened to a conversation, from its activity log: who claimed, handed off, snoozed,
 * escalated, closed (and how it was settled) or reopened it, and when its author wrote again.
 * Listed newest first, as the server pages it, so how it ended is always on the first page.
 */

import { type ActivityEntry, HttpRoutes as R } from "@switchboard/domain";
import { type Accessor, createEffect, createSignal, For, on, Show } from "solid-js";
import { type ActivityContext, activityWords, settlement } from "../activity-words.ts";
import { createPagedLoader, type PagedLoader, useApi } from "../api.ts";
import { formatDateTime } from "../format.ts";
import { useWorkspace } from "../workspace.tsx";
import { ActionButton, FormError, Loaded } from "./forms.tsx";

/**
 * A conversation's activity, read now and again whenever `version` changes: the server's copy
 * of the conversation changed (anyone's command, a follow-up), so the log has a new entry.
 */
export function createActivity(
	mentionId: string,
	version?: Accessor<string>,
): PagedLoader<ActivityEntry> {
	const api = useApi();
	const loader = createPagedLoader(async (cursor) => {
		const page = await api.request(R.activity, {
			params: { mentionId },
			...(cursor ? { query: { cursor } } : {}),
		});
		return { items: page.activity, nextCursor: page.nextCursor };
	});
	if (version) createEffect(on(version, () => void loader.reload(), { defer: true }));
	return loader;
}

/** The words of the page's members, its reader and the conversation's author, for `activityWords`. */
function useActivityContext(author: () => string): ActivityContext {
	const ws = useWorkspace();
	return {
		name: (memberId) => ws.memberName(memberId),
		me: ws.me.id,
		get author() {
			return author();
		},
	};
}

/**
 * The activity as a collapsed "Activity" section. Given `loader` (the conversation page reads
 * it anyway, for how it was settled) it lists that; without, it reads the log only once
 * opened: History shows many conversations, and few are looked into.
 */
export function ActivityLog(props: {
	mentionId: string;
	author: string;
	loader?: PagedLoader<ActivityEntry>;
	/** @default "activity" */
	testId?: string;
}) {
	const [opened, setOpened] = createSignal(false);
	return (
		<details
			class="activity-log"
			data-testid={props.testId ?? "activity"}
			onToggle={(event) => event.currentTarget.open && setOpened(true)}
		>
			<summary class="small">Activity</summary>
			<Show when={opened()}>
				<ActivityEntries mentionId={props.mentionId} loader={props.loader} author={props.author} />
			</Show>
		</details>
	);
}

function ActivityEntries(props: {
	mentionId: string;
	loader: PagedLoader<ActivityEntry> | undefined;
	author: string;
}) {
	// Made once, here: an expression passed as a prop is a getter that JSX reads again at each
	// use, and would make a new loader (and request) every time.
	const loader = props.loader ?? createActivity(props.mentionId);
	const ctx = useActivityContext(() => props.author);
	return (
		<Loaded loader={loader} errorTestId="activity-error">
			{() => (
				<>
					<Show
						when={loader.items().length > 0}
						fallback={<p class="muted small">Nothing has happened to it yet.</p>}
					>
						<ol class="activity-entries">
							<For each={loader.items()}>{(entry) => <ActivityLine entry={entry} ctx={ctx} />}</For>
						</ol>
					</Show>
					<Show when={loader.hasMore()}>
						<ActionButton
							action={loader.loadMore}
							class="button button-small button-ghost"
							testId="activity-more"
						>
							Show earlier
						</ActionButton>
					</Show>
					<FormError error={loader.loadMore.error()} />
				</>
			)}
		</Loaded>
	);
}

function ActivityLine(props: { entry: ActivityEntry; ctx: ActivityContext }) {
	return (
		<li data-testid="activity-entry" data-action={props.entry.action}>
			<Said entry={props.entry} ctx={props.ctx} />
		</li>
	);
}

/** An entry in words, the note its member wrote quoted after them, then its time. */
function Said(props: { entry: ActivityEntry; ctx: ActivityContext }) {
	const said = () => activityWords(props.entry, props.ctx);
	return (
		<>
			{said().words}
			<Show when={said().note}>
				{(note) => (
					<>
						: <q class="activity-note">{note()}</q>
					</>
				)}
			</Show>{" "}
			<time class="muted" datetime={props.entry.at}>
				· {formatDateTime(props.entry.at)}
			</time>
		</>
	);
}

/**
 * How a closed or dismissed conversation was settled, by whom and when, with the note they
 * wrote ("How was it settled?"): the first thing a reader of a finished conversation asks.
 * Nothing while the activity is on its way.
 */
export function Settlement(props: { loader: PagedLoader<ActivityEntry>; author: string }) {
	const ctx = useActivityContext(() => props.author);
	return (
		<Show when={settlement(props.loader.items())}>
			{(entry) => (
				<p class="callout callout-info small settlement" data-testid="settlement">
					<Said entry={entry()} ctx={ctx} />
				</p>
			)}
		</Show>
	);
}
