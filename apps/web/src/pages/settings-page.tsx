/**
 * The member's settings: their profile and password, the Mastodon and Bluesky accounts
 * their replies are sent from, and which notifications reach them where.
 * Tokens and app passwords go to the server once, are checked there, and are never
 * shown again.
 */
import type { ApiClient, ConnectedAccount } from "@switchboard/client";
import { DEFAULT_BLUESKY_SERVICE, type ReplyNetwork } from "@switchboard/domain";
import { createMemo, createSignal, createUniqueId, Show } from "solid-js";
import { createStore } from "solid-js/store";
import { createAction, createLoader, useApi } from "../api.ts";
import { NetworkBadge } from "../components/bits.tsx";
import {
	ConfirmButton,
	type FieldSpec,
	FormActions,
	FormError,
	FormFields,
	Loaded,
	submitHandler,
	When,
} from "../components/forms.tsx";
import { NotificationSettingsSection } from "../components/notification-settings.tsx";
import { ProfilePanel } from "../components/profile-panel.tsx";
import { useToasts } from "../toasts.tsx";
import { useWorkspace } from "../workspace.tsx";

export function SettingsPage() {
	const api = useApi();
	const accounts = createLoader(() => api.accounts.list());
	const account = (network: ReplyNetwork) =>
		accounts.data()?.find((candidate) => candidate.network === network) ?? null;
	const replace = (next: ConnectedAccount) =>
		accounts.set([
			...(accounts.data() ?? []).filter((other) => other.network !== next.network),
			next,
		]);
	const drop = (network: ReplyNetwork) =>
		accounts.set((accounts.data() ?? []).filter((other) => other.network !== network));

	return (
		<div class="page settings-page" data-testid="settings-page">
			<div class="page-heading">
				<h1>Settings</h1>
			</div>
			<ProfilePanel />
			<section class="admin-section" aria-labelledby="accounts-title">
				<h2 id="accounts-title">Connected accounts</h2>
				<p class="muted">
					Replies you send from a conversation are posted from your own account on its network.
					Switchboard checks the token or app password when you connect, keeps it encrypted and
					never shows it again. Without a connected account, post by hand and record the reply's
					link.
				</p>
				<Loaded loader={accounts} errorTestId="accounts-error">
					{() => (
						<div class="account-grid">
							<AccountCard
								network="mastodon"
								account={account("mastodon")}
								onConnected={replace}
								onDisconnected={() => drop("mastodon")}
							/>
							<AccountCard
								network="bluesky"
								account={account("bluesky")}
								onConnected={replace}
								onDisconnected={() => drop("bluesky")}
							/>
						</div>
					)}
				</Loaded>
			</section>
			<NotificationSettingsSection />
		</div>
	);
}

const NETWORK_NAMES: Record<ReplyNetwork, string> = { mastodon: "Mastodon", bluesky: "Bluesky" };

function AccountCard(props: {
	network: ReplyNetwork;
	account: ConnectedAccount | null;
	onConnected: (account: ConnectedAccount) => void;
	onDisconnected: () => void;
}) {
	const ws = useWorkspace();
	const api = useApi();
	const toasts = useToasts();
	const [changing, setChanging] = createSignal(false);
	const titleId = createUniqueId();
	const name = () => NETWORK_NAMES[props.network];
	const disconnect = createAction(async () => {
		await api.accounts.disconnect(props.network);
		props.onDisconnected();
		toasts.notify("info", `Your ${name()} account is disconnected.`);
	});
	const connected = (account: ConnectedAccount) => {
		setChanging(false);
		props.onConnected(account);
		toasts.notify("info", `Connected to ${name()} as ${account.handle}.`);
	};
	const showForm = createMemo(() => props.account === null || changing());

	return (
		<section
			class="panel account-card"
			aria-labelledby={titleId}
			data-testid={`account-${props.network}`}
			data-connected={props.account ? "true" : "false"}
		>
			<h3 id={titleId} class="panel-title account-title">
				<NetworkBadge network={props.network} />
			</h3>
			<Show when={props.account} fallback={<p class="muted">Not connected.</p>}>
				{(account) => (
					<div class="account-connected" data-testid="account-connected">
						<p>
							Connected as <strong data-testid="account-handle">{account().handle}</strong>
							<span class="muted"> on {account().serverUrl}</span>
							<span class="muted small">
								{" "}
								· since <When iso={account().createdAt} now={ws.now()} tense="past" />
							</span>
						</p>
						<FormError error={disconnect.error()} testId="account-error" />
						<div class="admin-item-actions">
							<button
								type="button"
								class="button button-small"
								aria-expanded={changing()}
								onClick={() => setChanging(!changing())}
								data-testid="account-change"
							>
								{changing() ? "Keep this one" : "Use another account"}
							</button>
							<ConfirmButton
								label="Disconnect"
								question={`Disconnect ${name()}? Sends from this account stop.`}
								confirmLabel="Disconnect"
								busy={disconnect.busy()}
								onConfirm={() => disconnect.run()}
								accessibleLabel={`Disconnect ${name()}`}
								testId="account-disconnect"
							/>
						</div>
					</div>
				)}
			</Show>
			<Show when={showForm()}>
				{props.network === "mastodon" ? (
					<ConnectForm network="mastodon" account={MASTODON} onConnected={connected} />
				) : (
					<ConnectForm network="bluesky" account={BLUESKY} onConnected={connected} />
				)}
			</Show>
		</section>
	);
}

/** How an account on a network is connected: the form's fields, and the request they make. */
interface AccountConnection<T extends object> {
	initial: T;
	/** A function, so that each form gets its own hint elements. */
	fields: () => FieldSpec<T>[];
	connect: (api: ApiClient, values: T) => Promise<ConnectedAccount>;
}

const MASTODON: AccountConnection<{ instanceUrl: string; token: string }> = {
	initial: { instanceUrl: "", token: "" },
	fields: () => [
		{
			name: "instanceUrl",
			label: "Instance URL",
			type: "url",
			required: true,
			placeholder: "https://mastodon.social",
			testId: "mastodon-instance",
		},
		{
			name: "token",
			label: "Access token",
			type: "password",
			autocomplete: "off",
			required: true,
			testId: "mastodon-token",
			hint: (
				<>
					On your instance: Preferences → Development → New application, with the scopes{" "}
					<code>read</code> and <code>write:statuses</code>; copy “Your access token”.
				</>
			),
		},
	],
	connect: (api, values) =>
		api.accounts.connectMastodon({
			instanceUrl: values.instanceUrl.trim(),
			accessToken: values.token.trim(),
		}),
};

const BLUESKY: AccountConnection<{ identifier: string; password: string; service: string }> = {
	initial: { identifier: "", password: "", service: DEFAULT_BLUESKY_SERVICE },
	fields: () => [
		{
			name: "identifier",
			label: "Handle",
			required: true,
			autocomplete: "username",
			placeholder: "you.bsky.social",
			testId: "bluesky-handle",
		},
		{
			name: "password",
			label: "App password",
			type: "password",
			autocomplete: "off",
			required: true,
			testId: "bluesky-app-password",
			hint: "Not your account password: create an app password under Settings → Privacy and security → App passwords.",
		},
		{ name: "service", label: "Service URL", type: "url", testId: "bluesky-service" },
	],
	connect: (api, values) =>
		api.accounts.connectBluesky({
			identifier: values.identifier.trim().replace(/^@/, ""),
			appPassword: values.password.trim(),
			service: values.service.trim() || DEFAULT_BLUESKY_SERVICE,
		}),
};

/** The form that connects the member's account on `network`. */
function ConnectForm<T extends object>(props: {
	network: ReplyNetwork;
	account: AccountConnection<T>;
	onConnected: (account: ConnectedAccount) => void;
}) {
	const api = useApi();
	const values = createStore<T>({ ...props.account.initial });
	const connect = createAction(async () => {
		props.onConnected(await props.account.connect(api, values[0]));
	});
	return (
		<form
			class="admin-form account-form"
			data-testid={`${props.network}-form`}
			onSubmit={submitHandler(() => void connect.run())}
		>
			<FormFields store={values} fields={props.account.fields()} cells={false} />
			<FormError error={connect.error()} testId="account-error" />
			<FormActions
				label={`Connect ${NETWORK_NAMES[props.network]}`}
				busyLabel="Checking…"
				busy={connect.busy()}
				testId="account-connect"
			/>
		</form>
	);
}
