/**
 * Single sign-on (admins; docs/SSO.md): the organisation's OpenID Connect issuer, client id
 * and secret, the email domains it signs in, just-in-time membership and "SSO only". The
 * secret is write-only: the server never answers it, so the field stays empty and leaving
 * it empty keeps the stored one. The server reads the issuer's discovery document before
 * it saves; its refusal is shown beside the field it names.
 */
import { ApiError } from "@switchboard/client";
import {
	type Board,
	HttpRoutes,
	problemsByField,
	type Role,
	type SsoConfig,
	SsoConfigInputSchema,
} from "@switchboard/domain";
import { createSignal, createUniqueId, Show } from "solid-js";
import { createStore } from "solid-js/store";
import { createAction, createLoader, useApi } from "../api.ts";
import { formatDateTime, urlSpaceProblem } from "../format.ts";
import { boardOptions } from "./board-select.tsx";
import {
	AdminSection,
	ConfirmButton,
	CopyField,
	type FieldSpec,
	FormActions,
	FormError,
	FormFields,
	focusFirstProblem,
	Loaded,
	submitHandler,
	URL_INPUT,
} from "./forms.tsx";
import { ROLE_OPTIONS } from "./members-panel.tsx";

/** The fields a refusal can name, as the server writes them before its colon. */
const FIELDS = ["issuer", "clientId", "clientSecret", "allowedDomains", "jit", "ssoOnly"] as const;
type Field = (typeof FIELDS)[number];
type Problems = Partial<Record<Field, string>>;

/**
 * Problems by top-level field: `allowedDomains.1` is the domains field's problem, and names
 * the domain (`domains`, as sent) it is about: among several, "must be a domain" alone did
 * not say which.
 */
function byField(problems: Record<string, string>, domains: readonly string[] = []): Problems {
	const out: Problems = {};
	for (const [path, message] of Object.entries(problems)) {
		const field = FIELDS.find((name) => path === name || path.startsWith(`${name}.`));
		if (!field) continue;
		const domain = field === "allowedDomains" ? domains[Number(path.split(".")[1])] : undefined;
		out[field] ??= domain === undefined ? message : `"${domain}" ${message}`;
	}
	return out;
}

/** A refusal of the server that names a field ("issuer: …"), as that field's problem. */
function fieldOfRefusal(error: unknown): Problems | null {
	if (!(error instanceof ApiError) || error.status !== 400) return null;
	const match = /^([A-Za-z.]+): (.+)$/s.exec(error.message);
	if (!match) return null;
	const problems = byField({ [match[1] ?? ""]: match[2] ?? "" });
	return Object.keys(problems).length > 0 ? problems : null;
}

/** "acme.com, acme.co.uk" → ["acme.com", "acme.co.uk"]. */
function domainsOf(text: string): string[] {
	return text
		.split(/[\s,;]+/)
		.map((domain) => domain.trim().replace(/^@/, ""))
		.filter(Boolean);
}

export function SsoPanel(props: { orgId: string }) {
	const api = useApi();
	const settings = createLoader(() =>
		api.request(HttpRoutes.ssoSettings, { params: { orgId: props.orgId } }),
	);
	const boards = createLoader((): Promise<Board[]> => api.boards());
	const remove = createAction(async () => {
		await api.request(HttpRoutes.deleteSsoSettings, { params: { orgId: props.orgId } });
		const current = settings.data();
		if (current) settings.set({ ...current, sso: null });
	});

	return (
		<AdminSection
			name="sso"
			title="Single sign-on"
			intro="Let members sign in with your company's identity provider (OpenID Connect: Microsoft Entra ID, Google Workspace, Okta, Keycloak…). Register Switchboard there as a web application first, with the redirect URI below."
			class="sso-panel"
		>
			<Loaded loader={settings} errorTestId="sso-load-error">
				{(loaded) => (
					<>
						<div class="panel">
							<CopyField
								id="sso-redirect-uri"
								label="Redirect URI to register at the identity provider"
								value={loaded().redirectUri}
								testId="sso-redirect-uri"
							/>
							<p class="small" role="status" data-testid="sso-state">
								<Show
									when={loaded().sso}
									fallback="Single sign-on is off: members sign in with their password."
								>
									{(sso) => (
										<>
											Single sign-on is on with <code>{sso().issuer}</code> since{" "}
											{formatDateTime(sso().updatedAt)}
											{sso().ssoOnly ? ". Passwords are refused." : "."}
										</>
									)}
								</Show>
							</p>
						</div>
						<SsoForm
							orgId={props.orgId}
							stored={loaded().sso}
							boards={boards.data() ?? []}
							onSaved={(answer) => settings.set(answer)}
						/>
						<Show when={loaded().sso}>
							<div class="panel">
								<h3 class="panel-title">Turn single sign-on off</h3>
								<p class="small muted">
									Members sign in with their password again; those who joined through single sign-on
									have none yet and need a reset link from an admin.
								</p>
								<FormError error={remove.error()} testId="sso-remove-error" />
								<ConfirmButton
									label="Turn off single sign-on"
									question="Turn single sign-on off for everyone?"
									confirmLabel="Turn off"
									busy={remove.busy()}
									onConfirm={() => remove.run()}
									testId="sso-remove"
								/>
							</div>
						</Show>
					</>
				)}
			</Loaded>
		</AdminSection>
	);
}

/** The form's text and choices; the two checkboxes have their own signals. */
interface SsoFields {
	issuer: string;
	clientId: string;
	/** Empty keeps the stored one. */
	clientSecret: string;
	/** Comma-separated. */
	allowedDomains: string;
	jitRole: Role;
	jitBoard: string;
}

interface SsoAnswer {
	sso: SsoConfig | null;
	redirectUri: string;
}

function SsoForm(props: {
	orgId: string;
	stored: SsoConfig | null;
	boards: readonly Board[];
	onSaved: (answer: SsoAnswer) => void;
}) {
	const api = useApi();
	const id = createUniqueId();
	// The form starts from what is stored, read once: a save answers the stored values again.
	const stored = props.stored;
	const values = createStore<SsoFields>({
		issuer: stored?.issuer ?? "",
		clientId: stored?.clientId ?? "",
		clientSecret: "",
		allowedDomains: stored?.allowedDomains.join(", ") ?? "",
		jitRole: stored?.jit.role ?? "ambassador",
		// None chosen: members who join at sign-in go on every active board (the server's
		// default; "main" may be archived).
		jitBoard: stored?.jit.boardId ?? "",
	});
	const [fields, setFields] = values;
	const [jit, setJit] = createSignal(stored?.jit.enabled ?? false);
	const [ssoOnly, setSsoOnly] = createSignal(stored?.ssoOnly ?? false);
	const [problems, setProblems] = createSignal<Problems>({});
	const [saved, setSaved] = createSignal(false);
	const [hasSecret, setHasSecret] = createSignal(stored !== null);
	let form: HTMLFormElement | undefined;

	const providerFields = (): FieldSpec<SsoFields>[] => [
		{
			name: "issuer",
			label: "Issuer URL",
			wide: true,
			...URL_INPUT,
			placeholder: "https://login.example.com/realms/acme",
			hint: "The identity provider's issuer: Switchboard reads its /.well-known/openid-configuration before saving.",
			testId: "sso-issuer",
		},
		{
			name: "clientId",
			label: "Client id",
			autocomplete: "off",
			spellcheck: false,
			testId: "sso-client-id",
		},
		{
			name: "clientSecret",
			label: "Client secret",
			type: "password",
			autocomplete: "new-password",
			placeholder: hasSecret() ? "Stored: leave empty to keep it" : "",
			hint: "Kept encrypted and never shown again. Type a new one only to replace it.",
			testId: "sso-client-secret",
		},
		{
			name: "allowedDomains",
			label: "Email domains",
			wide: true,
			spellcheck: false,
			placeholder: "acme.com, acme.co.uk",
			hint: "Whose work email signs in through this provider, separated by commas. Needed for sign-in by email and for just-in-time membership.",
			testId: "sso-domains",
		},
	];
	const jitFields = (): FieldSpec<SsoFields>[] => [
		{ name: "jitRole", label: "They join as", options: ROLE_OPTIONS, testId: "sso-jit-role" },
		{
			name: "jitBoard",
			label: "On the board",
			// Without a board the server puts them on every active board, as any member created
			// without a list.
			options: [{ value: "", label: "Every active board" }, ...boardOptions(props.boards)],
			testId: "sso-jit-board",
		},
	];

	const body = () => ({
		issuer: fields.issuer.trim(),
		clientId: fields.clientId.trim(),
		...(fields.clientSecret ? { clientSecret: fields.clientSecret } : {}),
		allowedDomains: domainsOf(fields.allowedDomains),
		jit: { enabled: jit(), role: fields.jitRole, boardId: fields.jitBoard || null },
		ssoOnly: ssoOnly(),
	});
	const showProblems = (found: Problems) => {
		setProblems(found);
		focusFirstProblem(form);
	};
	const save = createAction(async () => {
		const input = body();
		const found = byField(problemsByField(SsoConfigInputSchema, input), input.allowedDomains);
		const spaced = urlSpaceProblem(input.issuer, "The issuer URL");
		if (spaced) found.issuer = spaced;
		if (!hasSecret() && !input.clientSecret) {
			found.clientSecret ??= "give the client secret the identity provider issued";
		}
		if (Object.keys(found).length > 0) return showProblems(found);
		try {
			const answer = await api.request(HttpRoutes.saveSsoSettings, {
				params: { orgId: props.orgId },
				body: input,
			});
			setFields("clientSecret", "");
			setHasSecret(true);
			setProblems({});
			setSaved(true);
			props.onSaved(answer);
		} catch (error) {
			const named = fieldOfRefusal(error);
			if (!named) throw error;
			showProblems(named);
		}
	});

	return (
		<form
			ref={form}
			class="panel admin-form sso-form"
			novalidate
			onInput={() => setSaved(false)}
			onSubmit={submitHandler(() => {
				setSaved(false);
				void save.run();
			})}
			data-testid="sso-form-settings"
		>
			<h3 class="panel-title">Identity provider</h3>
			<div class="form-grid">
				<FormFields store={values} fields={providerFields()} errors={problems()} />
			</div>

			<fieldset class="settings-group sso-jit">
				<legend class="field-label">New people</legend>
				<label class="check check-wrap">
					<input
						type="checkbox"
						checked={jit()}
						onChange={(e) => setJit(e.currentTarget.checked)}
						aria-describedby={`${id}-jit-hint`}
						data-testid="sso-jit"
					/>{" "}
					Add anyone of these domains at their first sign-in (just-in-time membership)
				</label>
				<p id={`${id}-jit-hint`} class="small muted field-hint">
					Only emails the identity provider says are verified. Without it, only invited members sign
					in.
				</p>
				<Show when={jit()}>
					<div class="form-grid">
						<FormFields store={values} fields={jitFields()} errors={{ jitBoard: problems().jit }} />
					</div>
				</Show>
			</fieldset>

			<fieldset class="settings-group">
				<legend class="field-label">Passwords</legend>
				<label class="check check-wrap">
					<input
						type="checkbox"
						checked={ssoOnly()}
						onChange={(e) => setSsoOnly(e.currentTarget.checked)}
						aria-describedby={`${id}-sso-only-hint`}
						data-testid="sso-only"
					/>{" "}
					Single sign-on only
				</label>
				<p id={`${id}-sso-only-hint`} class="small muted field-hint">
					Passwords are refused, "forgot password" sends nothing and invitations are accepted by
					signing in with the identity provider, admins too: check that a sign-in through it works
					before turning this on.
				</p>
			</fieldset>

			<FormActions
				error={save.error()}
				errorTestId="sso-error"
				label={props.stored ? "Save" : "Turn on single sign-on"}
				busyLabel="Checking the issuer…"
				busy={save.busy()}
				testId="sso-save"
			/>
			<p class="small muted" role="status" data-testid="sso-saved">
				{saved() ? "Saved. Members can sign in with single sign-on now." : ""}
			</p>
		</form>
	);
}
