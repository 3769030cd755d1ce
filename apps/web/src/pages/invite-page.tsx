/**
 * `/invite/<code>`: where an invitation or a password-reset link lands. Shows what the
 * link is for (organisation, email), asks for a name and a new password, and signs in.
 * A used, replaced, withdrawn or expired link says so, with what to do next. Someone else signed in
 * on this device is told first that accepting signs them out here, and may stay instead.
 */

import { A, useNavigate, useParams } from "@solidjs/router";
import { createApiRequest } from "@switchboard/client";
import { HttpRoutes, MIN_PASSWORD_LENGTH, passwordProblem } from "@switchboard/domain";
import { createSignal, Show } from "solid-js";
import { createAction, createLoader } from "../api.ts";
import { FormError, focusFirstProblem, TextField } from "../components/forms.tsx";
import { SignInCard, SignInForm } from "../components/sign-in-card.tsx";
import { invitedAs, type SignedIn, signedOutByAccepting } from "../invite-model.ts";
import { useSession } from "../session-context.tsx";
import { goToIdentityProvider, ssoStartFailure } from "./sso-pages.tsx";

const request = createApiRequest();

/** What the page checks before it sends the form, each said at its field. */
interface JoinProblems {
	name?: string;
	password?: string;
	repeat?: string;
}

export function InvitePage() {
	const params = useParams<{ code: string }>();
	const navigate = useNavigate();
	const session = useSession();
	// Not a resource: reading an errored resource throws, and a bad link is an expected answer.
	const link = createLoader(() =>
		request(HttpRoutes.invitation, { params: { code: params.code ?? "" } }),
	);
	const invitation = link.data;
	const [name, setName] = createSignal<string | null>(null);
	const [password, setPassword] = createSignal("");
	const [repeat, setRepeat] = createSignal("");
	const [problems, setProblems] = createSignal<JoinProblems>({});
	let form: HTMLFormElement | undefined;
	const shownName = () => name() ?? invitation()?.name ?? "";
	const isReset = () => invitation()?.kind === "reset";
	// Who was signed in when the page opened: accepting makes the session the link's.
	const before = session.session();
	const beforeEmail = createLoader(async () =>
		before ? (await request(HttpRoutes.me, {})).member.email : null,
	);
	const signsOut = (): SignedIn | null => {
		const shown = invitation();
		if (!before || !shown) return null;
		return signedOutByAccepting({ name: before.me.name, email: beforeEmail.data() ?? null }, shown);
	};
	const acceptLabel = () => {
		const label = isReset() ? "set the password" : "join";
		const other = signsOut();
		return other ? `Sign out ${other.name} and ${label}` : label[0]!.toUpperCase() + label.slice(1);
	};

	const joining = createAction(async () => {
		const found: JoinProblems = {};
		if (!isReset() && !shownName().trim()) found.name = "Say what your teammates should call you.";
		const problem = passwordProblem(password(), invitation()?.email);
		if (problem) found.password = `The password ${problem}.`;
		else if (password() !== repeat()) found.repeat = "The two passwords differ.";
		setProblems(found);
		if (Object.keys(found).length > 0) {
			focusFirstProblem(form);
			return;
		}
		await session.acceptInvitation(
			params.code,
			password(),
			isReset() ? undefined : shownName().trim(),
		);
		navigate("/", { replace: true });
	});
	const singleSignOn = createAction(
		() => goToIdentityProvider({ inviteCode: params.code ?? "" }),
		ssoStartFailure,
	);

	return (
		<SignInCard testId="invite-page">
			<Show when={invitation() || link.error()} fallback={<p role="status">Reading the link…</p>}>
				<Show
					when={invitation()}
					fallback={
						<div role="alert" data-testid="invite-invalid">
							<h1>This link does not work</h1>
							<p>{link.error()}</p>
							<p>
								<a href="/login">Sign in</a> if you have an account already.
							</p>
						</div>
					}
				>
					{(shown) => (
						<>
							<h1>
								{shown().kind === "reset"
									? "Choose a new password"
									: `Join ${shown().organisation.name}`}
							</h1>
							<p class="muted">
								{shown().kind === "reset"
									? `For ${shown().email}. Every other session of yours ends.`
									: `${invitedAs(shown())} Choose how you appear and a password.`}
							</p>
							<Show when={signsOut()}>
								{(other) => (
									<div
										class="callout callout-warning invite-signed-in"
										data-testid="invite-signed-in"
									>
										<p>
											You are signed in as <strong>{other().name}</strong>
											{other().email ? ` (${other().email})` : ""} on this device.{" "}
											{shown().kind === "reset" ? "Setting this password" : "Joining"} as{" "}
											{shown().email} signs {other().name} out here.
										</p>
										<A href="/" class="button button-block" data-testid="invite-stay">
											Stay signed in as {other().name}
										</A>
									</div>
								)}
							</Show>
							<Show when={shown().ssoOnly}>
								<p>{shown().organisation.name} signs in with single sign-on.</p>
								<FormError error={singleSignOn.error()} testId="invite-error" />
								<button
									type="button"
									class="button button-primary button-block"
									data-testid="invite-sso"
									onClick={() => void singleSignOn.run()}
								>
									Continue with single sign-on
								</button>
							</Show>
							<Show when={!shown().ssoOnly}>
								<SignInForm
									ref={(element) => {
										form = element;
									}}
									action={joining}
									novalidate
									label={acceptLabel()}
									busyLabel="Signing in…"
									testPrefix="invite"
									submitTestId="invite-accept"
								>
									<Show when={shown().kind === "invite"}>
										<TextField
											id="invite-name"
											label="Your name"
											type="text"
											autocomplete="name"
											required
											value={shownName()}
											onInput={setName}
											error={problems().name}
										/>
									</Show>
									<input
										type="email"
										autocomplete="username"
										value={shown().email}
										hidden
										readOnly
									/>
									<TextField
										id="invite-password"
										label={`New password (at least ${MIN_PASSWORD_LENGTH} characters)`}
										type="password"
										autocomplete="new-password"
										required
										value={password()}
										onInput={setPassword}
										error={problems().password}
									/>
									<TextField
										id="invite-repeat"
										label="The same password again"
										type="password"
										autocomplete="new-password"
										required
										value={repeat()}
										onInput={setRepeat}
										error={problems().repeat}
									/>
								</SignInForm>
							</Show>
						</>
					)}
				</Show>
			</Show>
		</SignInCard>
	);
}
