/**
 * Tells a member that an admin changed their role while they were signed in, in one sentence,
 * and takes them from a page the new role may not open (Coverage, Reviews, Admin) to the
 * board, rather than leaving them with buttons the server refuses. The menu and the pages
 * follow the role by themselves (they read it from the session).
 */
import { useLocation, useNavigate } from "@solidjs/router";
import { createEffect, untrack } from "solid-js";
import { pageAllows, roleChangeWords } from "../roles.ts";
import { useSession } from "../session-context.tsx";
import { useToasts } from "../toasts.tsx";

export function RoleChangeNotice() {
	const { roleChange, roleChangeTold } = useSession();
	const toasts = useToasts();
	const navigate = useNavigate();
	const location = useLocation();
	createEffect(() => {
		const change = roleChange();
		if (!change) return;
		roleChangeTold();
		toasts.notify("info", roleChangeWords(change.from, change.to), "role");
		if (!untrack(() => pageAllows(location.pathname, change.to))) navigate("/", { replace: true });
	});
	return null;
}
