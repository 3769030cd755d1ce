/** The header: where I am, whether my work reached the server, who is online, and me. */
import { A, useNavigate } from "@solidjs/router";
import { createMemo, Show } from "solid-js";
import { myQueue } from "../board-model.ts";
import { plural } from "../format.ts";
import { useSession } from "../session-context.tsx";
import { useWorkspace } from "../workspace.tsx";
import { Avatar, AvatarStack } from "./bits.tsx";
import { ModeratorNav } from "./moderator-nav.tsx";

/** Online or offline, and how many of my changes the server does not have yet. */
export function SyncIndicator() {
	const ws = useWorkspace();
	const unsynced = () => ws.status().pendingCommands + ws.status().unsyncedDrafts;
	return (
		<div
			class="sync"
			classList={{ "sync-online": ws.status().online, "sync-offline": !ws.status().online }}
			data-testid="sync-status"
			data-online={ws.status().online ? "true" : "false"}
			data-unsynced={unsynced()}
			role="status"
		>
			<span class="sync-dot" aria-hidden="true" />
			<span class="sync-state">{ws.status().online ? "Online" : "Offline"}</span>
			<span class="sync-detail">
				{unsynced() > 0
					? `${plural(unsynced(), "change")} not yet on the server`
					: ws.status().online
						? "All changes saved"
						: "Changes are kept on this device"}
			</span>
		</div>
	);
}

export function AppHeader() {
	const ws = useWorkspace();
	const session = useSession();
	const navigate = useNavigate();
	const queueCount = createMemo(() => myQueue(ws.board().mentions, ws.me.id).length);
	const others = createMemo(() => ws.board().online.filter((member) => member.id !== ws.me.id));

	const signOut = async () => {
		await session.signOut();
		navigate("/login", { replace: true });
	};

	return (
		<header class="app-header">
			<a href="#main" class="skip-link">
				Skip to content
			</a>
			<A href="/" class="brand" end>
				<img src="/favicon.svg" alt="" width="24" height="24" />
				Switchboard
			</A>
			<nav aria-label="Main" class="main-nav">
				<A href="/" end activeClass="active">
					Board
				</A>
				<A href="/queue" activeClass="active" data-testid="nav-queue">
					My queue
					<Show when={queueCount() > 0}>
						<span class="nav-count">{queueCount()}</span>
					</Show>
				</A>
				<ModeratorNav />
				<A href="/settings" activeClass="active" data-testid="nav-settings">
					Settings
				</A>
				<Show when={ws.me.role === "admin"}>
					<A href="/admin" activeClass="active" data-testid="nav-admin">
						Admin
					</A>
				</Show>
			</nav>
			<span class="toolbar-spacer" />
			<AvatarStack members={others()} label="Online now" max={5} testId="online" />
			<SyncIndicator />
			<button
				type="button"
				class="icon-button header-button"
				onClick={() => ws.setHelpOpen(true)}
				aria-label="Keyboard shortcuts"
				title="Keyboard shortcuts (?)"
				data-testid="help-button"
			>
				?
			</button>
			<div class="me">
				<Avatar member={ws.me} size="medium" />
				<span class="me-name">
					{ws.me.name}
					<span class="me-role">{ws.me.role}</span>
				</span>
				<button
					type="button"
					class="button button-small button-on-dark"
					onClick={() => void signOut()}
					data-testid="sign-out"
				>
					Sign out
				</button>
			</div>
		</header>
	);
}
