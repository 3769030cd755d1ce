/**
 * Single sign-on in the web client (docs/SSO.md): the sign-in page's "Sign in with single
 * sign-on" (work email or organisation id, then off to the identity provider), and
 * `/sso/done`, where the provider's round trip ends with the session cookie set.
 */
import { useNavigate } from "@solidjs/router";
import { createSignal, onMount, Show } from "solid-js";
import { TextField } from "../components/forms.tsx";
import { SignInCard, SignInSubmit } from "../components/sign-in-card.tsx";
import { landingPath } from "../install.ts";
import { SignInError, startSingleSignOn } from "../session.ts";
import { useSession } from "../session-context.tsx";

/** Open the identity provider's page for this start, or show why not. */
export async function goToIdentityProvider(
	start: Parameters<typeof startSingleSignOn>[0],
	setError: (message: string) => void,
): Promise<void> {
	try {
		window.location.assign(await startSingleSignOn(start));
	} catch (caught) {
		setError(caught instanceof SignInError ? caught.message : "Single sign-on could not start.");
	}
}

/** The sign-in page's second way in: by work email, or an organisation id. */
export function SingleSignOnForm() {
	const [who, setWho] = createSignal("");
	const [error, setError] = createSignal<string | null>(null);
	const [busy, setBusy] = createSignal(false);
	const submit = async (event: SubmitEvent) => {
		event.preventDefault();
		setBusy(true);
		setError(null);
		const value = who().trim();
		await goToIdentityProvider(value.includes("@") ? { email: value } : { orgId: value }, setError);
		setBusy(false);
	};
	return (
		<form onSubmit={submit} class="login-form" data-testid="sso-form">
			<TextField
				id="sso-who"
				label="Work email or organisation id"
				autocomplete="username"
				required
				value={who()}
				onInput={setWho}
			/>
			<SignInSubmit
				error={error()}
				busy={busy()}
				label="Continue to your identity provider"
				busyLabel="Opening…"
				testPrefix="sso"
			/>
		</form>
	);
}

/** `/sso/done`: the identity provider sent the browser back signed in. */
export function SingleSignOnDonePage() {
	const { completeSingleSignOn } = useSession();
	const navigate = useNavigate();
	const [error, setError] = createSignal<string | null>(null);
	onMount(async () => {
		try {
			await completeSingleSignOn();
			navigate(landingPath(), { replace: true });
		} catch (caught) {
			setError(caught instanceof Error ? caught.message : String(caught));
		}
	});
	return (
		<SignInCard testId="sso-done">
			<Show when={error()} fallback={<p role="status">Signing you in…</p>}>
				<div role="alert">
					<h1>Signing in did not finish</h1>
					<p>{error()}</p>
					<p>
						<a href="/login">Back to sign in</a>
					</p>
				</div>
			</Show>
		</SignInCard>
	);
}
