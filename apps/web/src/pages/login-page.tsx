/** Sign in with email and password. */

import { Navigate, useNavigate, useSearchParams } from "@solidjs/router";
import { ssoRefusalMessage } from "@switchboard/domain";
import { createSignal, onMount, Show } from "solid-js";
import { SignInEmailField, TextField } from "../components/forms.tsx";
import { SignInCard, SignInSubmit } from "../components/sign-in-card.tsx";
import { landingPath } from "../install.ts";
import { SignInError } from "../session.ts";
import { useSession } from "../session-context.tsx";
import { SingleSignOnForm } from "./sso-pages.tsx";

export function LoginPage() {
	const { session, signIn } = useSession();
	const navigate = useNavigate();
	const [email, setEmail] = createSignal("");
	const [password, setPassword] = createSignal("");
	const [error, setError] = createSignal<string | null>(null);
	const [busy, setBusy] = createSignal(false);
	const [search] = useSearchParams<{ sso?: string }>();
	const [withSso, setWithSso] = createSignal(false);
	onMount(() => document.getElementById("login-email")?.focus());

	const submit = async (event: SubmitEvent) => {
		event.preventDefault();
		setBusy(true);
		setError(null);
		try {
			await signIn(email().trim(), password());
			navigate(landingPath(), { replace: true });
		} catch (caught) {
			setError(caught instanceof SignInError ? caught.message : "Signing in failed. Try again.");
		} finally {
			setBusy(false);
		}
	};

	return (
		<Show when={!session()} fallback={<Navigate href={landingPath()} />}>
			<SignInCard>
				<h1>Sign in</h1>
				<p class="muted">Answer your public, together.</p>
				<Show when={search.sso}>
					<p class="form-error" role="alert" data-testid="sso-refusal">
						{ssoRefusalMessage(search.sso)}
					</p>
				</Show>
				<form onSubmit={submit} class="login-form" data-testid="login-form">
					<SignInEmailField id="login-email" value={email()} onInput={setEmail} />
					<TextField
						id="login-password"
						label="Password"
						type="password"
						autocomplete="current-password"
						required
						value={password()}
						onInput={setPassword}
					/>
					<SignInSubmit
						error={error()}
						busy={busy()}
						label="Sign in"
						busyLabel="Signing in…"
						testPrefix="login"
					/>
				</form>
				<Show
					when={withSso()}
					fallback={
						<button
							type="button"
							class="button button-block"
							onClick={() => setWithSso(true)}
							data-testid="sso-open"
						>
							Sign in with single sign-on
						</button>
					}
				>
					<SingleSignOnForm />
				</Show>
				<p class="login-links">
					<a
						href={`/forgot-password${email().trim() ? `?email=${encodeURIComponent(email().trim())}` : ""}`}
						data-testid="forgot-link"
					>
						Forgot password?
					</a>
				</p>
			</SignInCard>
		</Show>
	);
}
