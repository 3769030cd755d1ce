/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the contract's schemas
 * (`HttpRoutes` in @switchboard/domain) with @valibot/to-json-schema, never written by
 * hand: integrators generate their clients from `GET /api/openapi.json`.
 */

import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from "@switchboard/connectors";
import { ErrorEnvelopeSchema, HttpRoutes, type RouteContract } from "@switchboard/domain";
import { type ConversionConfig, type JsonSchema, toJsonSchema } from "@valibot/to-json-schema";
import type * as v from "valibot";

/** OpenAPI 3.1 takes JSON Schema 2020-12; checks with no JSON Schema form are left out. */
const REQUEST: ConversionConfig = {
	target: "draft-2020-12",
	typeMode: "input",
	errorMode: "ignore",
};
const ANSWER: ConversionConfig = { ...REQUEST, typeMode: "output" };

type Json = Record<string, unknown>;

function schemaOf(schema: v.GenericSchema, config: ConversionConfig): Json {
	const { $schema, ...rest } = toJsonSchema(schema, config) as JsonSchema & Json;
	return rest;
}

/** Path and query parameters: one per property of the part's object schema. */
function parameters(where: "path" | "query", schema: v.GenericSchema | undefined): Json[] {
	if (!schema) return [];
	const json = schemaOf(schema, REQUEST) as { properties?: Json; required?: string[] };
	return Object.entries(json.properties ?? {}).map(([name, property]) => ({
		name,
		in: where,
		required: where === "path" || (json.required ?? []).includes(name),
		schema: property,
	}));
}

const json = (schema: v.GenericSchema) => ({
	"application/json": { schema: schemaOf(schema, ANSWER) },
});

function operation(name: string, route: RouteContract): Json {
	const success: Json = route.text
		? { [route.text]: { schema: { type: "string" } } }
		: route.bytes
			? { [route.bytes]: { schema: { type: "string", format: "binary" } } }
			: { ...json(route.answer) };
	if (route.csv) success["text/csv"] = { schema: { type: "string" } };
	const responses: Json = {
		[String(route.status ?? 200)]: { description: "Success", content: success },
	};
	for (const [status, other] of Object.entries(route.otherAnswers ?? {})) {
		responses[status] = { description: other.description, content: json(other.schema) };
	}
	responses.default = {
		description: "An error: its kind and words for a person",
		content: json(ErrorEnvelopeSchema),
	};
	return {
		operationId: name,
		summary: route.summary,
		...(route.auth === "session" ? { security: [{ bearer: [] }, { cookie: [] }] } : {}),
		...(route.auth === "signature" ? { security: [{ signature: [] }] } : {}),
		...(route.auth === "operator" ? { security: [{ operator: [] }] } : {}),
		...(route.roles ? { "x-roles": route.roles } : {}),
		parameters: [...parameters("path", route.params), ...parameters("query", route.query)],
		...(route.body
			? {
					requestBody: {
						required: true,
						content: { "application/json": { schema: schemaOf(route.body, REQUEST) } },
					},
				}
			: {}),
		responses,
	};
}

/** `/api/boards/:boardId/mentions` as OpenAPI writes it: `/api/boards/{boardId}/mentions`. */
export function openApiPath(path: string): string {
	return path.replace(/:([A-Za-z]+)/g, "{$1}");
}

/** The OpenAPI 3.1 document of `routes`, the session cookie named `sessionCookie`. */
export function openApiDocument(
	sessionCookie: string,
	routes: Readonly<Record<string, RouteContract>> = HttpRoutes,
): Json & { openapi: string } {
	const paths: Record<string, Json> = {};
	for (const [name, route] of Object.entries(routes)) {
		const path = openApiPath(route.path);
		paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation(name, route) };
	}
	return {
		openapi: "3.1.0",
		info: {
			title: "Switchboard",
			version: "1",
			description:
				"The HTTP API of Switchboard. Every error answers {error: {code, message}}; see docs/HTTP-API.md.",
		},
		components: {
			securitySchemes: {
				bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
				cookie: { type: "apiKey", in: "cookie", name: sessionCookie },
				operator: {
					type: "http",
					scheme: "bearer",
					description: "The token in the server's SWITCHBOARD_METRICS_TOKEN (docs/OPERATIONS.md)",
				},
				signature: {
					type: "apiKey",
					in: "header",
					name: SIGNATURE_HEADER,
					description: `HMAC-SHA256 of "<${TIMESTAMP_HEADER}>.<body>" with the source's secret (docs/SOURCES.md)`,
				},
			},
		},
		paths,
	};
}
