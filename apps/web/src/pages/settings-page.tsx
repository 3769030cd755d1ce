/**
 * The member's settings: their profile and password, the Mastodon and Bluesky accounts
 * their replies are sent from, and which notifications reach them where.
 * Tokens and app passwords go to the server once, are checked there, and are never
 * shown again.
 */
import type { ConnectedAccount } from "@switchboard/client";
import type { ReplyNetwork } from "@switchboard/domain";
import { createMemo, createSignal, createUniqueId, Show } from "solid-js";
import { createAction, createLoader, useApi } from "../api.ts";
import { NetworkBadge } from "../components/bits.tsx";
import { ConnectAccountForm, NETWORK_NAMES } from "../components/connect-account-form.tsx";
import { ConfirmButton, FormError, Loaded, When } from "../components/forms.tsx";
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
			<section
				class="admin-section"
				aria-labelledby="accounts-title"
				aria-busy={accounts.loading()}
			>
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
				<ConnectAccountForm network={props.network} onConnected={connected} />
			</Show>
		</section>
	);
}
