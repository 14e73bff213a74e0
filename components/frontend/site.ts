import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

/*
 * What the Frontend uploads: every file of the built site folder with its content type and cache headers,
 * decided from the file's name. Pure (reads the folder only), so the tests and the component agree.
 */

/** Content-hashed names (app.7c9e2f1b.js): a new build gets a new name, so the old one never changes. */
export const HASHED_NAME = /\.[0-9a-f]{8,}\.[a-z0-9]+$/;
export const IMMUTABLE = "public, max-age=31536000, immutable";
/** Everything else is revalidated with S3 (through CloudFront) on every request: a deploy shows at once. */
export const REVALIDATE = "no-cache";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".xml": "application/xml",
  ".webmanifest": "application/manifest+json",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".wasm": "application/wasm",
};

export interface SiteFile {
  /** The object key: the path under the site folder, with forward slashes. */
  readonly key: string;
  readonly absolutePath: string;
  readonly contentType: string;
  readonly cacheControl: string;
  /** SHA-256 of the content, hex: the object's sourceHash, so Pulumi uploads exactly the files that changed. */
  readonly sha256: string;
}

/** The content type S3 should serve `key` with; unknown extensions are served as bytes. */
export function contentTypeFor(key: string): string {
  return CONTENT_TYPES[path.extname(key).toLowerCase()] ?? "application/octet-stream";
}

export function cacheControlFor(key: string): string {
  return HASHED_NAME.test(path.basename(key)) ? IMMUTABLE : REVALIDATE;
}

/** Every file under `dir` (sorted by key, so resource order is stable); throws when index.html is missing. */
export function siteFiles(dir: string): SiteFile[] {
  if (!fs.existsSync(path.join(dir, "index.html")))
    throw new Error(`the site folder ${dir} has no index.html (build the site, or set frontendSiteDir)`);
  const files: SiteFile[] = [];
  const walk = (sub: string) => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub === "" ? entry.name : `${sub}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (entry.isFile()) {
        const absolutePath = path.join(dir, rel);
        files.push({
          key: rel,
          absolutePath,
          contentType: contentTypeFor(rel),
          cacheControl: cacheControlFor(rel),
          sha256: crypto.createHash("sha256").update(fs.readFileSync(absolutePath)).digest("hex"),
        });
      }
    }
  };
  walk("");
  return files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
