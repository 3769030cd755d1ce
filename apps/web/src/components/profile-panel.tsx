/**
 * The member's own profile: the name teammates see, the languages they answer in, and
 * their password. A new password ends every other session (on other devices too); this
 * one goes on.
 */
import { ApiError } from "@switchboard/client";
import {
	HttpRoutes,
	MIN_PASSWORD_LENGTH,
	ProfilePatchSchema,
	passwordProblem,
	problemsByField,
} from "@switchboard/domain";
import { createEffect, createSignal, createUniqueId, on } from "solid-js";
import { createStore } from "solid-js/store";
import { createAction, createLoader, useApi } from "../api.ts";
import { holdFocus } from "../focus.ts";
import { useToasts } from "../toasts.tsx";
import {
	type FieldSpec,
	FormError,
	FormFields,
	focusFirstProblem,
	submitHandler,
} from "./forms.tsx";

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

type Problems<T> = Partial<Record<keyof T, string>>;

/** What is wrong with a profile change, as a sentence at its field. */
function profileProblems(patch: unknown): Problems<ProfileFields> {
	const problems: Problems<ProfileFields> = {};
	for (const [path, message] of Object.entries(problemsByField(ProfilePatchSchema, patch))) {
		if (path === "name") problems.name ??= `Your name ${message}.`;
		else if (path === "languages") problems.languages ??= `The list ${message}.`;
		else if (path.startsWith("languages.")) problems.languages ??= `Each language ${message}.`;
	}
	return problems;
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
	const [profileErrors, setProfileErrors] = createSignal<Problems<ProfileFields>>({});
	const [passwordErrors, setPasswordErrors] = createSignal<Problems<PasswordFields>>({});
	let profileForm: HTMLFormElement | undefined;
	let passwordForm: HTMLFormElement | undefined;
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
		try {
			await api.request(HttpRoutes.changePassword, {
				body: { currentPassword: secrets.current, newPassword: secrets.next },
			});
		} catch (error) {
			// The one refusal about a field the page cannot check itself ("currentPassword: …"):
			// said at that field, in words. Any other failure stays the form's.
			if (!(error instanceof ApiError && error.message.startsWith("currentPassword: "))) {
				throw error;
			}
			setPasswordErrors({ current: "That is not your current password." });
			focusFirstProblem(passwordForm);
			return;
		}
		setSecrets({ current: "", next: "" });
		setChanged(true);
	});
	/**
	 * Changed, the emptied form disables its button, which had the focus: the sentence saying
	 * so, under the form, takes it (announced too, as a status), rather than the page itself.
	 * Refused, the focus goes back to the button, or to the field at fault.
	 */
	const [changed, setChanged] = createSignal(false);
	let changedNote: HTMLParagraphElement | undefined;
	const changePassword = async () => {
		setChanged(false);
		const focus = holdFocus();
		await change.run();
		focus(changed() ? changedNote : undefined);
	};

	return (
		<section class="admin-section" aria-labelledby={`${id}-title`} data-testid="profile-panel">
			<h2 id={`${id}-title`}>Your profile</h2>
			<form
				ref={profileForm}
				class="panel form-panel admin-form"
				novalidate
				onSubmit={submitHandler(() => {
					const problems = profileProblems(changes());
					setProfileErrors(problems);
					if (Object.keys(problems).length > 0) focusFirstProblem(profileForm);
					else void save.run();
				})}
			>
				<div class="form-grid">
					<FormFields store={profile} fields={PROFILE_FIELDS} errors={profileErrors()} />
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
				ref={passwordForm}
				class="panel form-panel admin-form"
				novalidate
				onSubmit={submitHandler(() => {
					const refused = passwordProblem(secrets.next, me.data()?.email);
					setPasswordErrors(refused ? { next: `The new password ${refused}.` } : {});
					if (refused) focusFirstProblem(passwordForm);
					else void changePassword();
				})}
				onInput={() => setChanged(false)}
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
					<FormFields store={password} fields={PASSWORD_FIELDS} errors={passwordErrors()} />
				</div>
				<FormError error={change.error()} testId="password-error" />
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
				{/* Present before its text comes: a live region added with its text is often not read. */}
				<p
					ref={changedNote}
					class="small muted"
					role="status"
					tabIndex={-1}
					data-testid="password-changed"
				>
					{changed()
						? "Password changed. Your other sessions are signed out; this one goes on."
						: ""}
				</p>
			</form>
		</section>
	);
}
