/**
 * The member's own profile: the name teammates see, the languages they answer in, and
 * their password. A new password ends every other session (on other devices too); this
 * one goes on.
 */
import { HttpRoutes, MIN_PASSWORD_LENGTH, passwordProblem } from "@switchboard/domain";
import { createEffect, createSignal, createUniqueId, on } from "solid-js";
import { createStore } from "solid-js/store";
import { createAction, createLoader, useApi } from "../api.ts";
import { useToasts } from "../toasts.tsx";
import { type FieldSpec, FormError, FormFields, submitHandler } from "./forms.tsx";

function splitList(text: string): string[] {
	return text
		.split(/[,;]/)
		.map((item) => item.trim())
		.filter(Boolean);
}

const PROFILE_FIELDS: FieldSpec<ProfileFields>[] = [
	{ name: "name", label: "Name", autocomplete: "name", testId: "profile-name" },
	{
		name: "languages",
		label: "Languages you answer in",
		placeholder: "en, fr",
		testId: "profile-languages",
	},
];

const PASSWORD_FIELDS: FieldSpec<PasswordFields>[] = [
	{
		name: "current",
		label: "Current password",
		type: "password",
		autocomplete: "current-password",
	},
	{
		name: "next",
		label: `New password (at least ${MIN_PASSWORD_LENGTH} characters)`,
		type: "password",
		autocomplete: "new-password",
	},
];

interface ProfileFields {
	name: string;
	/** Comma-separated. */
	languages: string;
}

interface PasswordFields {
	current: string;
	next: string;
}

export function ProfilePanel() {
	const api = useApi();
	const toasts = useToasts();
	const id = createUniqueId();
	const me = createLoader(async () => (await api.request(HttpRoutes.me, {})).member);
	/** The profile as stored, as the form shows it. */
	const stored = (): ProfileFields => ({
		name: me.data()?.name ?? "",
		languages: me.data()?.languages.join(", ") ?? "",
	});
	const profile = createStore<ProfileFields>(stored());
	const [fields, setFields] = profile;
	// The form shows the stored profile once it is read, and again after a save.
	createEffect(on(me.data, () => setFields(stored())));
	const password = createStore<PasswordFields>({ current: "", next: "" });
	const [secrets, setSecrets] = password;
	const [problem, setProblem] = createSignal<string | null>(null);
	/** What the member changed, as the update's body. */
	const changes = () => ({
		...(fields.name !== stored().name ? { name: fields.name } : {}),
		...(fields.languages !== stored().languages ? { languages: splitList(fields.languages) } : {}),
	});

	const save = createAction(async () => {
		const member = (await api.request(HttpRoutes.updateMe, { body: changes() })).member;
		me.set(member);
		toasts.notify("info", "Profile saved.");
	});
	const change = createAction(async () => {
		await api.request(HttpRoutes.changePassword, {
			body: { currentPassword: secrets.current, newPassword: secrets.next },
		});
		setSecrets({ current: "", next: "" });
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
				onSubmit={submitHandler(() => void save.run())}
			>
				<div class="form-grid">
					<FormFields store={profile} fields={PROFILE_FIELDS} />
				</div>
				<FormError error={save.error() ?? me.error()} testId="profile-error" />
				<div class="form-actions">
					<button
						type="submit"
						class="button button-primary"
						disabled={save.busy() || Object.keys(changes()).length === 0}
						data-testid="profile-save"
					>
						Save
					</button>
				</div>
			</form>
			<form
				class="panel form-panel admin-form"
				novalidate
				onSubmit={submitHandler(() => {
					const refused = passwordProblem(secrets.next, me.data()?.email);
					setProblem(refused ? `The new password ${refused}.` : null);
					if (!refused) void change.run();
				})}
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
					<FormFields store={password} fields={PASSWORD_FIELDS} />
				</div>
				<FormError error={problem() ?? change.error()} testId="password-error" />
				<div class="form-actions">
					<button
						type="submit"
						class="button"
						disabled={change.busy() || !secrets.current || !secrets.next}
						data-testid="password-save"
					>
						Change password
					</button>
				</div>
			</form>
		</section>
	);
}
