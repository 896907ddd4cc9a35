import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_APP_CACHE_ENTRIES } from '../defaults.js';
import { appFolder, loadApp, loadSpecText, SPEC_FILE, type LoadedApp } from './load.js';

/**
 * Loaded apps by folder, reused while their wharf.yaml is byte for byte the same (by
 * content hash: a file edited within one mtime tick, or put back as it was, is still
 * judged by what it says). `wharf plan` then `wharf apply` parse and validate a large spec
 * once. Only valid specs are kept; a Procfile app, small by nature, is read every time.
 *
 * The apps handed out are shared between callers and must be treated as read-only (as
 * every consumer of a LoadedApp does today: plans and releases copy what they keep).
 * They are not deep-frozen: freezing 1,000 services over 5 environments costs ~70 ms,
 * a third of loading them, and the first plan of a spec is the one that must be fast.
 */
export class AppCache {
  private readonly entries = new Map<string, { hash: string; app: LoadedApp }>();

  constructor(private readonly capacity = DEFAULT_APP_CACHE_ENTRIES) {}

  load(dir: string): LoadedApp {
    const abs = appFolder(dir);
    let text: string;
    try {
      text = readFileSync(join(abs, SPEC_FILE), 'utf8');
    } catch {
      return loadApp(abs); // no wharf.yaml: a Procfile app, or the loader's own error
    }
    const hash = createHash('sha256').update(text).digest('hex');
    const hit = this.entries.get(abs);
    this.entries.delete(abs);
    if (hit?.hash === hash) {
      this.entries.set(abs, hit); // most recently used last
      return hit.app;
    }
    const app = loadSpecText(abs, text);
    this.entries.set(abs, { hash, app });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return app;
  }
}
