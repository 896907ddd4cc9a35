import { WharfError } from '../errors.js';
import type { LoadedApp } from '../spec/load.js';
import type { ResolvedEnvironment } from '../spec/resolve.js';
import type { Store } from '../state/store.js';
import { deriveEnvironment } from './derive.js';

/**
 * The resolved spec of environment `name`: wharf.yaml's overlay when it declares one
 * (a clone is scaled per its overlay), else derived from the environment it was created
 * or cloned from (recorded as `from`), following that chain back to a declared one.
 */
export async function environmentSpec(app: LoadedApp, name: string, store: Store): Promise<ResolvedEnvironment> {
  const seen: string[] = [];
  for (let at = name; ; ) {
    const declared = app.environments.get(at);
    if (declared) return seen.reduceRight((env, next) => deriveEnvironment(env, next), declared);
    const record = await store.getEnvironment(app.spec.app, at);
    if (!record?.from || seen.includes(at)) {
      throw new WharfError('ENV_NOT_FOUND', `environment "${at}" is not declared in ${app.file}${record ? '' : ' nor created with `wharf env create`'}`, {
        hint: `declared: ${[...app.environments.keys()].join(', ')}; \`wharf env create ${at} --from ENV\` makes one from another`,
      });
    }
    seen.push(at);
    at = record.from;
  }
}
