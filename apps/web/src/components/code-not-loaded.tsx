/** What a lazily loaded part of the app shows when its code cannot be fetched. */
import type { JSX } from "solid-js";

/** Its code is not on this device yet and the server cannot be reached: say so, offer a retry. */
export function CodeNotLoaded(props: { title: string; retry: () => void }): JSX.Element {
	return (
		<div class="page-message" role="alert">
			<h1>{props.title}</h1>
			<p>Its code is not on this device yet, and the server cannot be reached.</p>
			<button type="button" class="button" onClick={() => props.retry()}>
				Try again
			</button>
		</div>
	);
}
