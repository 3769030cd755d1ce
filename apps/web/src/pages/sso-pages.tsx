/**
 * Single sign-on in the web client (docs/SSO.md): the sign-in page's "Sign in with single
 * sign-on" (work email or organisation id, then off to the identity provider), and
 * `/sso/done`, where the provider's round trip ends with the session cookie set.
 */
import { useNavigate, useSearchParams } from "@solidjs/router";
import { createSignal, onMount, Show, untrack } from "solid-js";
import { createAction } from "../api.ts";
import { TextField } from "../components/forms.tsx";
import { SignInCard, SignInForm } from "../components/sign-in-card.tsx";
import { afterSignIn, rememberReturnPath } from "../return-path.ts";
import { signInFailure, startSingleSignOn } from "../session.ts";
import { useSession } from "../session-context.tsx";

/** Open the identity provider's page for this start (a failure throws, in words to show). */
export async function goToIdentityProvider(
	start: Parameters<typeof startSingleSignOn>[0],
): Promise<void> {
	window.location.assign(await startSingleSignOn(start));
}

/** Words for a single sign-on that could not start. */
export const ssoStartFailure = signInFailure("Single sign-on could not start.");

/**
 * The sign-in page's second way in: by work email, or an organisation id. It starts with the
 * email already typed in the sign-in form (`email`), if any. `next`, the page to come back to,
 * is kept in this tab while the identity provider has it.
 */
export function SingleSignOnForm(props: { next?: string; email?: string }) {
	// Read once, when the form opens: what is typed here afterwards is its own.
	const [who, setWho] = createSignal(untrack(() => props.email?.trim() ?? ""));
	// It replaces the button that opened it, which had the focus.
	onMount(() => document.getElementById("sso-who")?.focus());
	const going = createAction(() => {
		const value = who().trim();
		rememberReturnPath(props.next);
		return goToIdentityProvider(value.includes("@") ? { email: value } : { orgId: value });
	}, ssoStartFailure);
	return (
		<SignInForm
			action={going}
			label="Continue to your identity provider"
			busyLabel="Opening…"
			testPrefix="sso"
			retryField="sso-who"
		>
			<TextField
				id="sso-who"
				label="Work email or organisation id"
				autocomplete="username"
				required
				value={who()}
				onInput={setWho}
				describedBy={going.error() ? "sso-error" : undefined}
			/>
		</SignInForm>
	);
}

/**
 * `/sso/done`: the identity provider sent the browser back signed in. It goes on to `?next=`,
 * or to the page kept before the round trip, or to the landing page.
 */
export function SingleSignOnDonePage() {
	const { completeSingleSignOn } = useSession();
	const navigate = useNavigate();
	const [search] = useSearchParams<{ next?: string }>();
	const [error, setError] = createSignal<string | null>(null);
	onMount(async () => {
		const next = search.next;
		try {
			await completeSingleSignOn();
			navigate(afterSignIn(next), { replace: true });
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
					<p class="login-links">
						<a href="/login">Back to sign in</a>
					</p>
				</div>
			</Show>
		</SignInCard>
	);
}
