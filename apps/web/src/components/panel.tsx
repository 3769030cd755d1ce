/** A panel of a page, named by its heading (the coverage and report panels). */
import type { JSX } from "solid-js";

/**
 * A raised section whose heading (`title`, with any note or link in it) names it for
 * screen readers; its ids come from `name`. `busy` marks it `aria-busy` while its data loads,
 * so assistive technology (and the end-to-end tests) wait for it to be drawn.
 */
export function Panel(props: {
	name: string;
	title: JSX.Element;
	testId?: string;
	busy?: boolean;
	children: JSX.Element;
}) {
	return (
		<section
			class="panel"
			aria-labelledby={`${props.name}-title`}
			aria-busy={props.busy === true}
			data-testid={props.testId}
		>
			<h2 id={`${props.name}-title`} class="panel-title">
				{props.title}
			</h2>
			{props.children}
		</section>
	);
}
