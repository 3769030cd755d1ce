/**
 * The forms that connect a member's own account on a network (Settings › Connected
 * accounts): each network's fields and the request they make, and one form that draws them.
 */
import type { ApiClient, ConnectedAccount } from "@switchboard/client";
import { DEFAULT_BLUESKY_SERVICE, type ReplyNetwork } from "@switchboard/domain";
import { createStore } from "solid-js/store";
import { createAction, useApi } from "../api.ts";
import { urlProblem } from "../format.ts";
import { type FieldSpec, FormActions, FormFields, submitHandler, URL_INPUT } from "./forms.tsx";

/** A network's name in words. */
export const NETWORK_NAMES: Record<ReplyNetwork, string> = {
	mastodon: "Mastodon",
	bluesky: "Bluesky",
};

/** The form that connects the member's account on `network`. */
export function ConnectAccountForm(props: {
	network: ReplyNetwork;
	onConnected: (account: ConnectedAccount) => void;
}) {
	return props.network === "mastodon" ? (
		<ConnectForm network="mastodon" account={MASTODON} onConnected={props.onConnected} />
	) : (
		<ConnectForm network="bluesky" account={BLUESKY} onConnected={props.onConnected} />
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
			...URL_INPUT,
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
	connect: (api, values) => {
		const wrong = urlProblem(values.instanceUrl, "The instance URL");
		if (wrong) return Promise.reject(new Error(wrong));
		return api.accounts.connectMastodon({
			instanceUrl: values.instanceUrl.trim(),
			accessToken: values.token.trim(),
		});
	},
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
		{ name: "service", label: "Service URL", ...URL_INPUT, testId: "bluesky-service" },
	],
	connect: (api, values) => {
		const wrong = values.service.trim() ? urlProblem(values.service, "The service URL") : undefined;
		if (wrong) return Promise.reject(new Error(wrong));
		return api.accounts.connectBluesky({
			identifier: values.identifier.trim().replace(/^@/, ""),
			appPassword: values.password.trim(),
			service: values.service.trim() || DEFAULT_BLUESKY_SERVICE,
		});
	},
};

/** The form of one network's connection. */
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
			<FormActions
				error={connect.error()}
				errorTestId="account-error"
				label={`Connect ${NETWORK_NAMES[props.network]}`}
				busyLabel="Checking…"
				busy={connect.busy()}
				testId="account-connect"
			/>
		</form>
	);
}
