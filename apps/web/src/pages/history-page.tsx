/**
 * History: every conversation of the organisation, finished ones included, searched on the
 * server (the live board holds only open work). The filters live in the address, so a
 * search can be shared and survives a reload; "Show more" follows the server's cursor.
 * Coming back to a search just left shows it as it was, as far down as it was
 * (history-place.ts).
 *
 * On a phone the filters other than the words fold behind a Filters button that counts those
 * in use, as the board's do: unfolded, they took the whole screen, and a search's results
 * began below it. A search folds them again.
 */

import { useSearchParams } from "@solidjs/router";
import { type Mention, HttpRoutes as R, type RouteRequest } from "@switchboard/domain";
import { createEffect, createSignal, For, on, onCleanup, onMount, Show } from "solid-js";
import { createStore } from "solid-js/store";
import { errorMessage, useApi } from "../api.ts";
import { FiltersToggle } from "../components/bits.tsx";
import { type FieldSpec, FormFields, submitHandler } from "../components/forms.tsx";
import { HistoryItem } from "../components/history-item.tsx";
import { plural } from "../format.ts";
import { placeKey, placeToResume } from "../history-place.ts";
import { createDisclosure } from "../popup.ts";
import { useWorkspace } from "../workspace.tsx";

type HistoryQuery = NonNullable<RouteRequest<typeof R.history>["query"]>;

/** The address's search parameters that are filters, in the API's names. */
const FILTERS = ["q", "author", "tag", "owner", "from", "to"] as const;
type Filter = (typeof FILTERS)[number];
type HistoryFields = Record<Filter, string>;

export function HistoryPage() {
	const ws = useWorkspace();
	const api = useApi();
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
	/** The filters as the address has them, as the form shows them. */
	const fromAddress = () =>
		Object.fromEntries(FILTERS.map((name) => [name, params[name] ?? ""])) as HistoryFields;
	const form = createStore<HistoryFields>(fromAddress());
	const [fields, setFields] = form;
	/** The page's scroller (the shell's main), and how far down it is. */
	const scroller = () => document.getElementById("main");
	let scrollTop = 0;
	let resumed = false;
	/** The search the results are for (the address changes before the page is left). */
	let shownKey = "";
	// A new address (a search, back, a shared link) fills the form and searches; on coming
	// back, the search just left is shown again as it was.
	createEffect(
		on(
			() => FILTERS.map((name) => params[name]),
			() => {
				setFields(fromAddress());
				shownKey = placeKey(query());
				const place = resumed ? undefined : placeToResume(ws.historyPlaces, shownKey, Date.now());
				resumed = true;
				if (!place) {
					void load(null);
					return;
				}
				setResults([...place.results]);
				setCursor(place.cursor);
				// Once the rows are in the page (they are, after this effect's updates).
				queueMicrotask(() => {
					const main = scroller();
					if (main) main.scrollTop = place.scrollTop;
					scrollTop = place.scrollTop;
				});
			},
		),
	);
	onMount(() => {
		const main = scroller();
		if (!main) return;
		const follow = () => {
			scrollTop = main.scrollTop;
		};
		main.addEventListener("scroll", follow, { passive: true });
		onCleanup(() => main.removeEventListener("scroll", follow));
	});
	onCleanup(() => {
		// A search still under way or failed is asked for again next time.
		if (busy() || error()) {
			ws.historyPlaces.left = null;
			return;
		}
		ws.historyPlaces.left = {
			key: shownKey,
			results: results(),
			cursor: cursor(),
			scrollTop,
			leftAt: Date.now(),
		};
	});

	const {
		open: filtersOpen,
		setOpen: setFiltersOpen,
		toggle: filtersToggle,
	} = createDisclosure("history-filters");
	/** The filters other than the words that the results are searched with. */
	const filtersInUse = () => FILTERS.filter((name) => name !== "q" && params[name]?.trim()).length;

	const submit = submitHandler(() => {
		setFiltersOpen(false);
		setParams(Object.fromEntries(FILTERS.map((name) => [name, fields[name].trim() || undefined])));
	});

	const members = () => [...ws.membersById().values()].sort((a, b) => a.name.localeCompare(b.name));
	const historyFields = (): FieldSpec<HistoryFields>[] => [
		{
			name: "q",
			label: "Words",
			wide: true,
			type: "search",
			placeholder: 'refund "order 1234" -spam',
			hint: "In the post or its thread. Quotes for a phrase, a minus to leave a word out.",
			testId: "history-q",
		},
		{ name: "author", label: "Author", placeholder: "@handle", testId: "history-author" },
		{ name: "tag", label: "Tag" },
		{
			name: "owner",
			label: "Handled by",
			options: [
				{ value: "", label: "Anyone" },
				...members().map((member) => ({ value: member.id, label: member.name })),
			],
			// A thousand members are too many to scroll through.
			search: { placeholder: "Anyone" },
			testId: "history-owner",
		},
		{ name: "from", label: "Posted from", type: "date" },
		{ name: "to", label: "until (not including)", type: "date" },
	];

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
				<FormFields store={form} fields={historyFields().slice(0, 1)} />
				<FiltersToggle
					toggle={filtersToggle}
					count={filtersInUse()}
					counted=" in use"
					class="history-filters-toggle"
					testId="history-filters-toggle"
					countTestId="history-filters-count"
				/>
				<div
					id="history-filters"
					class="history-filters"
					classList={{ "history-filters-open": filtersOpen() }}
				>
					<FormFields store={form} fields={historyFields().slice(1)} />
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
			<ol class="history-list" aria-busy={busy()} data-testid="history-results">
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
