/**
 * Shopify's calculated query cost, approximated the way its docs describe it: scalars and enums cost
 * 0, objects 1, a connection 2 plus `first` (or `last`) times the cost of one node, a mutation 10.
 * The requested cost uses the page sizes asked for; the actual cost walks the result and counts the
 * nodes that came back. Shopify charges the requested cost up front and refunds the difference.
 */
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  getArgumentValues,
  getNamedType,
  isAbstractType,
  isLeafType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";

export interface QueryCost {
  requested: number;
  actual: number | null;
}

const MUTATION_COST = 10;

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

export function operationOf(
  document: DocumentNode,
  operationName?: string | null,
): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  return operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
}

/** The cost of `operation`; with `data` (the result), the actual cost, otherwise the requested one. */
export function queryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  data?: Record<string, unknown> | null,
): number {
  const walk: Walk = {
    schema,
    fragments: new Map(
      document.definitions
        .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
        .map((d) => [d.name.value, d]),
    ),
    variables,
  };
  if (operation.operation === "mutation") return MUTATION_COST * countFields(operation.selectionSet);
  return selectionCost(walk, operation.selectionSet, schema.getQueryType()!, data);
}

const countFields = (set: SelectionSetNode) => set.selections.filter((s) => s.kind === Kind.FIELD).length;

function selectionCost(walk: Walk, set: SelectionSetNode, parent: GraphQLNamedType, data: unknown): number {
  let cost = 0;
  let fragmentMax = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      cost += fieldCost(walk, selection, parent, data);
    } else {
      const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? walk.fragments.get(selection.name.value) : selection;
      if (!fragment) continue;
      const typeName = fragment.typeCondition?.name.value;
      const type = typeName ? walk.schema.getType(typeName) : parent;
      if (!type) continue;
      const inner = selectionCost(walk, fragment.selectionSet, type, data);
      if (type === parent || !isAbstractType(parent)) cost += inner;
      else fragmentMax = Math.max(fragmentMax, inner);
    }
  }
  return cost + fragmentMax;
}

function fieldCost(walk: Walk, node: FieldNode, parent: GraphQLNamedType, data: unknown): number {
  if (node.name.value.startsWith("__") || !("getFields" in parent)) return 0;
  const field = (parent.getFields() as Record<string, GraphQLField<unknown, unknown>>)[node.name.value];
  if (!field) return 0;
  const type = getNamedType(field.type);
  if (isLeafType(type) || !node.selectionSet) return 0;
  const key = node.alias?.value ?? node.name.value;
  const value = data === undefined ? undefined : (data as Record<string, unknown> | null)?.[key];
  if (data !== undefined && value == null) return data === null ? 0 : 1;

  if (isObjectType(type) && type.name.endsWith("Connection")) {
    const args = getArgumentValues(field, node, walk.variables) as { first?: number; last?: number };
    const nodeType = getNamedType(type.getFields().nodes!.type);
    let perNode = 0;
    for (const selection of node.selectionSet.selections) {
      if (selection.kind !== Kind.FIELD) continue;
      if (selection.name.value === "nodes" && selection.selectionSet) {
        perNode = Math.max(perNode, 1 + selectionCost(walk, selection.selectionSet, nodeType, undefined));
      } else if (selection.name.value === "edges" && selection.selectionSet) {
        for (const edgeField of selection.selectionSet.selections) {
          if (edgeField.kind === Kind.FIELD && edgeField.name.value === "node" && edgeField.selectionSet) {
            perNode = Math.max(perNode, 1 + selectionCost(walk, edgeField.selectionSet, nodeType, undefined));
          }
        }
      }
    }
    if (value === undefined) return 2 + (args.first ?? args.last ?? 0) * perNode;
    // Actual: the nodes that came back, each with its own nested actual cost.
    const connection = value as { nodes?: unknown[]; edges?: { node?: unknown }[] };
    const nodes = connection.nodes ?? connection.edges?.map((edge) => edge.node) ?? [];
    let actual = 2;
    for (const item of nodes) {
      let itemCost = 0;
      for (const selection of node.selectionSet.selections) {
        if (selection.kind !== Kind.FIELD || !selection.selectionSet) continue;
        if (selection.name.value === "nodes") {
          itemCost = Math.max(itemCost, 1 + selectionCost(walk, selection.selectionSet, nodeType, item));
        } else if (selection.name.value === "edges") {
          for (const edgeField of selection.selectionSet.selections) {
            if (edgeField.kind === Kind.FIELD && edgeField.name.value === "node" && edgeField.selectionSet) {
              itemCost = Math.max(itemCost, 1 + selectionCost(walk, edgeField.selectionSet, nodeType, item));
            }
          }
        }
      }
      actual += itemCost;
    }
    return actual;
  }

  if (Array.isArray(value)) {
    return (
      1 + value.reduce((sum: number, item) => Math.max(sum, selectionCost(walk, node.selectionSet!, type, item)), 0)
    );
  }
  return 1 + selectionCost(walk, node.selectionSet, type, value);
}
