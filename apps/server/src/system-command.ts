/**
 * A command the server runs on a conversation by itself (a lease ran out, a snooze ended, a
 * member was deactivated): recorded in the activity log under its system action, which is
 * also the `reason` of the record's detail, and answered with the conversation as stored
 * after it, ready to publish to the board.
 */
import type {
	CommandArbiter,
	ExecuteSystemCommandInput,
	MentionStore,
	StoredMention,
} from "@switchboard/storage";

export type SystemCommandOutcome =
	| {
			ok: true;
			stored: StoredMention | null;
			/** The conversation's revision the command made: names this change among all of its. */
			rev: number;
	  }
	| { ok: false; code: string };

export async function runSystemCommand(
	storage: Pick<CommandArbiter, "executeSystemCommand"> & Pick<MentionStore, "getMention">,
	input: ExecuteSystemCommandInput,
): Promise<SystemCommandOutcome> {
	const outcome = await storage.executeSystemCommand({
		...input,
		detail: { reason: input.action, ...input.detail },
	});
	if (!outcome.ok) return { ok: false, code: outcome.code };
	return {
		ok: true,
		stored: await storage.getMention(input.orgId, outcome.mentionId),
		rev: outcome.rev,
	};
}
