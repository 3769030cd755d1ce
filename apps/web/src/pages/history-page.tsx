/**
 * History: every conversation of the organisation, finished ones included, searched on the
 * server (the live board holds only open work). The filters live in the address, so a
 * search can be shared and survives a reload; "Show more" follows the server's cursor.
 */

import { useSearchParams } from "@solidjs/router";
import { type Mention, HttpRoutes as R, type RouteRequest } from "@switchboard/domain";
import { createEffect, createSignal, createUniqueId, For, on, Show } from "solid-js";
import { errorMessage, useApi } from "../api.ts";
import { HistoryItem } from "../components/history-item.tsx";
import { plural } from "../format.ts";
import { useWorkspace } from "../workspace.tsx";

type HistoryQuery = NonNullable<RouteRequest<typeof R.history>["query"]>;

/** The address's search parameters that are filters, in the API's names. */
const FILTERS = ["q", "author", "tag", "owner", "from", "to"] as const;
type Filter = (typeof FILTERS)[number];

export function HistoryPage() {
	const ws = useWorkspace();
	const api = useApi();
	const id = createUniqueId();
	const [params, setParams] = useSearchParams<Record<Filter, string>>();
	const [results, setResults] = createSignal<Mention[]>([]);
	const [cursor, setCursor] = createSignal<string | null>(null);
	const [error, setError] = createSignal<string | null>(null);
	const [busy, setBusy] = createSignal(false);
	let searchNumber = 0;

	const query = (): HistoryQuery => {
		const query: Record<string, string> = {};
		for (const name of FILTERS) {
			const value = params[name]?.trim();
			if (value) query[name] = value;
		}
		return query as HistoryQuery;
	};

	/** Load the first page for the address's filters, or the next page after `after`. */
	const load = async (after: string | null) => {
		const number = ++searchNumber;
		setBusy(true);
		setError(null);
		try {
			const page = await api.request(R.history, {
				query: { ...query(), ...(after ? { cursor: after } : {}) },
			});
			// A newer search answered first: this answer is stale.
			if (number !== searchNumber) return;
			setResults((shown) => (after ? [...shown, ...page.conversations] : page.conversations));
			setCursor(page.nextCursor);
		} catch (failure) {
			if (number === searchNumber) setError(errorMessage(failure));
		} finally {
			if (number === searchNumber) setBusy(false);
		}
	};
	createEffect(
		on(
			() => FILTERS.map((name) => params[name]),
			() => void load(null),
		),
	);

	const submit = (event: SubmitEvent) => {
		event.preventDefault();
		const form = new FormData(event.currentTarget as HTMLFormElement);
		const next: Partial<Record<Filter, string>> = {};
		for (const name of FILTERS) {
			const value = String(form.get(name) ?? "").trim();
			next[name] = value || undefined;
		}
		setParams(next);
	};

	const members = () => [...ws.membersById().values()].sort((a, b) => a.name.localeCompare(b.name));

	return (
		<div class="page history-page">
			<div class="page-heading">
				<h1>History</h1>
				<p class="muted">Every conversation, finished ones included, newest first.</p>
			</div>
			<form
				class="history-form"
				aria-label="Search the history"
				onSubmit={submit}
				data-testid="history-form"
			>
				<div class="history-words">
					<label for={`${id}-q`} class="field-label">
						Words
					</label>
					<input
						id={`${id}-q`}
						name="q"
						type="search"
						value={params.q ?? ""}
						placeholder='refund "order 1234" -spam'
						aria-describedby={`${id}-q-hint`}
						data-testid="history-q"
					/>
					<p id={`${id}-q-hint`} class="small muted field-hint">
						In the post or its thread. Quotes for a phrase, a minus to leave a word out.
					</p>
				</div>
				<div>
					<label for={`${id}-author`} class="field-label">
						Author
					</label>
					<input
						id={`${id}-author`}
						name="author"
						value={params.author ?? ""}
						placeholder="@handle"
						data-testid="history-author"
					/>
				</div>
				<div>
					<label for={`${id}-tag`} class="field-label">
						Tag
					</label>
					<input id={`${id}-tag`} name="tag" value={params.tag ?? ""} />
				</div>
				<div>
					<label for={`${id}-owner`} class="field-label">
						Handled by
					</label>
					<select id={`${id}-owner`} name="owner" data-testid="history-owner">
						<option value="">Anyone</option>
						<For each={members()}>
							{(member) => (
								<option value={member.id} selected={params.owner === member.id}>
									{member.name}
								</option>
							)}
						</For>
					</select>
				</div>
				<div>
					<label for={`${id}-from`} class="field-label">
						Posted from
					</label>
					<input id={`${id}-from`} name="from" type="date" value={params.from ?? ""} />
				</div>
				<div>
					<label for={`${id}-to`} class="field-label">
						until (not including)
					</label>
					<input id={`${id}-to`} name="to" type="date" value={params.to ?? ""} />
				</div>
				<div class="history-submit">
					<button type="submit" class="button button-primary" data-testid="history-search">
						Search
					</button>
				</div>
			</form>
			<Show when={error()}>
				<p class="form-error" role="alert">
					{error()}
				</p>
			</Show>
			<p class="muted small" role="status">
				{busy()
					? "Searching…"
					: `${plural(results().length, "conversation")}${cursor() ? " so far" : ""}`}
			</p>
			<ol class="history-list" data-testid="history-results">
				<For each={results()}>{(mention) => <HistoryItem mention={mention} />}</For>
			</ol>
			<Show when={cursor()}>
				{(after) => (
					<button
						type="button"
						class="button"
						disabled={busy()}
						onClick={() => void load(after())}
						data-testid="history-more"
					>
						Show more
					</button>
				)}
			</Show>
		</div>
	);
}
