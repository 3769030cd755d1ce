/**
 * The member's settings: their profile and password, the Mastodon and Bluesky accounts
 * their replies are sent from, and which notifications reach them where.
 * Tokens and app passwords go to the server once, are checked there, and are never
 * shown again.
 */
import type { ConnectedAccount } from "@switchboard/client";
import { DEFAULT_BLUESKY_SERVICE, type ReplyNetwork } from "@switchboard/domain";
import { createMemo, createSignal, createUniqueId, type JSX, Show } from "solid-js";
import { createAction, createLoader, useApi } from "../api.ts";
import { NetworkBadge } from "../components/bits.tsx";
import { ConfirmButton, FormActions, FormError, TextField, When } from "../components/forms.tsx";
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
				<FormError error={accounts.error()} testId="accounts-error" />
				<Show
					when={accounts.data()}
					fallback={<p class="muted">{accounts.error() ? "" : "Loading…"}</p>}
				>
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
				</Show>
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
					<MastodonForm onConnected={connected} />
				) : (
					<BlueskyForm onConnected={connected} />
				)}
			</Show>
		</section>
	);
}

function ConnectForm(props: {
	testId: string;
	busy: boolean;
	error: string | null;
	label: string;
	onSubmit: () => void;
	children: JSX.Element;
}) {
	return (
		<form
			class="admin-form account-form"
			data-testid={props.testId}
			onSubmit={(event) => {
				event.preventDefault();
				props.onSubmit();
			}}
		>
			{props.children}
			<FormError error={props.error} testId="account-error" />
			<FormActions
				label={props.label}
				busyLabel="Checking…"
				busy={props.busy}
				testId="account-connect"
			/>
		</form>
	);
}

function MastodonForm(props: { onConnected: (account: ConnectedAccount) => void }) {
	const api = useApi();
	const id = createUniqueId();
	const [instanceUrl, setInstanceUrl] = createSignal("");
	const [token, setToken] = createSignal("");
	const connect = createAction(async () => {
		props.onConnected(
			await api.accounts.connectMastodon({
				instanceUrl: instanceUrl().trim(),
				accessToken: token().trim(),
			}),
		);
	});
	return (
		<ConnectForm
			testId="mastodon-form"
			busy={connect.busy()}
			error={connect.error()}
			label="Connect Mastodon"
			onSubmit={() => void connect.run()}
		>
			<TextField
				id={`${id}-instance`}
				label="Instance URL"
				type="url"
				required
				placeholder="https://mastodon.social"
				value={instanceUrl()}
				onInput={setInstanceUrl}
				testId="mastodon-instance"
			/>
			<TextField
				id={`${id}-token`}
				label="Access token"
				type="password"
				autocomplete="off"
				required
				value={token()}
				onInput={setToken}
				testId="mastodon-token"
				hint={
					<>
						On your instance: Preferences → Development → New application, with the scopes{" "}
						<code>read</code> and <code>write:statuses</code>; copy “Your access token”.
					</>
				}
			/>
		</ConnectForm>
	);
}

function BlueskyForm(props: { onConnected: (account: ConnectedAccount) => void }) {
	const api = useApi();
	const id = createUniqueId();
	const [identifier, setIdentifier] = createSignal("");
	const [password, setPassword] = createSignal("");
	const [service, setService] = createSignal(DEFAULT_BLUESKY_SERVICE);
	const connect = createAction(async () => {
		props.onConnected(
			await api.accounts.connectBluesky({
				identifier: identifier().trim().replace(/^@/, ""),
				appPassword: password().trim(),
				service: service().trim() || DEFAULT_BLUESKY_SERVICE,
			}),
		);
	});
	return (
		<ConnectForm
			testId="bluesky-form"
			busy={connect.busy()}
			error={connect.error()}
			label="Connect Bluesky"
			onSubmit={() => void connect.run()}
		>
			<TextField
				id={`${id}-handle`}
				label="Handle"
				type="text"
				required
				autocomplete="username"
				placeholder="you.bsky.social"
				value={identifier()}
				onInput={setIdentifier}
				testId="bluesky-handle"
			/>
			<TextField
				id={`${id}-password`}
				label="App password"
				type="password"
				autocomplete="off"
				required
				value={password()}
				onInput={setPassword}
				testId="bluesky-app-password"
				hint="Not your account password: create an app password under Settings → Privacy and security → App passwords."
			/>
			<TextField
				id={`${id}-service`}
				label="Service URL"
				type="url"
				value={service()}
				onInput={setService}
				testId="bluesky-service"
			/>
		</ConnectForm>
	);
}
