/**
 * The HTTP API (sources, rules, webhooks, accounts, sends) for the signed-in session,
 * and a small loader that keeps a request's data, error and progress as signals.
 */
import { type ApiClient, ApiError, createApiClient } from "@switchboard/client";
import { type Accessor, createSignal } from "solid-js";
import { useSession } from "./session-context.tsx";

/** The API client of the signed-in session (only under the signed-in shell): by its cookie. */
export function useApi(): ApiClient {
	if (!useSession().session()) throw new Error("useApi() needs a signed-in session");
	return createApiClient({});
}

/** Words for a person from anything a request threw. */
export function errorMessage(error: unknown): string {
	if (error instanceof ApiError) {
		if (error.status === 401) return `${error.message} Sign out and sign in again.`;
		return error.message;
	}
	return error instanceof Error ? error.message : String(error);
}

export interface Loader<T> {
	data: Accessor<T | undefined>;
	/** Why the last load failed; cleared by the next load that works. */
	error: Accessor<string | null>;
	loading: Accessor<boolean>;
	/** Load again; concurrent reloads resolve to the newest answer. */
	reload(): Promise<void>;
	/** Replace the data locally (after a change the server already confirmed). */
	set(value: T): void;
}

/**
 * Loads at once, and again on `reload()`. An older answer never overwrites a newer one.
 * Given `known` (data just read elsewhere), starts with it instead of the first load.
 */
export function createLoader<T>(fetcher: () => Promise<T>, known?: T): Loader<T> {
	const [data, setData] = createSignal<T | undefined>(known);
	const [error, setError] = createSignal<string | null>(null);
	const [loading, setLoading] = createSignal(false);
	let latest = 0;
	const reload = async () => {
		const ticket = ++latest;
		setLoading(true);
		try {
			const value = await fetcher();
			if (ticket !== latest) return;
			setData(() => value);
			setError(null);
		} catch (caught) {
			if (ticket === latest) setError(errorMessage(caught));
		} finally {
			if (ticket === latest) setLoading(false);
		}
	};
	if (known === undefined) void reload();
	return { data, error, loading, reload, set: (value) => setData(() => value) };
}

/** A page of a list the server pages by cursor; `nextCursor` is null on the last one. */
export interface Page<T> {
	items: T[];
	nextCursor: string | null;
}

/**
 * A list the server pages: its first page loads as a `Loader` does (at once and on
 * `reload()`, which drops the pages after it), the next ones on `loadMore`.
 */
export interface PagedLoader<T> extends Loader<T[]> {
	/** Every item read so far: the first page, then those loaded after it. */
	items: Accessor<T[]>;
	/** Whether the server has more after them. */
	hasMore: Accessor<boolean>;
	loadMore: Action<[]>;
	/** Changes items in place (after a change the server confirmed), on whichever page. */
	update(change: (item: T) => T): void;
	/** Takes items out (after the server confirmed they are gone), on whichever page. */
	remove(gone: (item: T) => boolean): void;
}

/** A `PagedLoader` over `fetchPage`, which reads the page after `cursor` (null: the first). */
export function createPagedLoader<T>(
	fetchPage: (cursor: string | null) => Promise<Page<T>>,
): PagedLoader<T> {
	const [more, setMore] = createSignal<T[]>([]);
	const [cursor, setCursor] = createSignal<string | null>(null);
	const first = createLoader(async () => {
		const page = await fetchPage(null);
		setMore([]);
		setCursor(page.nextCursor);
		return page.items;
	});
	const loadMore = createAction(async () => {
		const after = cursor();
		if (!after) return;
		const page = await fetchPage(after);
		setMore([...more(), ...page.items]);
		setCursor(page.nextCursor);
	});
	return {
		...first,
		items: () => [...(first.data() ?? []), ...more()],
		hasMore: () => cursor() !== null,
		loadMore,
		update(change) {
			first.set((first.data() ?? []).map(change));
			setMore(more().map(change));
		},
		remove(gone) {
			first.set((first.data() ?? []).filter((item) => !gone(item)));
			setMore(more().filter((item) => !gone(item)));
		},
	};
}

export interface Action<A extends unknown[]> {
	/** Runs unless already running; true when it worked. */
	run(...args: A): Promise<boolean>;
	busy: Accessor<boolean>;
	/** Why the last run failed; cleared when a run starts. */
	error: Accessor<string | null>;
	clearError(): void;
}

/**
 * A user's action against the API: one at a time, with its error kept for an alert, in the
 * words `describe` finds for what `perform` threw.
 */
export function createAction<A extends unknown[]>(
	perform: (...args: A) => Promise<unknown>,
	describe: (caught: unknown) => string = errorMessage,
): Action<A> {
	const [busy, setBusy] = createSignal(false);
	const [error, setError] = createSignal<string | null>(null);
	return {
		async run(...args) {
			if (busy()) return false;
			setBusy(true);
			setError(null);
			try {
				await perform(...args);
				return true;
			} catch (caught) {
				setError(describe(caught));
				return false;
			} finally {
				setBusy(false);
			}
		},
		busy,
		error,
		clearError: () => setError(null),
	};
}
