/**
 * A note a member is typing on a conversation and has not added yet (see typed-texts.ts).
 */
import type { Me } from "./api.ts";
import { typedTexts } from "./typed-texts.ts";

const notes = typedTexts("note-draft");

/** The localStorage key prefix of a member's unfinished notes. */
export const noteDraftsPrefix: (me: Pick<Me, "id" | "orgId">) => string = notes.prefix;

/** The note typed on `mentionId` and not added; "" when none. */
export const loadNoteDraft = notes.load;

/** Keep `text` as the note typed on `mentionId`; blank, forget it. */
export const saveNoteDraft = notes.save;

/** Forget every unfinished note of the member on this device. */
export const clearNoteDrafts = notes.clear;
