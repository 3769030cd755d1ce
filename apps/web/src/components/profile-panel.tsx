/**
 * The member's own profile: the name teammates see, the languages they answer in, and
 * their password. A new password ends every other session (on other devices too); this
 * one goes on.
 */
import { HttpRoutes, MIN_PASSWORD_LENGTH, passwordProblem } from "@switchboard/domain";
import { createSignal, createUniqueId } from "solid-js";
import { createAction, createLoader, useApi } from "../api.ts";
import { useToasts } from "../toasts.tsx";
import { FormError, TextField } from "./forms.tsx";

function splitList(text: string): string[] {
	return text
		.split(/[,;]/)
		.map((item) => item.trim())
		.filter(Boolean);
}

export function ProfilePanel() {
	const api = useApi();
	const toasts = useToasts();
	const id = createUniqueId();
	const me = createLoader(async () => (await api.request(HttpRoutes.me, {})).member);
	const [name, setName] = createSignal<string | null>(null);
	const [languages, setLanguages] = createSignal<string | null>(null);
	const [current, setCurrent] = createSignal("");
	const [next, setNext] = createSignal("");
	const [problem, setProblem] = createSignal<string | null>(null);

	const save = createAction(async () => {
		const member = (
			await api.request(HttpRoutes.updateMe, {
				body: {
					...(name() !== null ? { name: name() ?? "" } : {}),
					...(languages() !== null ? { languages: splitList(languages() ?? "") } : {}),
				},
			})
		).member;
		me.set(member);
		setName(null);
		setLanguages(null);
		toasts.notify("info", "Profile saved.");
	});
	const change = createAction(async () => {
		await api.request(HttpRoutes.changePassword, {
			body: { currentPassword: current(), newPassword: next() },
		});
		setCurrent("");
		setNext("");
		toasts.notify(
			"info",
			"Password changed. Your other sessions are signed out; this one goes on.",
		);
	});

	return (
		<section class="admin-section" aria-labelledby={`${id}-title`} data-testid="profile-panel">
			<h2 id={`${id}-title`}>Your profile</h2>
			<form
				class="panel form-panel admin-form"
				novalidate
				onSubmit={(e) => {
					e.preventDefault();
					void save.run();
				}}
			>
				<div class="form-grid">
					<TextField
						cell="field"
						id={`${id}-name`}
						label="Name"
						type="text"
						autocomplete="name"
						value={name() ?? me.data()?.name ?? ""}
						onInput={setName}
						testId="profile-name"
					/>
					<TextField
						cell="field"
						id={`${id}-languages`}
						label="Languages you answer in"
						type="text"
						value={languages() ?? me.data()?.languages.join(", ") ?? ""}
						onInput={setLanguages}
						placeholder="en, fr"
						testId="profile-languages"
					/>
				</div>
				<FormError error={save.error() ?? me.error()} testId="profile-error" />
				<div class="form-actions">
					<button
						type="submit"
						class="button button-primary"
						disabled={save.busy() || (name() === null && languages() === null)}
						data-testid="profile-save"
					>
						Save
					</button>
				</div>
			</form>
			<form
				class="panel form-panel admin-form"
				novalidate
				onSubmit={(e) => {
					e.preventDefault();
					const refused = passwordProblem(next(), me.data()?.email);
					setProblem(refused ? `The new password ${refused}.` : null);
					if (!refused) void change.run();
				}}
				data-testid="password-form"
			>
				<h3 class="panel-title">Change your password</h3>
				<input
					type="email"
					autocomplete="username"
					value={me.data()?.email ?? ""}
					hidden
					readOnly
				/>
				<div class="form-grid">
					<TextField
						cell="field"
						id={`${id}-current`}
						label="Current password"
						type="password"
						autocomplete="current-password"
						value={current()}
						onInput={setCurrent}
					/>
					<TextField
						cell="field"
						id={`${id}-new`}
						label={`New password (at least ${MIN_PASSWORD_LENGTH} characters)`}
						type="password"
						autocomplete="new-password"
						value={next()}
						onInput={setNext}
					/>
				</div>
				<FormError error={problem() ?? change.error()} testId="password-error" />
				<div class="form-actions">
					<button
						type="submit"
						class="button"
						disabled={change.busy() || !current() || !next()}
						data-testid="password-save"
					>
						Change password
					</button>
				</div>
			</form>
		</section>
	);
}
