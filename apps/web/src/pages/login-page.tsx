/** Sign in with email and password. */

import { Navigate, useNavigate } from "@solidjs/router";
import { createSignal, onMount, Show } from "solid-js";
import { TextField } from "../components/forms.tsx";
import { SignInCard, SignInSubmit } from "../components/sign-in-card.tsx";
import { landingPath } from "../install.ts";
import { SignInError } from "../session.ts";
import { useSession } from "../session-context.tsx";

export function LoginPage() {
	const { session, signIn } = useSession();
	const navigate = useNavigate();
	const [email, setEmail] = createSignal("");
	const [password, setPassword] = createSignal("");
	const [error, setError] = createSignal<string | null>(null);
	const [busy, setBusy] = createSignal(false);
	let emailInput: HTMLInputElement | undefined;
	onMount(() => emailInput?.focus());

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
				<form onSubmit={submit} class="login-form" data-testid="login-form">
					<label for="login-email" class="field-label">
						Email
					</label>
					<input
						id="login-email"
						ref={emailInput}
						type="email"
						autocomplete="username"
						required
						value={email()}
						onInput={(e) => setEmail(e.currentTarget.value)}
					/>
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
			</SignInCard>
		</Show>
	);
}
