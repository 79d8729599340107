export interface ImportEdge {
  /** Paths relative to the source folder. */
  from: string;
  to: string;
  fromFolder: string;
  toFolder: string;
}
export function importEdges(sourceDir: string): ImportEdge[];
export function folderMatrix(edges: readonly ImportEdge[]): Map<string, Map<string, number>>;
export function folderCycles(matrix: Map<string, Map<string, number>>): string[][];
