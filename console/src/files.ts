/** The project's flat file list (GET /api/projects/{id}/files) as a tree: folders first, then files, by name. */

export interface ProjectFile {
  readonly path: string;
  readonly size: number;
  readonly url: string;
  readonly last_modified?: string | null;
}

export interface FolderNode {
  readonly name: string;
  readonly folders: FolderNode[];
  readonly files: (ProjectFile & { readonly name: string })[];
}

export function fileTree(files: readonly ProjectFile[]): FolderNode {
  const root: FolderNode = { name: "", folders: [], files: [] };
  for (const file of files) {
    const parts = file.path.split("/").filter((p) => p !== "");
    let node = root;
    for (const part of parts.slice(0, -1)) {
      let next = node.folders.find((f) => f.name === part);
      if (!next) {
        next = { name: part, folders: [], files: [] };
        node.folders.push(next);
      }
      node = next;
    }
    node.files.push({ ...file, name: parts[parts.length - 1] ?? file.path });
  }
  const sort = (node: FolderNode) => {
    node.folders.sort((a, b) => a.name.localeCompare(b.name));
    node.files.sort((a, b) => a.name.localeCompare(b.name));
    node.folders.forEach(sort);
  };
  sort(root);
  return root;
}

/** "512 B", "3.4 KB", "1.2 MB". */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
