/**
 * The admin list both the sources and the outgoing webhooks panels are: a titled section
 * with its add button, the signing secret shown once after a create or a rotation, the
 * create form, the list's loading, error and empty states, and the items keyed by id, so a
 * refresh updates an item in place and an open edit form stays open. Each item pauses,
 * resumes, rotates its secret and is deleted through the same kind of API resource.
 */
import {
	type Accessor,
	createEffect,
	createMemo,
	createSignal,
	For,
	type JSX,
	onCleanup,
	Show,
} from "solid-js";
import { type Action, createAction, type Loader } from "../api.ts";
import { holdFocus } from "../focus.ts";
import { AdminSection, ConfirmButton, FormError, SecretOnce } from "./forms.tsx";

/** A signing secret to show once, with the URL an incoming webhook posts to. */
export interface ShownSecret {
	title: string;
	secret: string;
	postUrl?: string;
}

/**
 * What an item's render may do to the panel: replace or drop the item, show a new secret,
 * and give the panel its heading (`tabIndex={-1}`), where focus lands once it is created.
 */
export interface ItemControls<T> {
	changed(next: T): void;
	deleted(): void;
	showSecret(secret: ShownSecret): void;
	heading(element: HTMLElement): void;
}

/**
 * What the create form may do to the panel: close itself unsaved (Cancel: focus goes back to
 * the add button that opened it), close on the item it created (`created(id)`: focus goes to
 * its heading once the list shows it, unless something else took it meanwhile, like the
 * secret shown once), show the new item's secret.
 */
export interface CreateControls {
	close(): void;
	created(id: string): void;
	showSecret(secret: ShownSecret): void;
}

export function AdminListPanel<T extends { id: string }>(props: {
	/** What is listed, as its test ids name it: `source`, `sources`. */
	noun: { one: string; many: string };
	title: string;
	intro: JSX.Element;
	addLabel: string;
	list: Loader<T[]>;
	/** Something else the items show is still loading (the list's own load counts already). */
	busy?: boolean;
	/** Buttons before the add button. */
	tools?: JSX.Element;
	/** Said under a secret shown once. */
	secretNote?: JSX.Element;
	/** Shown above the list, e.g. how many items fail. */
	notice?: JSX.Element;
	empty: JSX.Element;
	createForm: (controls: CreateControls) => JSX.Element;
	/** One item; `item` follows the list, so a refresh updates it in place. */
	children: (item: Accessor<T>, controls: ItemControls<T>) => JSX.Element;
}) {
	const [creating, setCreating] = createSignal(false);
	const [secret, setSecret] = createSignal<ShownSecret | null>(null);
	const items = () => props.list.data() ?? [];
	const byId = createMemo(() => new Map(items().map((item) => [item.id, item])));
	const ids = createMemo(() => items().map((item) => item.id));
	let addButton: HTMLButtonElement | undefined;
	// Closing the form takes the focused Save or Cancel button away with it (focus would drop
	// to the page): Cancel goes back to the add button, a created item takes it once listed.
	const headings = new Map<string, HTMLElement>();
	const [awaited, setAwaited] = createSignal<{
		id: string;
		focus: ReturnType<typeof holdFocus>;
	} | null>(null);
	createEffect(() => {
		const pending = awaited();
		if (!pending || !byId().has(pending.id)) return;
		setAwaited(null);
		pending.focus(headings.get(pending.id) ?? addButton);
	});
	const controls: CreateControls = {
		close: () => {
			setCreating(false);
			addButton?.focus();
		},
		created: (id) => {
			setAwaited({ id, focus: holdFocus() });
			setCreating(false);
		},
		showSecret: setSecret,
	};

	return (
		<AdminSection
			name={props.noun.many}
			busy={props.list.loading() || props.busy === true}
			title={props.title}
			intro={props.intro}
			tools={
				<>
					{props.tools}
					<button
						type="button"
						class="button button-primary"
						aria-expanded={creating()}
						onClick={() => setCreating(!creating())}
						ref={addButton}
						data-testid={`${props.noun.one}-add`}
					>
						{props.addLabel}
					</button>
				</>
			}
		>
			<Show when={secret()}>
				{(shown) => (
					<SecretOnce
						title={shown().title}
						secret={shown().secret}
						{...(shown().postUrl ? { postUrl: shown().postUrl } : {})}
						onDone={() => setSecret(null)}
					>
						{props.secretNote}
					</SecretOnce>
				)}
			</Show>

			<Show when={creating()}>{props.createForm(controls)}</Show>

			<FormError error={props.list.error()} testId={`${props.noun.many}-error`} />
			{props.notice}
			<Show
				when={props.list.data()}
				fallback={<p class="muted">{props.list.error() ? "" : `Loading ${props.noun.many}…`}</p>}
			>
				<Show
					when={ids().length > 0}
					fallback={
						<div class="empty-state" data-testid={`${props.noun.many}-empty`}>
							{props.empty}
						</div>
					}
				>
					<ul class="admin-list" data-testid={props.noun.many}>
						<For each={ids()}>
							{(id) => {
								onCleanup(() => headings.delete(id));
								return (
									<Show when={byId().get(id)}>
										{(item) =>
											props.children(item, {
												changed: (next) =>
													props.list.set(
														items().map((each) => (each.id === next.id ? next : each)),
													),
												deleted: () => props.list.set(items().filter((each) => each.id !== id)),
												showSecret: setSecret,
												heading: (element) => headings.set(id, element),
											})
										}
									</Show>
								);
							}}
						</For>
					</ul>
				</Show>
			</Show>
		</AdminSection>
	);
}

/** The API resource an item belongs to (`api.sources`, `api.webhooks`). */
export interface ItemResource<T> {
	update(orgId: string, id: string, patch: { enabled: boolean }): Promise<T>;
	rotateSecret(orgId: string, id: string): Promise<string>;
	remove(orgId: string, id: string): Promise<unknown>;
}

export interface ItemActions {
	toggle: Action<[]>;
	rotate: Action<[]>;
	remove: Action<[]>;
	/** The last failure of any of them. */
	error(): string | null;
}

/** Pausing or resuming, rotating the secret and deleting an item, through its resource. */
export function createItemActions<T extends { id: string; orgId: string; enabled: boolean }>(
	resource: ItemResource<T>,
	item: () => T,
	controls: ItemControls<T>,
	rotated: (secret: string) => ShownSecret,
): ItemActions {
	const toggle = createAction(async () => {
		controls.changed(await resource.update(item().orgId, item().id, { enabled: !item().enabled }));
	});
	const rotate = createAction(async () => {
		controls.showSecret(rotated(await resource.rotateSecret(item().orgId, item().id)));
	});
	const remove = createAction(async () => {
		await resource.remove(item().orgId, item().id);
		controls.deleted();
	});
	return {
		toggle,
		rotate,
		remove,
		error: () => toggle.error() ?? rotate.error() ?? remove.error(),
	};
}

/** An item's action bar: `children` first, then pause or resume, rotate, and delete. */
export function ItemActionBar(props: {
	/** As the test ids name the item: `source`, `webhook`. */
	noun: string;
	/** What the buttons act on, for screen readers ("Status feed", "the webhook to …"). */
	name: string;
	enabled: boolean;
	actions: ItemActions;
	/** Whether it has a secret to rotate. @default true */
	rotates?: boolean;
	rotateQuestion: string;
	deleteQuestion: string;
	children?: JSX.Element;
}) {
	return (
		<div class="admin-item-actions">
			{props.children}
			<button
				type="button"
				class="button button-small"
				disabled={props.actions.toggle.busy()}
				onClick={() => void props.actions.toggle.run()}
				aria-label={`${props.enabled ? "Pause" : "Resume"} ${props.name}`}
				data-testid={`${props.noun}-toggle`}
			>
				{props.enabled ? "Pause" : "Resume"}
			</button>
			<Show when={props.rotates ?? true}>
				<ConfirmButton
					label="Rotate secret"
					question={props.rotateQuestion}
					confirmLabel="Rotate"
					busy={props.actions.rotate.busy()}
					onConfirm={() => props.actions.rotate.run()}
					accessibleLabel={`Rotate secret of ${props.name}`}
					testId={`${props.noun}-rotate`}
				/>
			</Show>
			<span class="toolbar-spacer" />
			<ConfirmButton
				label="Delete"
				question={props.deleteQuestion}
				confirmLabel="Delete"
				busy={props.actions.remove.busy()}
				onConfirm={() => props.actions.remove.run()}
				accessibleLabel={`Delete ${props.name}`}
				testId={`${props.noun}-delete`}
			/>
		</div>
	);
}
