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

/** Loads at once, and again on `reload()`. An older answer never overwrites a newer one. */
export function createLoader<T>(fetcher: () => Promise<T>): Loader<T> {
	const [data, setData] = createSignal<T>();
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
	void reload();
	return { data, error, loading, reload, set: (value) => setData(() => value) };
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

/** A form's submit handler: runs `action` instead of sending the page away. */
export function runOnSubmit(action: Action<[]>): (event: SubmitEvent) => void {
	return (event) => {
		event.preventDefault();
		void action.run();
	};
}
