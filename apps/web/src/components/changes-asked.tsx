/** What a moderator asked of a text, shown beside the text submitted again. */
import type { Review } from "@switchboard/domain";
import { Show } from "solid-js";
import { formatDateTime, formatRelative } from "../format.ts";
import { useWorkspace } from "../workspace.tsx";

/**
 * On a text submitted again after a moderator asked for changes: what they asked, so whoever
 * reviews it now (the same moderator or another) checks the new text against it.
 */
export function ChangesAsked(props: { review: Review | null }) {
	const ws = useWorkspace();
	const asked = () => (props.review?.state === "requested" ? props.review.changesAsked : undefined);
	return (
		<Show when={asked()}>
			{(earlier) => (
				<p class="callout callout-info small" data-testid="changes-asked">
					<strong>
						Changes asked for by {ws.memberName(earlier().by)}{" "}
						<time datetime={earlier().at} title={formatDateTime(earlier().at)}>
							{formatRelative(earlier().at, ws.now(), "past")}
						</time>
						:
					</strong>{" "}
					{earlier().comment || "No comment."}
				</p>
			)}
		</Show>
	);
}
