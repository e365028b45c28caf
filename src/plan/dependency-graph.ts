/** The dependsOn graph of Kustomizations, pure: missing dependencies and cycles are errors naming the Kustomizations. */
export interface GraphNode {
  id: string; // namespace/name
  dependsOn: string[]; // ids
}

export class DependencyGraphError extends Error {}

export function dependencyId(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** Returns the first cycle as a list of ids (first repeated at the end), or undefined. */
export function findCycle(nodes: readonly GraphNode[]): string[] | undefined {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    const s = state.get(id);
    if (s === "done") return undefined;
    if (s === "visiting") return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, "visiting");
    stack.push(id);
    for (const dep of byId.get(id)?.dependsOn ?? []) {
      if (!byId.has(dep)) continue;
      const c = visit(dep);
      if (c) return c;
    }
    stack.pop();
    state.set(id, "done");
    return undefined;
  };
  for (const n of [...nodes].sort((a, b) => a.id.localeCompare(b.id))) {
    const c = visit(n.id);
    if (c) return c;
  }
  return undefined;
}

export function missingDependencies(nodes: readonly GraphNode[]): { id: string; missing: string }[] {
  const ids = new Set(nodes.map((n) => n.id));
  return nodes.flatMap((n) => n.dependsOn.filter((d) => !ids.has(d)).map((missing) => ({ id: n.id, missing })));
}

export function describeCycle(cycle: readonly string[]): string {
  return `dependency cycle: ${cycle.join(" -> ")}`;
}
