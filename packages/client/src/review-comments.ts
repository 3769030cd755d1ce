/**
 * A comment a moderator is typing to ask for changes, not sent yet (see typed-texts.ts). Kept
 * so that what they typed outlives the review controls: a member whose role changes while
 * typing loses the form, and is shown the text instead (the conversation page).
 */
import { typedTexts } from "./typed-texts.ts";

const comments = typedTexts("review-comment");

/** The comment typed on `mentionId` and not sent; "" when none. */
export const loadReviewComment = comments.load;

/** Keep `text` as the comment typed on `mentionId`; blank, forget it. */
export const saveReviewComment = comments.save;

/** The conversations the member has a comment kept on. */
export const keptReviewComments = comments.mentionIds;

/** Forget every unsent review comment of the member on this device. */
export const clearReviewComments = comments.clear;
