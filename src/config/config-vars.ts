import type { ConfigVars } from '../deploy/release-snapshot.js';
import { WharfError } from '../errors.js';
import type { Store } from '../state/store.js';
import type { Keyring } from './keyring.js';

/** The decrypted config of a version (0: none), for the process environment of a release's instances. */
export function configVarsFrom(store: Store, keyring: Keyring): ConfigVars {
  return async (app, env, configVersion) => {
    if (configVersion === 0) return {};
    const config = await store.getConfig(app, env, configVersion);
    if (!config) throw new WharfError('NOT_FOUND', `config v${configVersion} of ${app}/${env} is not recorded`);
    return Object.fromEntries(config.entries.map((e) => [e.name, e.secret ? keyring.unseal({ app, env, name: e.name }, e.sealed) : e.value]));
  };
}

/** One variable of the environment's newest config, decrypted; undefined when it is not set. */
export async function latestConfigValue(store: Store, keyring: Keyring, app: string, env: string, name: string): Promise<string | undefined> {
  const entry = (await store.getConfig(app, env))?.entries.find((e) => e.name === name);
  if (!entry) return undefined;
  return entry.secret ? keyring.unseal({ app, env, name }, entry.sealed) : entry.value;
}
