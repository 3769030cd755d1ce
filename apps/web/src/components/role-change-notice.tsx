/**
 * Tells a member that an admin changed their role while they were signed in, in one sentence,
 * and takes them from a page the new role may not open (Coverage, Reviews, Admin) to the
 * board, rather than leaving them with buttons the server refuses. Comments asking for
 * changes they had typed stay on their conversations' pages, and the toast says so. The
 * menu and the pages follow the role by themselves (they read it from the session).
 */
import { useLocation, useNavigate } from "@solidjs/router";
import { keptReviewComments } from "@switchboard/client";
import { createEffect, untrack } from "solid-js";
import { pageAllows, roleChangeWords } from "../roles.ts";
import { useSession } from "../session-context.tsx";
import { useToasts } from "../toasts.tsx";

export function RoleChangeNotice() {
	const { roleChange, roleChangeTold, session } = useSession();
	const toasts = useToasts();
	const navigate = useNavigate();
	const location = useLocation();
	createEffect(() => {
		const change = roleChange();
		if (!change) return;
		roleChangeTold();
		const me = untrack(session);
		const kept = me ? keptReviewComments(me.me).length : 0;
		toasts.notify("info", roleChangeWords(change.from, change.to, kept), "role");
		if (!untrack(() => pageAllows(location.pathname, change.to))) navigate("/", { replace: true });
	});
	return null;
}
