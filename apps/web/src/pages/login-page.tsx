/** Sign in with email and password. */

import { Navigate, useNavigate, useSearchParams } from "@solidjs/router";
import { createApiRequest } from "@switchboard/client";
import { HttpRoutes, type RouteAnswer, ssoRefusalMessage } from "@switchboard/domain";
import { createSignal, For, onMount, Show } from "solid-js";
import { createAction } from "../api.ts";
import { SignInEmailField, SignInPasswordField } from "../components/forms.tsx";
import { SignInCard, SignInForm } from "../components/sign-in-card.tsx";
import { landingPath } from "../install.ts";
import { returnPath } from "../return-path.ts";
import { signInFailure } from "../session.ts";
import { useSession } from "../session-context.tsx";
import { SingleSignOnForm } from "./sso-pages.tsx";

const request = createApiRequest();

/** The demo's accounts, when the server runs the demo (the server says; null otherwise). */
type Demo = RouteAnswer<typeof HttpRoutes.demo>["demo"];

export function LoginPage() {
	const { session, signIn } = useSession();
	const navigate = useNavigate();
	const [email, setEmail] = createSignal("");
	const [password, setPassword] = createSignal("");
	const [search] = useSearchParams<{ sso?: string; next?: string }>();
	// The page someone signed out had opened, else the landing page.
	const destination = () => returnPath(search.next) ?? landingPath();
	const [withSso, setWithSso] = createSignal(false);
	onMount(() => document.getElementById("login-email")?.focus());
	// A first start shows the demo's accounts in the terminal; someone who opened the page
	// instead sees them here. Nothing is shown unless the server runs the demo.
	const [demo, setDemo] = createSignal<Demo>(null);
	onMount(() => {
		request(HttpRoutes.demo, {}).then(
			(answer) => setDemo(answer.demo),
			() => {},
		);
	});

	const signingIn = createAction(async () => {
		// Read before signing in: the session's arrival may already have left this page.
		const to = destination();
		await signIn(email().trim(), password());
		navigate(to, { replace: true });
	}, signInFailure("Signing in failed. Try again."));

	return (
		<Show when={!session()} fallback={<Navigate href={destination()} />}>
			<SignInCard>
				<h1>Sign in</h1>
				<p class="muted">Answer your public, together.</p>
				<Show when={search.sso}>
					<p class="form-error" role="alert" data-testid="sso-refusal">
						{ssoRefusalMessage(search.sso)}
					</p>
				</Show>
				<SignInForm
					action={signingIn}
					label="Sign in"
					busyLabel="Signing in…"
					testPrefix="login"
					retryField="login-password"
				>
					<SignInEmailField id="login-email" value={email()} onInput={setEmail} />
					<SignInPasswordField
						id="login-password"
						value={password()}
						onInput={setPassword}
						describedBy={signingIn.error() ? "login-error" : undefined}
					/>
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
					<SingleSignOnForm next={search.next} email={email()} />
				</Show>
				<Show when={demo()}>
					{(shown) => (
						<section
							class="demo-accounts"
							aria-labelledby="demo-accounts-title"
							data-testid="demo-accounts"
						>
							<h2 id="demo-accounts-title">Demo accounts</h2>
							<p class="muted small">
								This server runs the demo. Every account's password is{" "}
								<code data-testid="demo-password">{shown().password}</code>; pick one to fill in the
								form.
							</p>
							<ul>
								<For each={shown().accounts}>
									{(account) => (
										<li>
											<button
												type="button"
												class="demo-account"
												onClick={() => {
													setEmail(account.email);
													setPassword(shown().password);
													// A new account filled in: the last attempt's error no longer applies.
													signingIn.clearError();
												}}
												data-testid="demo-account"
											>
												<span class="demo-account-email">{account.email}</span>
												<span class="muted small">
													{account.role} · {account.organisation}
												</span>
											</button>
										</li>
									)}
								</For>
							</ul>
						</section>
					)}
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
