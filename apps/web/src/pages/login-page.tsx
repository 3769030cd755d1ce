/** Sign in with email and password. */

import { Navigate, useNavigate, useSearchParams } from "@solidjs/router";
import { ssoRefusalMessage } from "@switchboard/domain";
import { createSignal, onMount, Show } from "solid-js";
import { createAction } from "../api.ts";
import { SignInEmailField, SignInPasswordField } from "../components/forms.tsx";
import { SignInCard, SignInForm } from "../components/sign-in-card.tsx";
import { landingPath } from "../install.ts";
import { signInFailure } from "../session.ts";
import { useSession } from "../session-context.tsx";
import { SingleSignOnForm } from "./sso-pages.tsx";

export function LoginPage() {
	const { session, signIn } = useSession();
	const navigate = useNavigate();
	const [email, setEmail] = createSignal("");
	const [password, setPassword] = createSignal("");
	const [search] = useSearchParams<{ sso?: string }>();
	const [withSso, setWithSso] = createSignal(false);
	onMount(() => document.getElementById("login-email")?.focus());

	const signingIn = createAction(async () => {
		await signIn(email().trim(), password());
		navigate(landingPath(), { replace: true });
	}, signInFailure("Signing in failed. Try again."));

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
				<SignInForm action={signingIn} label="Sign in" busyLabel="Signing in…" testPrefix="login">
					<SignInEmailField id="login-email" value={email()} onInput={setEmail} />
					<SignInPasswordField id="login-password" value={password()} onInput={setPassword} />
				</SignInForm>
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
