/**
 * One conversation: the mention and its thread, who owns it and who else is on it, the
 * commands that move it along, the shared reply draft and the team's notes.
 */

import { A, useLocation, useParams } from "@solidjs/router";
import type { BoardMention, DraftHandle } from "@switchboard/client";
import {
	approvalBlock,
	compareThreadMessages,
	draftHash,
	isFollowUp,
	mayReplyIn,
	needsApproval,
	Priorities,
	type Priority,
	replyLimitFor,
	replyLinkProblem,
	replyTextBlock,
	reviewStanding,
	threadMessageKey,
	webLink,
} from "@switchboard/domain";
import {
	createEffect,
	createMemo,
	createSignal,
	For,
	onCleanup,
	onMount,
	Show,
	untrack,
} from "solid-js";
import { backLink, listOf } from "../back-link.ts";
import {
	claimableAt,
	isDone,
	NETWORK_LABELS,
	PRIORITY_LABELS,
	serverStatus,
	statusLabel,
} from "../board-model.ts";
import { useStore } from "../client-context.tsx";
import { ApprovalNotice } from "../components/approval-notice.tsx";
import {
	NetworkBadge,
	OwnerChip,
	PendingMarker,
	PresenceRow,
	PriorityBadge,
	SlaBadge,
} from "../components/bits.tsx";
import { ChangesAsked, KeptReviewComment } from "../components/changes-asked.tsx";
import {
	ClaimNextButton,
	CommandButton,
	RequestChangesForm,
} from "../components/command-button.tsx";
import { ActivityLog, createActivity, Settlement } from "../components/conversation-activity.tsx";
import { DraftEditor, type DraftEditorApi } from "../components/draft-editor.tsx";
import { DraftNotes } from "../components/draft-notes.tsx";
import { SelectField, submitHandler, URL_INPUT } from "../components/forms.tsx";
import { EarlierConversations } from "../components/history-item.tsx";
import { MemberPicker } from "../components/member-picker.tsx";
import { ReplySendPanel } from "../components/reply-send.tsx";
import { trackThreadBox } from "../components/thread-box.ts";
import { ThreadMessage } from "../components/thread-message.tsx";
import { createDraftText } from "../draft-text.ts";
import { holdFocus } from "../focus.ts";
import { footBar } from "../foot-bars.ts";
import { formatDateTime, formatRelative, urlProblem } from "../format.ts";
import {
	ACTIONS,
	type ActionKind,
	answeredWords,
	handoffTargets,
	offers,
	replyStands,
} from "../lifecycle-model.ts";
import type { PickerOption } from "../member-picker.ts";
import { createReviewComments } from "../review-comment.ts";
import { ROLE_LABELS } from "../roles.ts";
import { fillTemplate, templateForDraft } from "../templates.ts";
import { shownThread, type ThreadItem, threadItems, threadStart } from "../thread-model.ts";
import { useToasts } from "../toasts.tsx";
import { useWorkspace } from "../workspace.tsx";

export function ConversationPage() {
	const params = useParams<{ mentionId: string }>();
	const ws = useWorkspace();
	return (
		<Show when={params.mentionId} keyed>
			{(mentionId) => (
				<Show
					when={ws.mentionsById().has(mentionId)}
					fallback={
						<div class="page-message">
							<h1>{ws.board().ready ? "This conversation is not on the board" : "Loading…"}</h1>
							<Show when={ws.board().ready}>
								<p>It may have been closed and archived, or the link is wrong.</p>
								<A href="/" class="button">
									Back to the board
								</A>
							</Show>
						</div>
					}
				>
					<Conversation mentionId={mentionId} />
				</Show>
			)}
		</Show>
	);
}

function Conversation(props: { mentionId: string }) {
	const ws = useWorkspace();
	// Keeps the last known state when the mention leaves the board, until the page
	// switches to its "not on the board" message.
	const mention = createMemo<BoardMention>(
		(previous) => ws.mentionsById().get(props.mentionId) ?? previous,
		ws.mentionsById().get(props.mentionId) as BoardMention,
	);
	const draft: DraftHandle = ws.client.openDraft(props.mentionId);
	onCleanup(() => draft.close());

	// Presence by interest: the others in this conversation see me here and typing at once,
	// through the draft; the board's badges (everyone else) follow, coalesced.
	const [typing, setTyping] = createSignal(false);
	createEffect(() => {
		draft.setPresence({ here: true, typing: typing() });
		ws.client.setPresence({ viewing: props.mentionId, typing: typing() });
	});
	onCleanup(() => {
		draft.setPresence({ here: false, typing: false });
		ws.client.setPresence({ viewing: null, typing: false });
	});
	const here = useStore(draft.presence);

	ws.setSelectedId(props.mentionId);
	let heading: HTMLHeadingElement | undefined;
	let threadList: HTMLOListElement | undefined;
	// Land keyboard and screen-reader users on the conversation they opened, and every reader on
	// what the customer wrote since the owner last looked, where a notification ("wrote
	// again") sends them: below a long thread it would be screens down, and on a phone the
	// reply under it is the next thing to read.
	onMount(() => {
		const firstNew =
			atOpen.unseen.size > 0 ? threadList?.querySelector<HTMLElement>(".message-new") : null;
		heading?.focus({ preventScroll: Boolean(firstNew) });
		if (firstNew && !inView(firstNew)) firstNew.scrollIntoView({ block: "center" });
	});
	// What takes a pressed button's place, for the focus to go to (CommandButton's focusAfter):
	// Claim and Release give way to each other, a step of the reply to the line saying it is done.
	// Not Claim next, always last in the row: a second Enter there would claim a conversation
	// nobody chose and leave this one. Without another action, the heading.
	let actions: HTMLDivElement | undefined;
	let waitingCallout: HTMLDivElement | undefined;
	let approvedCallout: HTMLDivElement | undefined;
	let changesCallout: HTMLDivElement | undefined;
	let repliedCallout: HTMLParagraphElement | undefined;
	const actionsFocus = () =>
		actions?.querySelector<HTMLButtonElement>("button:not([data-testid='claim-next'])") ?? heading;

	const isModerator = () => ws.me.role !== "ambassador";
	const ownerId = () => mention().owner?.memberId ?? null;
	const isOwner = () => ownerId() === ws.me.id;
	const canManage = () => isOwner() || isModerator();
	const status = () => mention().status;
	const claimable = () => claimableAt(mention(), ws.now());
	const open = () => !isDone(mention());
	const handoffChoices = createMemo(() =>
		handoffTargets(ws.board().members, ws.me.id, ownerId()).map(
			(member): PickerOption => ({ id: member.id, name: member.name, label: member.name }),
		),
	);
	const limit = () => replyLimitFor(ws.board().settings.replyLimits, mention().network);

	const [handoffTo, setHandoffTo] = createSignal("");
	const [replyUrl, setReplyUrl] = createSignal("");
	let replyUrlInput: HTMLInputElement | undefined;
	// Kept on this device as typed: if the form goes (the role changed, the review ended)
	// the text is shown instead, not lost.
	const reviewComments = createReviewComments(ws.me);
	const changesComment = () => reviewComments.get(id());
	const setChangesComment = (text: string) => reviewComments.set(id(), text);
	const templates = () => ws.board().settings.templates;
	const [templateId, setTemplateId] = createSignal(templates()[0]?.id ?? "");
	let editor: DraftEditorApi | undefined;

	const id = () => props.mentionId;
	const text = createDraftText(draft);
	const currentHash = () => draftHash(text());
	// Whether the reply may be recorded now, as the server will judge it: one that needs a
	// moderator's approval is not offered until this exact text is approved.
	const approvalNeeded = createMemo(() => needsApproval(mention(), ws.board().settings.approval));
	const replyBlocked = createMemo(() =>
		approvalBlock(mention(), ws.board().settings.approval, currentHash()),
	);
	/** An owned, open conversation at a step where its reply is recorded, by one who may. */
	const replyStep = () => canManage() && ownerId() !== null && open() && mayReplyIn(status());
	/** Why the server would refuse this text for review: empty, or over the network's limit. */
	const textProblem = () => replyTextBlock(text(), mention().network, limit());
	/** The text as it stands, named by its hash: what a submit for review and an approval refer to. */
	const reviewed = () => ({ mentionId: id(), hash: currentHash(), text: text() });
	/** The owner submits a drafted reply for review; a moderator reviews one that waits. */
	const canSubmit = () => isOwner() && (status() === "claimed" || status() === "drafting");
	const canReview = () => isModerator() && status() === "in_review";
	/**
	 * The reply may go out now: the Mark replied form is offered. Where no connector posts it,
	 * it is posted by hand in the network's own app, so the text goes there by the clipboard
	 * (on a phone, selecting a whole draft by touch is the hard part of the step).
	 */
	const canRecord = () => replyStep() && replyBlocked() === null;
	const toasts = useToasts();
	// Taken from me while I am on it (a moderator gave it to someone, or back to the board):
	// its reply's buttons go, and the page says why. Each owner shown is weighed against the one
	// before it, from the owner the page opened with: most conversations are opened already mine
	// (from My queue, the board, a notification). (`on` with `defer` gave the first rerun no
	// previous owner, so the page told it only when the conversation had changed in some way
	// since it opened.) My own release or hand-off says itself: the owner shown changes while
	// the server still has me. Another command of mine on its way (a priority set offline) is
	// no reason to keep quiet.
	const serverOwnerId = () => (mention().confirmed ?? mention()).owner?.memberId ?? null;
	createEffect<string | null>((previous) => {
		const next = ownerId();
		if (previous === ws.me.id && next !== ws.me.id) {
			untrack(() => {
				if (serverOwnerId() === ws.me.id) return;
				toasts.notify(
					"info",
					next === null
						? "This conversation went back to the board: it is no longer yours."
						: `${ws.memberName(next)} owns this conversation now.`,
					`owner:${id()}`,
				);
			});
		}
		return next;
	}, untrack(ownerId));
	const copyReply = async () => {
		try {
			await navigator.clipboard.writeText(text());
			toasts.notify(
				"info",
				`Reply copied. Post it on ${NETWORK_LABELS[mention().network]}, then record its link here.`,
			);
		} catch {
			// No clipboard without a secure origin, or refused by the browser's settings.
			toasts.notify(
				"error",
				"This browser did not let the reply be copied: select its text and copy it.",
			);
		}
	};
	/**
	 * Answered, and not put back to work since (by a follow-up or a reopen): the reply panel
	 * shows what was sent, read-only. The draft was emptied for a next answer, and an empty
	 * editor read as if nothing had been written.
	 */
	const answered = () => mention().reply !== null && replyStands(status());
	const answeredText = createMemo(() => answeredWords(mention(), text()));
	/**
	 * The draft holds words other than the reply (written after it was taken, or a reply
	 * recorded without its text): kept there, for a reopen.
	 */
	const draftLeft = () => {
		const hash = mention().reply?.hash ?? null;
		return text().trim() !== "" && (hash === null || currentHash() !== hash);
	};
	const standing = () =>
		reviewStanding(mention().confirmed?.review ?? mention().review, currentHash());
	/** The status the server has, as a badge says it (a changed text's approval reads as stale). */
	const shownStatus = () => statusLabel(serverStatus(mention()), standing());

	const insertTemplate = () => {
		const template = templates().find((t) => t.id === templateId()) ?? templates()[0];
		if (!template || !editor) return;
		// The name as the board's member card has it now: one changed in Settings since sign-in
		// reaches the card at once, where the session keeps the name it signed in with.
		const filled = fillTemplate(template.body, {
			author: mention().author,
			myName: ws.memberName(ws.me.id),
		});
		editor.insert(templateForDraft(filled, text(), mention().author.handle));
	};

	// The follow-ups that were new when the page opened stay marked while it is open, and so
	// do those that arrive while it is (the server counts those seen at once while the owner
	// looks, so they are told by not having been there at the start).
	const atOpen = untrack(() => {
		const m = mention();
		const followUps = m.thread.filter((message) => isFollowUp(message, m));
		const sorted = followUps.sort(compareThreadMessages).map(threadMessageKey);
		const unseen = m.unseenFollowUps ?? 0;
		return { keys: new Set(sorted), unseen: new Set(unseen > 0 ? sorted.slice(-unseen) : []) };
	});
	const newKeys = createMemo(() => {
		const m = mention();
		const keys = m.thread.filter((message) => isFollowUp(message, m)).map(threadMessageKey);
		return new Set(keys.filter((key) => atOpen.unseen.has(key) || !atOpen.keys.has(key)));
	});

	/** Lifecycle actions with a form open the action dialog; the others are its buttons too. */
	const lifecycle: readonly ActionKind[] = ["dismiss", "snooze", "escalate", "close", "reopen"];
	const changePriority = (priority: Priority) => void ws.setPriority([id()], priority);

	// Unchanged rows stay the same objects, so a follow-up adds one row (see thread-model.ts).
	const thread = createMemo<ThreadItem[]>((shown) => threadItems(mention(), newKeys(), shown), []);
	// A long thread opens on its first message and its latest ones; the reader asks for the
	// rest. Messages that come while it is open join the latest.
	const [start, setStart] = createSignal(untrack(() => threadStart(thread())));
	const shown = createMemo(() => shownThread(thread(), start()));

	let replyPanel: HTMLElement | undefined;
	const goToReply = () => {
		replyPanel?.scrollIntoView({ block: "start" });
		// An answered conversation has no editor, only what was sent.
		if (!answered()) editor?.focus();
	};

	const location = useLocation();
	const back = () => backLink(listOf(location.state));
	// Read again at each change the server makes to the conversation (its copy, not this
	// member's pending commands): each one is an entry of the log.
	const activity = createActivity(
		props.mentionId,
		() => (mention().confirmed ?? mention()).updatedAt,
	);
	const settled = () => {
		const confirmed = serverStatus(mention());
		return confirmed === "closed" || confirmed === "dismissed";
	};

	const review = () => mention().review;
	const reviewer = () => {
		const by = review()?.by;
		return by ? ws.memberName(by) : "";
	};

	return (
		<article
			class="conversation"
			data-testid="conversation"
			data-mention-id={props.mentionId}
			aria-labelledby="conversation-title"
		>
			<header class="conversation-header">
				<nav aria-label="Breadcrumb" class="breadcrumb">
					<A href={back().href} data-testid="back-link">
						← {back().label}
					</A>
				</nav>
				<div class="conversation-heading">
					<h1 id="conversation-title" tabIndex={-1} ref={heading}>
						Conversation with @{mention().author.handle}
						<Show when={mention().author.name && mention().author.name !== mention().author.handle}>
							<span class="heading-sub"> · {mention().author.name}</span>
						</Show>
					</h1>
					<div class="meta-row">
						<NetworkBadge network={mention().network} />
						<PriorityBadge priority={mention().priority} />
						<span
							class={`badge status status-${serverStatus(mention())}`}
							classList={{ "status-stale": standing() === "approval_stale" }}
							data-testid="status"
						>
							<span class="sr-only">Status: </span>
							{shownStatus()}
						</span>
						<SlaBadge mention={mention()} settings={ws.board().settings} now={ws.now()} />
						<PendingMarker mention={mention()} />
						<span class="muted small">
							{mention().author.reach.toLocaleString()} followers · posted{" "}
							<time datetime={mention().postedAt} title={formatDateTime(mention().postedAt)}>
								{formatRelative(mention().postedAt, ws.now(), "past")}
							</time>
						</span>
					</div>
					<div class="meta-row tags-row">
						<Show
							when={mention().tags.length > 0}
							fallback={<span class="muted small">No tags</span>}
						>
							<ul class="chips" aria-label="Tags" data-testid="conversation-tags">
								<For each={mention().tags}>{(tag) => <li class="chip chip-tag">{tag}</li>}</For>
							</ul>
						</Show>
						<button
							type="button"
							class="button button-small button-ghost"
							aria-haspopup="dialog"
							onClick={() => ws.openAction("tags", [id()])}
							data-testid="edit-tags"
						>
							Edit tags <kbd>t</kbd>
						</button>
						<span class="inline-field">
							<label for="priority-select" class="field-label-inline">
								Priority
							</label>
							<select
								id="priority-select"
								value={mention().priority}
								onChange={(event) => changePriority(event.currentTarget.value as Priority)}
								data-testid="priority-select"
							>
								<For each={Priorities}>
									{(priority) => <option value={priority}>{PRIORITY_LABELS[priority]}</option>}
								</For>
							</select>
						</span>
					</div>
				</div>
				<div class="people-row">
					<Show
						when={ownerId()}
						fallback={
							<span class="muted" data-testid="no-owner">
								{open()
									? "Nobody owns this yet."
									: `${statusLabel(mention().status, null)}: nobody owns it.`}
							</span>
						}
					>
						{(owner) => (
							<OwnerChip
								owner={{ id: owner(), name: ws.memberName(owner()) }}
								isMe={isOwner()}
								wide
							/>
						)}
					</Show>
					<span data-testid="conversation-presence">
						<PresenceRow presence={here()} label="Also here:" />
					</span>
				</div>
				<Show when={settled()}>
					<Settlement loader={activity} author={mention().author.handle} />
				</Show>
				<ActivityLog mentionId={id()} author={mention().author.handle} loader={activity} />
				<div class="actions" ref={actions}>
					<Show when={claimable()}>
						<CommandButton
							class="button button-primary"
							testId="claim"
							command={{ name: "claim", args: { mentionId: id() } }}
							focusAfter={actionsFocus}
						>
							Claim <kbd>c</kbd>
						</CommandButton>
					</Show>
					<Show when={ownerId() !== null && canManage() && open()}>
						<CommandButton
							testId="release"
							command={{ name: "release", args: { mentionId: id() } }}
							focusAfter={actionsFocus}
						>
							Release <kbd>r</kbd>
						</CommandButton>
						<form
							class="inline-form"
							onSubmit={submitHandler(() => {
								const to = handoffTo();
								if (!to) return;
								// Handed off, the form goes with the ownership (an ambassador's), or its
								// emptied button is disabled (a moderator's): the focus goes to the field
								// still there, else to what took the form's place, as after Release.
								const settle = holdFocus();
								void ws
									.run(
										{ name: "handoff", args: { mentionId: id(), to } },
										`Handed off to ${ws.memberName(to)}.`,
									)
									.then((result) => {
										if (!result.ok) {
											settle();
											return;
										}
										setHandoffTo("");
										settle(document.getElementById("handoff-to") ?? actionsFocus());
									});
							})}
						>
							<MemberPicker
								id="handoff-to"
								label="Hand off to"
								hideLabel
								options={handoffChoices()}
								value={handoffTo()}
								onChange={setHandoffTo}
								placeholder="Hand off to…"
								testId="handoff-picker"
							/>
							<button type="submit" class="button" data-testid="handoff" disabled={!handoffTo()}>
								Hand off
							</button>
						</form>
					</Show>
					<fieldset class="lifecycle-actions">
						<legend class="sr-only">Conversation status</legend>
						<For
							each={lifecycle.filter(
								// The server's rule: the owner or a moderator, or anyone while nobody owns it.
								(kind) => offers(kind, mention()) && (canManage() || ownerId() === null),
							)}
						>
							{(kind) => (
								<button
									type="button"
									class="button"
									classList={{ "button-warning": kind === "escalate" }}
									aria-haspopup="dialog"
									// Dismissed, snoozed or closed, the button goes: the focus goes to what
									// took its place (Reopen…), as after Claim and Release.
									onClick={() => ws.openAction(kind, [id()], actionsFocus)}
									data-testid={kind}
								>
									{ACTIONS[kind].label}… <kbd>{ACTIONS[kind].key}</kbd>
								</button>
							)}
						</For>
					</fieldset>
					<span class="toolbar-spacer" />
					<Show when={webLink(mention().url)}>
						{(url) => (
							<a class="button button-ghost" href={url()} target="_blank" rel="noreferrer noopener">
								View on {NETWORK_LABELS[mention().network]}
							</a>
						)}
					</Show>
					<ClaimNextButton class="button">
						Claim next <kbd>n</kbd>
					</ClaimNextButton>
				</div>
			</header>

			<div class="conversation-body">
				<section class="panel thread-panel" aria-labelledby="thread-title">
					<div class="thread-heading">
						<h2 id="thread-title" class="panel-title">
							Thread
						</h2>
						{/* On a phone the thread flows in the page and can be long: the reply is a tap
						    away, ready to write. */}
						<button
							type="button"
							class="button button-small thread-to-reply"
							onClick={goToReply}
							data-testid="thread-to-reply"
						>
							Go to reply <span aria-hidden="true">↓</span>
						</button>
					</div>
					{/* From 720 to 959 px the thread scrolls in a box of its own, and while it has more
					    than it shows it takes focus to scroll by keyboard (see thread-box.ts). */}
					<ol
						class="thread"
						data-testid="thread"
						aria-labelledby="thread-title"
						ref={(list) => {
							threadList = list;
							trackThreadBox(list);
						}}
					>
						<For each={shown().first}>{(message) => <ThreadMessage message={message} />}</For>
						<Show when={shown().hidden > 0}>
							<li class="thread-earlier">
								<button
									type="button"
									class="button button-small button-ghost"
									onClick={() => setStart(null)}
									data-testid="thread-earlier"
								>
									Show {shown().hidden.toLocaleString()} earlier{" "}
									{shown().hidden === 1 ? "message" : "messages"}
								</button>
							</li>
						</Show>
						<For each={shown().rest}>{(message) => <ThreadMessage message={message} />}</For>
					</ol>
					<EarlierConversations
						mentionId={mention().id}
						author={mention().author.handle}
						network={mention().network}
					/>
				</section>

				<div class="work-column">
					<section class="panel reply-panel" aria-labelledby="reply-title" ref={replyPanel}>
						<h2 id="reply-title" class="panel-title">
							Reply
							{/* The separator goes with the wide layout: on a phone the note has a line of
							    its own, and a line should not start with "·". */}
							<span class="muted small">
								<span class="heading-separator"> · </span>
								{answered() ? "as it was sent" : "shared draft, everyone on the team can edit"}
							</span>
						</h2>
						<Show when={review()?.state === "changes_requested"}>
							<div
								class="callout callout-warning"
								data-testid="review-comment"
								tabIndex={-1}
								ref={changesCallout}
							>
								<strong>Changes requested by {reviewer()}:</strong>{" "}
								{review()?.comment || "No comment."}
							</div>
						</Show>
						<Show when={status() === "in_review"}>
							<div
								class="callout callout-info"
								data-testid="review-waiting"
								tabIndex={-1}
								ref={waitingCallout}
							>
								{/* Submitted offline, it waits on this device: not yet with a moderator. */}
								{serverStatus(mention()) === "in_review"
									? "Submitted for review."
									: "Not sent for review yet: it goes once the server has it."}{" "}
								A moderator approves this exact text; edits after submitting need a new review.
							</div>
							<ChangesAsked review={review()} />
						</Show>
						<Show when={standing() === "approved" && serverStatus(mention()) === "approved"}>
							<div
								class="callout callout-success"
								data-testid="review-approved"
								tabIndex={-1}
								ref={approvedCallout}
							>
								Approved by {reviewer()}. Post it, then record the reply's link below.
							</div>
						</Show>
						<ApprovalNotice mention={mention()} draft={draft} />
						<Show when={answered()}>
							<div class="answered-reply" data-testid="answered-reply">
								<Show
									when={answeredText()}
									fallback={
										<p class="muted small" data-testid="answered-unknown">
											Only the reply's link was recorded: its words are on{" "}
											{NETWORK_LABELS[mention().network]}.
										</p>
									}
								>
									{(words) => <p class="answered-text">{words()}</p>}
								</Show>
								<Show when={draftLeft()}>
									<p class="muted small" data-testid="draft-left">
										The shared draft still holds text: reopen the conversation to work on it.
									</p>
								</Show>
							</div>
						</Show>
						<Show when={!answered()}>
							<DraftEditor
								draft={draft}
								limit={limit()}
								label={`Reply to @${mention().author.handle}`}
								language={mention().language}
								onTyping={setTyping}
								onReady={(api) => {
									editor = api;
								}}
							>
								<SelectField
									id="template-select"
									label="Template"
									hideLabel
									value={templateId()}
									onChange={setTemplateId}
									testId="template-select"
								>
									<For each={templates()}>
										{(template) => <option value={template.id}>{template.name}</option>}
									</For>
								</SelectField>
								<button
									type="button"
									class="button button-small"
									data-testid="insert-template"
									onClick={insertTemplate}
								>
									Insert<span class="narrow-sr-only"> template</span>
								</button>
							</DraftEditor>
						</Show>
						<div class="reply-actions">
							{/* The step the reply is at. On a phone it alone stays at the foot of the
							    screen, one row above the keyboard; the rest follows the draft. */}
							<div class="reply-bar" ref={footBar} data-testid="reply-bar">
								{/* A draft anyone may write; sending it is the owner's. On a phone the Claim
								    above is a long scroll away from the text just typed. */}
								<Show when={claimable()}>
									<p class="muted small" data-testid="claim-to-reply">
										Nobody owns this conversation: claim it to send the reply.
									</p>
									<CommandButton
										class="button button-primary"
										testId="claim-to-reply-button"
										command={{ name: "claim", args: { mentionId: id() } }}
									>
										Claim
									</CommandButton>
								</Show>
								{/* Why the reply can be neither sent for review nor copied to post: the server
								    would refuse the first, and the network the second. */}
								<Show when={canSubmit() || canReview() || canRecord()}>
									<Show when={textProblem()}>
										{(problem) => (
											<p
												class="callout callout-warning small"
												id="review-blocked"
												data-testid="review-blocked"
											>
												{/* The server's words for an empty reply speak of its review, which a
												    board without approval may never ask for. */}
												{problem().code === "text_empty"
													? "The reply is empty: write it first."
													: problem().message}
											</p>
										)}
									</Show>
								</Show>
								<Show when={canRecord()}>
									<button
										type="button"
										class="button button-primary"
										data-testid="copy-reply"
										disabled={textProblem() !== null}
										aria-describedby={textProblem() ? "review-blocked" : undefined}
										onClick={() => void copyReply()}
									>
										Copy reply
									</button>
								</Show>
								<Show when={canSubmit()}>
									{/* The step itself only where a moderator must approve: otherwise a review
									    is the owner's choice, and posting the reply is the step. */}
									<CommandButton
										class={approvalNeeded() ? "button button-primary" : "button"}
										testId="submit-review"
										disabled={textProblem() !== null}
										describedBy={textProblem() ? "review-blocked" : undefined}
										command={{ name: "submitForReview", args: reviewed() }}
										success="Submitted for review."
										focusAfter={() => waitingCallout}
									>
										Submit for review
									</CommandButton>
								</Show>
								<Show when={canReview()}>
									<CommandButton
										class="button button-primary"
										testId="approve"
										disabled={textProblem() !== null || standing() === "requested_changed"}
										describedBy={textProblem() ? "review-blocked" : undefined}
										command={{ name: "approve", args: reviewed() }}
										success="Approved."
										focusAfter={() => approvedCallout}
									>
										Approve this text
									</CommandButton>
								</Show>
							</div>
							<Show
								when={canReview()}
								fallback={
									<KeptReviewComment
										// Sent, the form gives way before the server answers: not "not sent".
										comment={
											mention().pending.some((p) => p.command.name === "requestChanges")
												? ""
												: changesComment()
										}
										why={
											isModerator()
												? "This reply is no longer waiting for review, so your comment asking for changes was not sent."
												: `Your role is now ${ROLE_LABELS[ws.me.role]}: only moderators and admins ask for changes, so your comment was not sent.`
										}
										onDiscard={() => setChangesComment("")}
									/>
								}
							>
								<RequestChangesForm
									mentionId={id()}
									inputId="changes-comment"
									comment={changesComment()}
									onComment={setChangesComment}
									focusAfter={() => changesCallout}
								/>
							</Show>
							<ReplySendPanel mention={mention()} draft={draft} />
							<Show when={replyStep() && replyBlocked()?.code === "invalid_transition"}>
								<p class="callout callout-info small" data-testid="needs-approval">
									{replyBlocked()?.message}
								</p>
							</Show>
							<Show when={canSubmit() && !approvalNeeded()}>
								<p class="muted small" data-testid="approval-optional">
									{/* A moderator who asked for changes asked for them first. */}
									<Show
										when={review()?.state === "changes_requested"}
										fallback="No approval needed for this one: copy the reply, post it, then record its link below. Submit it for review if you want a moderator to look first."
									>
										No approval needed for this one: once the changes are made, copy the reply, post
										it and record its link below, or submit it for review again.
									</Show>
								</p>
							</Show>
							<Show when={replyStep() && replyBlocked() === null}>
								<form
									class="inline-form mark-replied"
									onSubmit={submitHandler(() => {
										const url = replyUrl().trim();
										if (!url) return;
										// The server refuses a link off the conversation's network (see reply-link.ts):
										// said here first, at the field.
										const wrong =
											urlProblem(url, "The link", false) ??
											replyLinkProblem(mention().network, url) ??
											undefined;
										if (wrong && replyUrlInput) {
											// Said by the browser at the field, as it says a missing link.
											replyUrlInput.setCustomValidity(wrong);
											replyUrlInput.reportValidity();
											return;
										}
										const settle = holdFocus();
										void ws
											.run(
												{
													name: "markReplied",
													args: { mentionId: id(), url, hash: currentHash() },
												},
												"Marked as replied.",
											)
											.then((result) => {
												if (!result.ok) return;
												setReplyUrl("");
												// The form gives way to "Replied by …".
												settle(repliedCallout);
											});
									})}
								>
									<label for="reply-url" class="field-label">
										Posted? Link to the reply
									</label>
									<input
										id="reply-url"
										{...URL_INPUT}
										required
										placeholder="https://…"
										ref={replyUrlInput}
										value={replyUrl()}
										onInput={(e) => {
											e.currentTarget.setCustomValidity("");
											setReplyUrl(e.currentTarget.value);
										}}
										onChange={(e) => setReplyUrl(e.currentTarget.value.trim())}
										data-testid="reply-url"
									/>
									<button type="submit" class="button" data-testid="mark-replied">
										Mark replied
									</button>
								</form>
							</Show>
							<Show when={mention().reply}>
								{(reply) => (
									<p
										class="callout"
										classList={{
											"callout-success": replyStands(status()),
											"callout-info": !replyStands(status()),
										}}
										data-testid="replied"
										tabIndex={-1}
										ref={repliedCallout}
									>
										{/* A follow-up reopened it: the reply was an answer to what came before. */}
										{replyStands(status()) ? "Replied" : "Earlier reply"} by{" "}
										{ws.memberName(reply().by)} ·{" "}
										<Show when={webLink(reply().url)}>
											{(url) => (
												<a href={url()} target="_blank" rel="noreferrer noopener">
													view the reply
												</a>
											)}
										</Show>
									</p>
								)}
							</Show>
						</div>
					</section>
					<DraftNotes draft={draft} />
				</div>
			</div>
		</article>
	);
}

/** Whether the top of `element` is on screen. */
function inView(element: HTMLElement): boolean {
	const { top } = element.getBoundingClientRect();
	return top >= 0 && top < window.innerHeight;
}
