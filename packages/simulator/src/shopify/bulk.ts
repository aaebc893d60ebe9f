/**
 * Bulk query operations: the query is checked as Shopify checks it (one top-level connection, nested
 * connections only under nodes that select `id`, at most 5 connections), then run with every
 * connection unbounded, and the result flattened to JSONL: one line per node, nested connection nodes
 * on lines of their own after their parent, pointing at it with `__parentId`.
 */
import { type DocumentNode, execute, type GraphQLError, Kind, parse, type SelectionSetNode, validate } from "graphql";
import { type BulkUserError, type GraphqlContext, rootValue, schema } from "./schema.ts";

export function checkBulkQuery(query: string): { document: DocumentNode } | { error: BulkUserError } {
  const invalid = (message: string) => ({ error: { field: ["query"], message, code: "INVALID" as const } });
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    return invalid(`Invalid bulk query: ${(error as GraphQLError).message}`);
  }
  const errors = validate(schema, document);
  if (errors.length) return invalid(`Invalid bulk query: ${errors.map((e) => e.message).join("; ")}`);
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1 || operations[0]!.operation !== "query") {
    return invalid("Bulk queries must contain exactly one query operation");
  }
  const top = operations[0]!.selectionSet.selections.filter((s) => s.kind === Kind.FIELD);
  const connections = top.filter((s) => isConnectionField(s.name.value));
  if (connections.length !== 1)
    return invalid("Bulk queries must contain at least one connection (and only one at the top level)");
  let count = 0;
  let problem: string | null = null;
  const visit = (set: SelectionSetNode, parentSelectsId: boolean) => {
    for (const selection of set.selections) {
      if (selection.kind !== Kind.FIELD || !selection.selectionSet) continue;
      if (isConnectionField(selection.name.value) || hasConnectionShape(selection.selectionSet)) {
        count += 1;
        if (count > 1 && !parentSelectsId) {
          problem = `The parent 'node' field for a nested connection must select the 'id' field. Connection field: '${selection.name.value}'`;
        }
        for (const inner of selection.selectionSet.selections) {
          if (inner.kind !== Kind.FIELD || !inner.selectionSet) continue;
          if (inner.name.value === "nodes") visit(inner.selectionSet, selectsId(inner.selectionSet));
          if (inner.name.value === "edges") {
            for (const edge of inner.selectionSet.selections) {
              if (edge.kind === Kind.FIELD && edge.name.value === "node" && edge.selectionSet) {
                visit(edge.selectionSet, selectsId(edge.selectionSet));
              }
            }
          }
        }
      } else {
        visit(selection.selectionSet, parentSelectsId);
      }
    }
  };
  visit(operations[0]!.selectionSet, true);
  if (problem) return invalid(problem);
  if (count > 5) return invalid("Bulk queries cannot contain more than 5 connections");
  return { document };
}

const CONNECTION_FIELDS = new Set(["products", "variants", "images", "webhookSubscriptions"]);
const isConnectionField = (name: string) => CONNECTION_FIELDS.has(name);
const hasConnectionShape = (set: SelectionSetNode) =>
  set.selections.some((s) => s.kind === Kind.FIELD && (s.name.value === "edges" || s.name.value === "nodes"));
const selectsId = (set: SelectionSetNode) => set.selections.some((s) => s.kind === Kind.FIELD && s.name.value === "id");

export interface BulkResult {
  jsonl: string;
  objectCount: number;
  rootObjectCount: number;
  /** The query failed as a whole (e.g. ACCESS_DENIED). */
  errorCode: "ACCESS_DENIED" | "INTERNAL_SERVER_ERROR" | null;
}

export async function runBulkQuery(context: GraphqlContext, document: DocumentNode): Promise<BulkResult> {
  const result = await execute({ schema, document, rootValue, contextValue: { ...context, bulk: true } });
  if (result.errors?.length) {
    const denied = result.errors.some((e) => e.extensions?.code === "ACCESS_DENIED");
    return {
      jsonl: "",
      objectCount: 0,
      rootObjectCount: 0,
      errorCode: denied ? "ACCESS_DENIED" : "INTERNAL_SERVER_ERROR",
    };
  }
  const lines: string[] = [];
  let rootObjectCount = 0;
  const data = (result.data ?? {}) as Record<string, unknown>;
  for (const value of Object.values(data)) {
    const nodes = connectionNodes(value);
    if (!nodes) continue;
    for (const node of nodes) {
      rootObjectCount += 1;
      emit(node as Record<string, unknown>, null, lines);
    }
  }
  return {
    jsonl: lines.map((line) => `${line}\n`).join(""),
    objectCount: lines.length,
    rootObjectCount,
    errorCode: null,
  };
}

function connectionNodes(value: unknown): unknown[] | null {
  if (!value || typeof value !== "object" || Array.isArray(value)) return null;
  const v = value as { nodes?: unknown[]; edges?: { node: unknown }[] };
  if (Array.isArray(v.nodes)) return v.nodes;
  if (Array.isArray(v.edges)) return v.edges.map((edge) => edge.node);
  return null;
}

function emit(node: Record<string, unknown>, parentId: string | null, lines: string[]): void {
  const own: Record<string, unknown> = {};
  const children: unknown[] = [];
  for (const [key, value] of Object.entries(node)) {
    const nested = connectionNodes(value);
    if (nested) children.push(...nested);
    else own[key] = value;
  }
  if (parentId) own.__parentId = parentId;
  lines.push(JSON.stringify(own));
  for (const child of children) emit(child as Record<string, unknown>, String(node.id), lines);
}
