import { describe, expect, it } from "vitest";
import { problemsByField } from "../issues.ts";
import { DEFAULT_BOARD_SETTINGS } from "../model.ts";
import { BoardSettingsPatchSchema } from "./wire.ts";

describe("a board settings patch", () => {
	const claim = DEFAULT_BOARD_SETTINGS.slaClaimMinutes;

	it("names beside its field a first-reply target shorter than the claim target", () => {
		const problems = problemsByField(BoardSettingsPatchSchema, {
			slaClaimMinutes: claim,
			slaReplyMinutes: { high: 60, normal: 6, low: 1440 },
		});
		expect(problems).toEqual({
			"slaReplyMinutes.normal":
				"must be at least the claim target (60 min): both count from when the conversation came in",
		});
	});

	it("takes equal targets, and a patch of one kind alone (the server checks it merged)", () => {
		expect(
			problemsByField(BoardSettingsPatchSchema, { slaClaimMinutes: claim, slaReplyMinutes: claim }),
		).toEqual({});
		expect(
			problemsByField(BoardSettingsPatchSchema, {
				slaReplyMinutes: { high: 1, normal: 1, low: 1 },
			}),
		).toEqual({});
	});

	it("says a target out of range as that alone, not as shorter or longer than another", () => {
		expect(
			problemsByField(BoardSettingsPatchSchema, {
				slaClaimMinutes: { ...claim, high: 200_000 },
				slaReplyMinutes: DEFAULT_BOARD_SETTINGS.slaReplyMinutes,
			}),
		).toEqual({
			"slaClaimMinutes.high": "must be a number of minutes from 1 to 129,600 (90 days)",
		});
	});

	it("says a malformed target as before", () => {
		expect(
			problemsByField(BoardSettingsPatchSchema, {
				slaClaimMinutes: { ...claim, high: -1 },
				slaReplyMinutes: { high: 1, normal: 60, low: 240 },
			}),
		).toEqual({
			"slaClaimMinutes.high": "must be a number of minutes from 1 to 129,600 (90 days)",
		});
	});
});
