/**
 * @mentions in a draft's internal notes, noticed where they arrive: a note that a member's
 * connection adds to a draft, naming teammates, is handed to `onMentions` with its writer.
 * Only updates that came in on a connection of this instance count; the same note reaching
 * another instance through Redis, or a draft loaded from the database, tells nobody again.
 */
import type { afterLoadDocumentPayload, Extension } from "@hocuspocus/server";
import {
	type DraftNote,
	DraftNoteSchema,
	draftRoots,
	type NotificationIntent,
	notificationsForNotes,
	parseDocumentName,
} from "@switchboard/domain";
import * as v from "valibot";
import type { SyncContext } from "./context.ts";

export interface NoteMentions {
	orgId: string;
	mentionId: string;
	/** The member whose connection added the notes. */
	writerId: string;
	intents: (NotificationIntent & { noteId: string })[];
}

export interface NoteMentionsOptions {
	/** Told in the transaction's observer: must not throw or wait. */
	onMentions(mentions: NoteMentions): void;
}

export class NoteMentionsWatcher implements Extension {
	readonly extensionName = "switchboard-note-mentions";
	private readonly options: NoteMentionsOptions;

	constructor(options: NoteMentionsOptions) {
		this.options = options;
	}

	async afterLoadDocument({ documentName, document }: afterLoadDocumentPayload): Promise<void> {
		const ref = parseDocumentName(documentName);
		if (ref?.kind !== "draft") return;
		draftRoots(document).notes.observe((event, transaction) => {
			const origin = transaction.origin as { source?: string; connection?: { context: unknown } };
			if (origin?.source !== "connection" || !origin.connection) return;
			const context = origin.connection.context as Partial<SyncContext>;
			const writerId = context.member?.memberId;
			if (!writerId) return;
			const added: DraftNote[] = [];
			for (const change of event.delta) {
				for (const note of Array.isArray(change.insert) ? change.insert : []) {
					if (v.is(DraftNoteSchema, note)) added.push(note);
				}
			}
			const intents = notificationsForNotes(added, new Set(), writerId);
			if (intents.length === 0) return;
			this.options.onMentions({ orgId: ref.orgId, mentionId: ref.mentionId, writerId, intents });
		});
	}
}
