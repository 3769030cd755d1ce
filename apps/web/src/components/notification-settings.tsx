/**
 * The member's choice of notifications, per kind and channel (in the app, on the phone),
 * and this device's opt-in to push notifications. A choice is saved as it is made, with no
 * Save button, so each save says it was made (a toast, as the profile's Save does), and a
 * failed one says so and puts the box back to what is stored.
 */
import {
	HttpRoutes,
	type NotificationChannel,
	type NotificationKind,
	NotificationKinds,
	type NotificationSettings,
} from "@switchboard/domain";
import { createSignal, For, onMount, Show } from "solid-js";
import { createAction, createLoader, errorMessage, useApi } from "../api.ts";
import {
	currentSubscription,
	deviceLabel,
	pushSupported,
	subscribeThisDevice,
	unsubscribeThisDevice,
} from "../push.ts";
import { useToasts } from "../toasts.tsx";
import { ActionButton, FormError } from "./forms.tsx";
import { Table } from "./table.tsx";

const KIND_LABELS: Record<NotificationKind, string> = {
	mentioned: "A teammate @mentions me in a note",
	assigned: "A conversation is assigned to me",
	handed_off: "A teammate hands me a conversation",
	follow_up: "The customer writes again in a conversation I own",
	review_decided: "My reply is approved, or changes are asked for",
	sla_breach: "A conversation I own misses its claim or reply time",
	lease_expired: "A conversation I own goes back to the board while I am away",
	taken_away: "A moderator gives a conversation I own to someone else, or back to the board",
};

const CHANNEL_LABELS: Record<NotificationChannel, string> = {
	app: "In the app",
	push: "On my phone",
};

/** What a toast says of a choice saved. */
function savedWords(kind: NotificationKind, channel: NotificationChannel, on: boolean) {
	return `Saved: ${CHANNEL_LABELS[channel].toLowerCase()}, “${KIND_LABELS[kind]}” is ${on ? "on" : "off"}.`;
}

export function NotificationSettingsSection() {
	const api = useApi();
	const toasts = useToasts();
	const settings = createLoader(
		async () => (await api.request(HttpRoutes.notificationSettings, {})).settings,
	);
	const [saveError, setSaveError] = createSignal<string | null>(null);
	/**
	 * Changes are saved one after another, in the order made: a change made while the one
	 * before is on its way waits for it (a one-at-a-time action dropped it, and the box
	 * showed a choice never sent), and each answer, holding every change saved so far, is
	 * what the table then shows.
	 */
	let saving = Promise.resolve();
	const save = (
		kind: NotificationKind,
		channel: NotificationChannel,
		on: boolean,
		box: HTMLInputElement,
	) => {
		saving = saving.then(async () => {
			setSaveError(null);
			try {
				const answer = await api.request(HttpRoutes.saveNotificationSettings, {
					body: { [kind]: { [channel]: on } },
				});
				settings.set(answer.settings);
				toasts.notify("info", savedWords(kind, channel, on), "notification-settings");
			} catch (caught) {
				// Set by hand: the stored value has not changed, so Solid does not set `checked`.
				box.checked = settings.data()?.[kind][channel] ?? !on;
				setSaveError(
					`Your change was not saved; the box shows what is stored. ${errorMessage(caught)}`,
				);
			}
		});
	};

	return (
		<section class="admin-section" id="notifications" aria-labelledby="notifications-title">
			<h2 id="notifications-title">Notifications</h2>
			<p class="muted">
				What you are told about, in the app's bell and as push notifications on the devices where
				you turned them on.
			</p>
			<PushOptIn />
			<FormError error={settings.error() ?? saveError()} testId="notification-settings-error" />
			<Show
				when={settings.data()}
				fallback={<p class="muted">{settings.error() ? "" : "Loading…"}</p>}
			>
				{(current) => <SettingsTable settings={current()} onChange={save} />}
			</Show>
		</section>
	);
}

function SettingsTable(props: {
	settings: NotificationSettings;
	onChange: (
		kind: NotificationKind,
		channel: NotificationChannel,
		on: boolean,
		box: HTMLInputElement,
	) => void;
}) {
	return (
		<Table
			class="notification-settings"
			testId="notification-settings"
			columns={["Tell me when", ...Object.values(CHANNEL_LABELS)]}
			rows={NotificationKinds}
		>
			{(kind) => (
				<tr>
					<th scope="row">{KIND_LABELS[kind]}</th>
					<For each={["app", "push"] as const}>
						{(channel) => (
							<td>
								{/* The label is the box's tap target, 44 px on a touch screen. */}
								<label class="check-target">
									<input
										type="checkbox"
										checked={props.settings[kind][channel]}
										aria-label={`${KIND_LABELS[kind]}: ${CHANNEL_LABELS[channel]}`}
										onChange={(e) =>
											props.onChange(kind, channel, e.currentTarget.checked, e.currentTarget)
										}
										data-testid={`notify-${kind}-${channel}`}
									/>
								</label>
							</td>
						)}
					</For>
				</tr>
			)}
		</Table>
	);
}

/** Turn push notifications on or off for this device. */
function PushOptIn() {
	const api = useApi();
	const toasts = useToasts();
	const [subscribed, setSubscribed] = createSignal<boolean | null>(null);
	onMount(() => {
		void currentSubscription().then(
			(subscription) => setSubscribed(subscription !== null),
			() => setSubscribed(false),
		);
	});
	const turnOn = createAction(async () => {
		const { publicKey } = await api.request(HttpRoutes.pushDevices, {});
		const subscription = await subscribeThisDevice(publicKey);
		await api.request(HttpRoutes.addPushDevice, {
			body: {
				subscription: {
					endpoint: subscription.endpoint ?? "",
					keys: { p256dh: subscription.keys?.p256dh ?? "", auth: subscription.keys?.auth ?? "" },
				},
				label: deviceLabel(),
			},
		});
		setSubscribed(true);
		toasts.notify("info", "Push notifications are on for this device.");
	});
	const turnOff = createAction(async () => {
		const endpoint = await unsubscribeThisDevice();
		if (endpoint) await api.request(HttpRoutes.removePushDevice, { body: { endpoint } });
		setSubscribed(false);
	});

	return (
		<div class="push-opt-in" data-testid="push-opt-in">
			<Show
				when={pushSupported()}
				fallback={
					<p class="muted">
						This browser cannot receive push notifications. On a phone, install Switchboard from the
						browser's menu first.
					</p>
				}
			>
				<Show
					when={subscribed()}
					fallback={
						<ActionButton action={turnOn} disabled={subscribed() === null} testId="push-on">
							Get notifications on this device
						</ActionButton>
					}
				>
					<p>
						Push notifications are on for this device.{" "}
						<ActionButton action={turnOff} class="button button-small" testId="push-off">
							Turn off
						</ActionButton>
					</p>
				</Show>
				<FormError error={turnOn.error() ?? turnOff.error()} testId="push-error" />
			</Show>
		</div>
	);
}
