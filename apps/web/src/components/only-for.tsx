/** Pages for some roles only: the others are told who the page is for and why. */

import { A } from "@solidjs/router";
import type { Role } from "@switchboard/domain";
import { type JSX, Show } from "solid-js";
import { AUDIENCE_ROLES, type Audience } from "../roles.ts";
import { useWorkspace } from "../workspace.tsx";

const AUDIENCES = {
	moderators: {
		roles: AUDIENCE_ROLES.moderators,
		title: "This page is for moderators",
		testId: "moderators-only",
	},
	admins: {
		roles: AUDIENCE_ROLES.admins,
		title: "This page is for admins",
		testId: "admin-forbidden",
	},
} as const satisfies Record<Audience, { roles: readonly Role[]; title: string; testId: string }>;

/**
 * `children` for the `audience`'s roles; anyone else reads the page's title, `why`, and a way
 * back to the board.
 */
export function OnlyFor(props: {
	audience: keyof typeof AUDIENCES;
	why: string;
	children: JSX.Element;
}) {
	const ws = useWorkspace();
	const audience = () => AUDIENCES[props.audience];
	return (
		<Show
			when={(audience().roles as readonly string[]).includes(ws.me.role)}
			fallback={
				<div class="page-message" data-testid={audience().testId}>
					<h1>{audience().title}</h1>
					<p>{props.why}</p>
					<A href="/" class="button">
						Back to the board
					</A>
				</div>
			}
		>
			{props.children}
		</Show>
	);
}
