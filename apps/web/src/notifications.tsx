/**
 * The member's notifications in the client: the first page of the feed read over HTTP when
 * the workspace opens and again after each reconnect (what came while offline), and from
 * then on live from the board's socket, whatever page is open. Nothing polls.
 */
import { useNavigate } from "@solidjs/router";
import { foldFeed, HttpRoutes, type Notification, notificationPath } from "@switchboard/domain";
import { type Accessor, createContext, createSignal, type JSX, onCleanup } from "solid-js";
import { errorMessage, useApi } from "./api.ts";
import { useRequiredContext } from "./required-context.ts";
import { useWorkspace } from "./workspace.tsx";

export interface Notifications {
	/** Newest first: the pages read so far, with what arrived live on top. */
	items: Accessor<Notification[]>;
	unread: Accessor<number>;
	/** Whether the first page has been read since the workspace opened. */
	loaded: Accessor<boolean>;
	/** Whether older entries are left to read. */
	more: Accessor<boolean>;
	error: Accessor<string | null>;
	loadMore(): Promise<void>;
	markAllRead(): Promise<void>;
	/** Open the conversation it is about, and count it as read. */
	open(notification: Notification): void;
}

const NotificationsContext = createContext<Notifications>();

/** Entries per page of the bell's list. */
const PAGE = 20;

export function NotificationsProvider(props: { children: JSX.Element }) {
	const ws = useWorkspace();
	const api = useApi();
	const navigate = useNavigate();
	const [items, setItems] = createSignal<Notification[]>([]);
	const [unread, setUnread] = createSignal(0);
	const [cursor, setCursor] = createSignal<string | null>(null);
	const [error, setError] = createSignal<string | null>(null);
	const [loaded, setLoaded] = createSignal(false);

	const merge = (incoming: Notification[], current: Notification[]) => {
		const byId = new Map(current.map((entry) => [entry.id, entry]));
		for (const entry of incoming) byId.set(entry.id, entry);
		// Newest first; a follow-up's entry takes the place of the unread ones before it.
		return foldFeed([...byId.values()]);
	};

	let latest = 0;
	const loadFirst = async () => {
		const ticket = ++latest;
		try {
			const page = await api.request(HttpRoutes.notifications, { query: { limit: String(PAGE) } });
			if (ticket !== latest) return;
			setItems((current) => merge(page.notifications, current));
			setUnread(page.unread);
			setLoaded(true);
			if (items().length <= page.notifications.length) setCursor(page.nextCursor);
			setError(null);
		} catch (caught) {
			setError(errorMessage(caught));
		}
	};

	onCleanup(
		ws.client.onNotifications((message) => {
			setUnread(message.unread);
			const added = message.added;
			if (added) setItems((current) => merge([added], current));
			// Read elsewhere: the entries shown here are read too, as far as the count tells.
			else if (message.unread === 0) {
				const now = new Date().toISOString();
				setItems((current) => current.map((entry) => ({ ...entry, readAt: entry.readAt ?? now })));
			}
			// Some read elsewhere, or by the server (a conversation taken from the member reads
			// its follow-ups): which ones, the first page says.
			else if (message.unread < items().filter((entry) => entry.readAt === null).length) {
				void loadFirst();
			}
		}),
	);
	// Read once when connected, and again after each reconnect for what came meanwhile.
	let wasOnline = ws.client.status.get().online;
	const unsubscribe = ws.client.status.subscribe((status) => {
		if (status.online && !wasOnline) void loadFirst();
		wasOnline = status.online;
	});
	onCleanup(unsubscribe);
	if (wasOnline) void loadFirst();

	// A tap on a push notification while the app is open: the service worker asks this
	// window to go to the conversation (push-handlers.js), keeping its socket and state.
	if ("serviceWorker" in navigator) {
		const onMessage = (event: MessageEvent) => {
			const data = event.data as { type?: unknown; path?: unknown } | null;
			if (
				data?.type === "switchboard:open" &&
				typeof data.path === "string" &&
				data.path.startsWith("/m/")
			) {
				navigate(data.path);
			}
		};
		navigator.serviceWorker.addEventListener("message", onMessage);
		onCleanup(() => navigator.serviceWorker.removeEventListener("message", onMessage));
	}

	const markRead = async (which: { ids: string[] } | { all: true }) => {
		const now = new Date().toISOString();
		const ids = "ids" in which ? new Set(which.ids) : null;
		setItems((current) =>
			current.map((entry) =>
				entry.readAt === null && (ids === null || ids.has(entry.id))
					? { ...entry, readAt: now }
					: entry,
			),
		);
		try {
			const answer = await api.request(HttpRoutes.readNotifications, { body: which });
			setUnread(answer.unread);
		} catch (caught) {
			setError(errorMessage(caught));
		}
	};

	const notifications: Notifications = {
		items,
		unread,
		loaded,
		more: () => cursor() !== null,
		error,
		async loadMore() {
			const before = cursor();
			if (before === null) return;
			try {
				const page = await api.request(HttpRoutes.notifications, {
					query: { limit: String(PAGE), cursor: before },
				});
				setItems((current) => merge(page.notifications, current));
				setCursor(page.nextCursor);
			} catch (caught) {
				setError(errorMessage(caught));
			}
		},
		markAllRead: () => markRead({ all: true }),
		open(notification) {
			if (notification.readAt === null) void markRead({ ids: [notification.id] });
			ws.setSelectedId(notification.mentionId);
			const path = notificationPath(notification);
			// Its conversation is open already: the page stays, so the focus goes where opening it
			// puts it, on its title (it was left on the closed panel's item, gone).
			if (path === location.pathname) document.getElementById("conversation-title")?.focus();
			else navigate(path);
		},
	};
	return (
		<NotificationsContext.Provider value={notifications}>
			{props.children}
		</NotificationsContext.Provider>
	);
}

export function useNotifications(): Notifications {
	return useRequiredContext(NotificationsContext, "useNotifications", "NotificationsProvider");
}
