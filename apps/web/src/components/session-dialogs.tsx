/**
 * The two moments where the member's unsent work could be lost (issue 15, row 16):
 * signing out, which deletes this device's copies, and a session the server ended while
 * changes wait to be sent. Neither loses anything silently: sign-out offers to send the
 * changes first or to discard them explicitly, and an ended session asks to sign in
 * again, after which the changes go out.
 */

import { useNavigate } from "@solidjs/router";
import { HttpRoutes } from "@switchboard/domain";
import { createContext, createEffect, createSignal, type JSX, Show } from "solid-js";
import { createAction, useApi } from "../api.ts";
import { useSessionEnded } from "../client-context.tsx";
import { holdFocus } from "../focus.ts";
import { plural } from "../format.ts";
import { stopPushAtSignOut } from "../push.ts";
import { useRequiredContext } from "../required-context.ts";
import { sessionEndedNext, signInFailure } from "../session.ts";
import { useSession } from "../session-context.tsx";
import { useWorkspace } from "../workspace.tsx";
import { FormError, SignInEmailField, SignInPasswordField, submitHandler } from "./forms.tsx";

/** A modal dialog shown while `open()` holds; Escape calls `onCancel`. */
function Modal(props: {
	open: boolean;
	labelledBy: string;
	testId: string;
	/** Classes beside `dialog`. */
	class?: string;
	onCancel: () => void;
	children: JSX.Element;
}) {
	let dialog: HTMLDialogElement | undefined;
	// showModal() traps focus, makes the rest inert and gives focus back when closed.
	createEffect(() => {
		if (!dialog) return;
		if (props.open && !dialog.open) dialog.showModal();
		if (!props.open && dialog.open) dialog.close();
	});
	return (
		<dialog
			ref={dialog}
			class={props.class ? `dialog ${props.class}` : "dialog"}
			aria-labelledby={props.labelledBy}
			data-testid={props.testId}
			onCancel={(event) => {
				event.preventDefault();
				props.onCancel();
			}}
		>
			{props.children}
		</dialog>
	);
}

/** Changes of mine the server does not have: queued commands and unsent drafts. */
function useUnsent() {
	const ws = useWorkspace();
	return () => ws.status().pendingCommands + ws.status().unsyncedDrafts;
}

interface SignOut {
	/** Sign out now, or ask first when the server does not have every change yet. */
	start(): void;
}

const SignOutContext = createContext<SignOut>();

/**
 * Sign-out for the signed-in shell: at once when the server has everything; otherwise one
 * dialog that sends the changes first (waiting for the network if need be) or discards
 * them on request.
 */
export function SignOutProvider(props: { children: JSX.Element }) {
	const ws = useWorkspace();
	const session = useSession();
	const api = useApi();
	const navigate = useNavigate();
	const unsent = useUnsent();
	const ended = useSessionEnded();
	const [asking, setAsking] = createSignal(false);
	const [sending, setSending] = createSignal(false);

	const finish = async () => {
		setAsking(false);
		setSending(false);
		await stopPushAtSignOut((endpoint) =>
			api.request(HttpRoutes.removePushDevice, { body: { endpoint } }),
		);
		await session.signOut();
		navigate("/login", { replace: true });
	};

	// Sending first: sign out once the server has acknowledged everything.
	createEffect(() => {
		if (sending() && ws.status().online && unsent() === 0) void finish();
	});

	const cancel = () => {
		setAsking(false);
		setSending(false);
	};

	const signOut: SignOut = {
		start() {
			if (unsent() === 0) void finish();
			else setAsking(true);
		},
	};

	return (
		<SignOutContext.Provider value={signOut}>
			{props.children}
			<Modal open={asking()} labelledBy="sign-out-title" testId="sign-out-dialog" onCancel={cancel}>
				<h2 id="sign-out-title">Changes not yet on the server</h2>
				<p data-testid="sign-out-unsent">
					{plural(unsent(), "change")} you made {unsent() === 1 ? "is" : "are"} not on the server
					yet. Signing out deletes them from this device.
				</p>
				<Show
					when={!ended.ended()}
					fallback={
						<p class="muted small" data-testid="sign-out-ended">
							Your session has ended, so they cannot be sent: cancel and sign in again to send them,
							or discard them.
						</p>
					}
				>
					<Show when={ws.status().connection === "offline"}>
						<p class="muted small">
							You are offline: they are sent as soon as the connection is back.
						</p>
					</Show>
				</Show>
				<div class="dialog-actions dialog-actions-spread">
					<button
						type="button"
						class="button button-ghost"
						onClick={cancel}
						data-testid="sign-out-cancel"
					>
						Cancel
					</button>
					<button
						type="button"
						class="button button-danger-quiet"
						onClick={() => void finish()}
						data-testid="sign-out-discard"
					>
						Discard them and sign out
					</button>
					{/* Without a session nothing can be sent: the wait would never end. */}
					<Show when={!ended.ended()}>
						<button
							type="button"
							class="button button-primary"
							disabled={sending()}
							onClick={() => setSending(true)}
							data-testid="sign-out-send"
						>
							{sending()
								? ws.status().online
									? "Sending…"
									: "Waiting for the network…"
								: "Send them, then sign out"}
						</button>
					</Show>
				</div>
			</Modal>
		</SignOutContext.Provider>
	);
}

/** The shell's sign-out (inside `SignOutProvider`). */
export function useSignOut(): SignOut {
	return useRequiredContext(SignOutContext, "useSignOut", "SignOutProvider");
}

/** Signs out, asking first when changes wait to be sent (inside `SignOutProvider`). */
export function SignOutButton(props: { class: string; testId: string }) {
	const signOut = useSignOut();
	return (
		<button
			type="button"
			class={props.class}
			onClick={() => signOut.start()}
			data-testid={props.testId}
		>
			Sign out
		</button>
	);
}

/**
 * The server ended the session (expired, signed out elsewhere, revoked): the dialog says
 * why, as the server tells it, and asks to sign in again here, without leaving the page;
 * what waits to be sent then goes out. Only the same member
 * may (`renew`), so their email is filled in and fixed; a session kept by a version that
 * did not store it asks for it. "Forgot password?" opens in a new tab: this page, its
 * dialog and what it has not sent stay as they are while the member gets a new password.
 */
export function SessionEndedDialog() {
	const ended = useSessionEnded();
	const session = useSession();
	const unsent = useUnsent();
	const known = session.session()?.me.email;
	const [email, setEmail] = createSignal(known ?? "");
	const forgotHref = () =>
		`/forgot-password${email().trim() ? `?email=${encodeURIComponent(email().trim())}` : ""}`;
	const [password, setPassword] = createSignal("");
	const renewing = createAction(async () => {
		await session.renew(email().trim(), password());
		setPassword("");
		ended.resume();
	}, signInFailure("Signing in failed. Try again."));
	// The button is disabled while it signs in: after a failure, the password (the likely
	// mistake) takes the focus, ready to be typed again, described by the alert saying why.
	const renew = async () => {
		const focus = holdFocus();
		if (await renewing.run()) return;
		const input = document.getElementById("renew-password");
		if (focus(input) && input instanceof HTMLInputElement) input.select();
	};

	return (
		<Modal
			open={ended.ended()}
			labelledBy="session-ended-title"
			testId="session-ended-dialog"
			// Over a backdrop that hides the page: the session that showed it has ended, and for
			// a member an admin deactivated, the organisation's conversations are no longer theirs
			// to read (the board behind a see-through backdrop still showed their queue).
			class="dialog-locked"
			onCancel={() => {}}
		>
			<h2 id="session-ended-title">
				{ended.reason() === "deactivated" ? "Account deactivated" : "Sign in again"}
			</h2>
			{/* Said first as "has ended", then why once the server has answered: read out then too. */}
			<p aria-live="polite" data-testid="session-ended-why">
				{ended.why()}
			</p>
			<Show when={sessionEndedNext(ended.reason(), unsent())}>
				{(next) => <p data-testid="session-ended-next">{next()}</p>}
			</Show>
			<form onSubmit={submitHandler(() => void renew())} class="login-form">
				<SignInEmailField
					id="renew-email"
					value={email()}
					onInput={setEmail}
					readOnly={known !== undefined}
				/>
				<SignInPasswordField
					id="renew-password"
					value={password()}
					onInput={setPassword}
					autofocus={known !== undefined}
					describedBy={renewing.error() ? "renew-error" : undefined}
				/>
				<FormError error={renewing.error()} testId="renew-error" id="renew-error" />
				<p class="login-links">
					<a href={forgotHref()} target="_blank" rel="noopener" data-testid="renew-forgot">
						Forgot password?<span class="sr-only"> (opens in a new tab)</span>
					</a>
				</p>
				<div class="dialog-actions dialog-actions-spread">
					<SignOutButton class="button button-ghost" testId="renew-sign-out" />
					<button
						type="submit"
						class="button button-primary"
						disabled={renewing.busy()}
						data-testid="renew-submit"
					>
						{renewing.busy() ? "Signing in…" : "Sign in"}
					</button>
				</div>
			</form>
		</Modal>
	);
}
