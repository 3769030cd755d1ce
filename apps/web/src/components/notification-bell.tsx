/**
 * The bell in the header: how many notifications are unread, and the list of them one tap
 * away. Each entry opens the conversation it is about. The count comes live over the
 * socket (see notifications.tsx), on every page and at every width.
 */
import { A } from "@solidjs/router";
import { type Notification, notificationText } from "@switchboard/domain";
import { For, Show } from "solid-js";
import { formatAge, formatDateTime } from "../format.ts";
import { useNotifications } from "../notifications.tsx";
import { closeOnEscapeOrOutside, createDisclosure } from "../popup.ts";
import { inAudience } from "../roles.ts";
import { useWorkspace } from "../workspace.tsx";

export function NotificationBell() {
	const ws = useWorkspace();
	const notifications = useNotifications();
	const { open, setOpen, toggle } = createDisclosure("notification-panel");
	let button: HTMLButtonElement | undefined;
	let panel: HTMLElement | undefined;

	const close = (focusButton: boolean) => {
		setOpen(false);
		if (focusButton) button?.focus();
	};
	closeOnEscapeOrOutside({
		open,
		close: () => close(false),
		button: () => button,
		panel: () => panel,
	});

	const label = () => {
		const count = notifications.unread();
		return count === 0 ? "Notifications" : `Notifications, ${count} unread`;
	};
	const choose = (notification: Notification) => {
		close(false);
		notifications.open(notification);
	};

	return (
		<div class="bell">
			<button
				ref={button}
				type="button"
				class="bell-button"
				aria-label={label()}
				{...toggle}
				title={label()}
				data-testid="bell"
				data-unread={notifications.unread()}
				data-loaded={notifications.loaded() ? "true" : "false"}
			>
				<svg class="bell-icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
					<path
						fill="currentColor"
						d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z"
					/>
				</svg>
				<Show when={notifications.unread() > 0}>
					<span class="bell-count" aria-hidden="true" data-testid="bell-count">
						{notifications.unread() > 99 ? "99+" : notifications.unread()}
					</span>
				</Show>
			</button>
			<Show when={open()}>
				<section
					ref={panel}
					id="notification-panel"
					class="bell-panel"
					aria-label="Notifications"
					data-testid="notification-panel"
				>
					<div class="bell-panel-head">
						<h2 class="bell-title">Notifications</h2>
						<button
							type="button"
							class="button button-small"
							disabled={notifications.unread() === 0}
							onClick={() => void notifications.markAllRead()}
							data-testid="mark-all-read"
						>
							Mark all read
						</button>
					</div>
					<Show when={notifications.error()}>
						<p class="form-error" role="alert">
							{notifications.error()}
						</p>
					</Show>
					<Show
						when={notifications.items().length > 0}
						fallback={
							// Not "Nothing yet" before the feed has come: the badge may count entries already.
							<Show
								when={notifications.loaded() || notifications.error()}
								fallback={
									<p class="muted bell-empty" role="status" data-testid="bell-loading">
										Loading…
									</p>
								}
							>
								<div class="muted bell-empty" data-testid="bell-empty">
									<p>
										Nothing yet. You are told here when a teammate @mentions you in a note or gives
										you a conversation, and of news on the conversations you own: the customer
										writing again, a decision on your reply, a missed target.
									</p>
									{/* Nobody is notified of a reply submitted for review (docs/NOTIFICATIONS.md). */}
									<Show when={inAudience("moderators", ws.me.role)}>
										<p>
											Replies waiting for review are not announced:{" "}
											<A href="/reviews" onClick={() => close(false)}>
												see Reviews
											</A>
											.
										</p>
									</Show>
								</div>
							</Show>
						}
					>
						<ul class="bell-list">
							<For each={notifications.items()}>
								{(notification) => {
									const text = () =>
										notificationText(notification, (id) => ws.membersById().get(id)?.name);
									return (
										<li>
											<button
												type="button"
												class="bell-item"
												classList={{ "bell-item-unread": notification.readAt === null }}
												onClick={() => choose(notification)}
												data-testid="notification"
												data-kind={notification.kind}
												data-mention-id={notification.mentionId}
												data-read={notification.readAt === null ? "false" : "true"}
											>
												<span class="bell-item-title">
													<Show when={notification.readAt === null}>
														<span class="sr-only">Unread: </span>
													</Show>
													{text().title}
												</span>
												<span class="bell-item-body">{text().body}</span>
												<time
													class="bell-item-time"
													datetime={notification.at}
													title={formatDateTime(notification.at)}
												>
													{formatAge(notification.at, ws.now())}
												</time>
											</button>
										</li>
									);
								}}
							</For>
						</ul>
						<Show when={notifications.more()}>
							<button
								type="button"
								class="button button-small bell-more"
								onClick={() => void notifications.loadMore()}
							>
								Show older
							</button>
						</Show>
					</Show>
					<A href="/settings" class="bell-settings" onClick={() => close(false)}>
						Choose what you are told
					</A>
				</section>
			</Show>
		</div>
	);
}
