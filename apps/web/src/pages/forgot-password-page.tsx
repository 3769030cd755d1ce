/**
 * `/forgot-password`: ask for a link to choose a new password. The server answers the same
 * whether or not the email is a member's, so the page says the same too. A server that
 * sends no email says so when the page opens, so the page says it before anyone types.
 */

import { useSearchParams } from "@solidjs/router";
import { createApiRequest } from "@switchboard/client";
import { HttpRoutes } from "@switchboard/domain";
import { createSignal, onMount, Show } from "solid-js";
import { createAction } from "../api.ts";
import { SignInEmailField } from "../components/forms.tsx";
import { SignInCard, SignInForm } from "../components/sign-in-card.tsx";

const request = createApiRequest();

export function ForgotPasswordPage() {
	const [search] = useSearchParams<{ email?: string }>();
	const [email, setEmail] = createSignal(search.email ?? "");
	const [sentTo, setSentTo] = createSignal<string | null>(null);
	// Until the server says otherwise (or if asking fails), the form: its answer says it too.
	const [byEmail, setByEmail] = createSignal(true);
	onMount(() => {
		request(HttpRoutes.forgotPasswordByEmail, {}).then(
			(answer) => setByEmail(answer.byEmail),
			() => {},
		);
	});
	onMount(() => document.getElementById("forgot-email")?.focus());

	const sending = createAction(async () => {
		await request(HttpRoutes.forgotPassword, { body: { email: email().trim() } });
		setSentTo(email().trim());
	});

	return (
		<SignInCard testId="forgot-page">
			<h1>Forgot your password?</h1>
			<Show
				when={byEmail()}
				fallback={
					<p role="status" data-testid="forgot-no-email">
						This server does not send reset links by email. Ask an admin of your organisation for
						one.
					</p>
				}
			>
				<Show
					when={sentTo()}
					fallback={
						<>
							<p class="muted">We send a link to choose a new one to the email you sign in with.</p>
							<SignInForm
								action={sending}
								label="Send me a link"
								busyLabel="Sending…"
								testPrefix="forgot"
							>
								<SignInEmailField id="forgot-email" value={email()} onInput={setEmail} />
							</SignInForm>
						</>
					}
				>
					{(address) => (
						<p role="status" data-testid="forgot-sent">
							If {address()} belongs to an account, a link to choose a new password is on its way.
							It works once, for 24 hours. Nothing arrived? Check the spam folder, or ask an admin
							of your organisation for a link.
						</p>
					)}
				</Show>
			</Show>
			<p class="login-links">
				<a href="/login">Back to sign in</a>
			</p>
		</SignInCard>
	);
}
